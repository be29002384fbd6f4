// The playground's inputs and outputs: a JSON template for raw tensors, typed records for
// tabular models, and the predictions read back from `predict`'s outputs.

interface TensorSpec {
  name: string;
  datatype: string;
  shape: readonly number[];
}

function zero(datatype: string): unknown {
  if (datatype === 'BOOL') return false;
  if (datatype === 'BYTES') return '';
  return 0;
}

/** A nested array of zeros in the tensor's shape; dynamic dimensions (-1) become 1. */
export function tensorTemplate(spec: TensorSpec): unknown {
  const build = (dims: readonly number[]): unknown => {
    const [first, ...rest] = dims;
    if (first === undefined) return zero(spec.datatype);
    const size = first < 0 ? 1 : Math.min(first, 64);
    return Array.from({ length: size }, () => build(rest));
  };
  return build(spec.shape);
}

/** `{inputName: template}` for every input, as pretty JSON for the editor. */
export function inputsTemplate(inputs: readonly TensorSpec[]): string {
  return JSON.stringify(
    Object.fromEntries(inputs.map((i) => [i.name, tensorTemplate(i)])),
    null,
    2,
  );
}

/** Parses the editor's JSON: an object of tensors by input name. */
export function parseInputs(text: string): { inputs: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'Write one JSON object: {"inputName": [[...]]}.' };
  }
  return { inputs: value as Record<string, unknown> };
}

/** Categories of each categorical feature, from the signature's `categories` JSON. */
export function categoriesOf(categories: unknown): Record<string, string[]> {
  if (!categories || typeof categories !== 'object' || Array.isArray(categories)) return {};
  return Object.fromEntries(
    Object.entries(categories as Record<string, unknown>)
      .filter(([, values]) => Array.isArray(values))
      .map(([feature, values]) => [feature, (values as unknown[]).map(String)]),
  );
}

/** Rows of form text -> records: numbers for numeric features, the category for categorical ones. */
export function buildRecords(
  features: readonly string[],
  categories: Readonly<Record<string, string[]>>,
  rows: readonly Readonly<Record<string, string>>[],
): { records: Record<string, number | string>[] } | { error: string } {
  const records: Record<string, number | string>[] = [];
  for (const [index, row] of rows.entries()) {
    const record: Record<string, number | string> = {};
    for (const feature of features) {
      const text = (row[feature] ?? '').trim();
      const where = rows.length > 1 ? ` (record ${index + 1})` : '';
      if (categories[feature]) {
        if (!categories[feature].includes(text)) {
          return { error: `Choose a value for ${feature}${where}.` };
        }
        record[feature] = text;
      } else {
        const value = Number(text);
        if (text === '' || !Number.isFinite(value))
          return { error: `${feature}${where} must be a number.` };
        record[feature] = value;
      }
    }
    records.push(record);
  }
  return { records };
}

export interface ReadPredictions {
  /** One per record: the number, or the label. */
  predictions: (number | string)[] | null;
  /** One {label: probability} map per record, for classifiers. */
  probabilities: Record<string, number>[] | null;
}

/** The tabular outputs (`predictions`, `probabilities`) if the API sent them. */
export function readPredictions(outputs: unknown): ReadPredictions {
  const o = (outputs && typeof outputs === 'object' ? outputs : {}) as Record<string, unknown>;
  const predictions = Array.isArray(o.predictions)
    ? o.predictions.map((p) => (typeof p === 'number' || typeof p === 'string' ? p : String(p)))
    : null;
  const probabilities = Array.isArray(o.probabilities)
    ? o.probabilities.map((row) =>
        row && typeof row === 'object' && !Array.isArray(row)
          ? Object.fromEntries(
              Object.entries(row as Record<string, unknown>).filter(
                (entry): entry is [string, number] => typeof entry[1] === 'number',
              ),
            )
          : {},
      )
    : null;
  return { predictions, probabilities };
}
