// The "New training job" form's hyperparameter fields, generated from the `algorithms` query:
// text values in, the JSON `startTrainingJob` takes out, checked against each type and bound.

/** One hyperparameter as the `algorithms` query describes it. */
export interface HyperparameterSpec {
  name: string;
  /** "int", "float", "boolean", "string" (with `values`), or "int[]". */
  type: string;
  default: unknown;
  description: string;
  min: number | null;
  max: number | null;
  values: string[] | null;
}

/** The form's text for a value ("32, 32" for lists, "true"/"false" for booleans). */
export function toFieldText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => toFieldText(v)).join(', ');
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | boolean);
}

/** Each field's starting text: the default. */
export function defaultFieldValues(specs: readonly HyperparameterSpec[]): Record<string, string> {
  return Object.fromEntries(specs.map((spec) => [spec.name, toFieldText(spec.default)]));
}

function bounds(spec: HyperparameterSpec): string {
  if (spec.min !== null && spec.max !== null) return ` between ${spec.min} and ${spec.max}`;
  if (spec.min !== null) return ` of at least ${spec.min}`;
  if (spec.max !== null) return ` of at most ${spec.max}`;
  return '';
}

function parseNumber(text: string, spec: HyperparameterSpec, integer: boolean): number | string {
  const value = Number(text.trim());
  const kind = integer ? 'a whole number' : 'a number';
  if (text.trim() === '' || !Number.isFinite(value))
    return `${spec.name} must be ${kind}${bounds(spec)}.`;
  if (integer && !Number.isInteger(value)) return `${spec.name} must be ${kind}${bounds(spec)}.`;
  if ((spec.min !== null && value < spec.min) || (spec.max !== null && value > spec.max)) {
    return `${spec.name} must be ${kind}${bounds(spec)}.`;
  }
  return value;
}

/** Parses one field; a string result is the error message. */
export function parseField(
  spec: HyperparameterSpec,
  text: string,
): { value: unknown } | { error: string } {
  switch (spec.type) {
    case 'int':
    case 'float': {
      const parsed = parseNumber(text, spec, spec.type === 'int');
      return typeof parsed === 'string' ? { error: parsed } : { value: parsed };
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `${spec.name} must be true or false.` };
    case 'int[]': {
      const parts = text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const values: number[] = [];
      for (const part of parts) {
        const parsed = parseNumber(part, spec, true);
        if (typeof parsed === 'string') {
          return {
            error: `${spec.name}: write whole numbers${bounds(spec)}, separated by commas (e.g. 32, 32).`,
          };
        }
        values.push(parsed);
      }
      return { value: values };
    }
    default:
      if (spec.values && !spec.values.includes(text)) {
        return { error: `${spec.name} must be one of ${spec.values.join(', ')}.` };
      }
      return { value: text };
  }
}

/**
 * The hyperparameters JSON: only the fields that differ from their default (the API fills in
 * the rest and reports the resolved values on the job), or an error per field.
 */
export function buildHyperparameters(
  specs: readonly HyperparameterSpec[],
  texts: Readonly<Record<string, string>>,
): { hyperparameters: Record<string, unknown> } | { errors: Record<string, string> } {
  const hyperparameters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const spec of specs) {
    const text = texts[spec.name] ?? toFieldText(spec.default);
    const parsed = parseField(spec, text);
    if ('error' in parsed) errors[spec.name] = parsed.error;
    else if (JSON.stringify(parsed.value) !== JSON.stringify(spec.default)) {
      hyperparameters[spec.name] = parsed.value;
    }
  }
  return Object.keys(errors).length ? { errors } : { hyperparameters };
}
