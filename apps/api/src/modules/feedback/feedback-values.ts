import { storableText } from '../predictions/prediction-log';

/** The longest label (or other string) an `actual` may be. */
export const MAX_ACTUAL_LABEL_LENGTH = 256;
/** Labels named in an error message at most. */
const LABELS_SHOWN = 20;

/** A checked ground truth, as stored: a number, a label, or a boolean. */
export type ActualValue = number | string | boolean;

export type ActualCheck = { ok: true; value: ActualValue } | { ok: false; message: string };

const CLASSIFICATION_TASKS = new Set(['BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION']);

/** `value` for an error message: short, whatever its size. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function checkString(value: string): string | null {
  if (value.length === 0) return '"actual" is an empty string';
  if (value.length > MAX_ACTUAL_LABEL_LENGTH)
    return `"actual" is longer than ${MAX_ACTUAL_LABEL_LENGTH} characters`;
  if (storableText(value) !== value) return '"actual" holds a NUL or a lone surrogate';
  return null;
}

/**
 * Checks the ground truth `actual` of one record against the model's `task` (and, for classifiers,
 * its `labels` when known): a finite number for REGRESSION; one of the labels for a classifier
 * (a number or boolean is taken as the label it spells, and stored as that label), or any short
 * label or class index if the labels are unknown; for other tasks a number, a short string or a
 * boolean. Objects and arrays are refused.
 */
export function checkActual(
  actual: unknown,
  task: string | null,
  labels: readonly string[] | null | undefined,
): ActualCheck {
  if (actual === undefined || actual === null)
    return { ok: false, message: '"actual" is required: the true value of the record' };
  const kind = typeof actual;
  if (kind !== 'number' && kind !== 'string' && kind !== 'boolean') {
    return {
      ok: false,
      message: `"actual" must be a number or a label, not ${Array.isArray(actual) ? 'an array' : 'an object'}`,
    };
  }
  const scalar = actual as ActualValue;
  if (kind === 'number' && !Number.isFinite(scalar))
    return { ok: false, message: '"actual" must be a finite number' };
  if (task === 'REGRESSION') {
    return kind === 'number'
      ? { ok: true, value: scalar }
      : {
          ok: false,
          message: `The model is a regression model: "actual" is a number, got ${shown(actual)}`,
        };
  }
  if (kind === 'string') {
    const problem = checkString(scalar as string);
    if (problem) return { ok: false, message: problem };
  }
  if (task !== null && CLASSIFICATION_TASKS.has(task)) {
    if (labels && labels.length > 0) {
      const label = String(scalar);
      if (labels.includes(label)) return { ok: true, value: label };
      const listed = labels.slice(0, LABELS_SHOWN).join(', ');
      const more = labels.length > LABELS_SHOWN ? `, … (${labels.length} labels)` : '';
      return {
        ok: false,
        message: `"actual" must be one of the model's labels (${listed}${more}), got ${shown(actual)}`,
      };
    }
    if (kind === 'number' && !Number.isInteger(actual)) {
      return {
        ok: false,
        message: `A classifier's "actual" is a label or a class index, got ${shown(actual)}`,
      };
    }
  }
  return { ok: true, value: scalar };
}
