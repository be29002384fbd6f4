import type { SignatureRecord } from '@maas/db';
import type { DecodedTensor, NestedJson } from '@maas/inference';
import { badInput } from '../../common/errors';

/**
 * Turns `records` ({feature: value} rows) into the one FP32 [N, F] tensor of a tabular model
 * (docs/api.md, "Tabular models"): features in signature order, a categorical value as its index
 * in `signature.categories`, booleans as 0/1.
 */
export function recordsToTensor(
  signature: SignatureRecord,
  records: unknown[],
): { name: string; tensor: DecodedTensor } {
  const features = signature.features;
  const input = signature.inputs[0];
  if (!features || !input || signature.inputs.length !== 1) {
    throw badInput(
      '"records" needs a tabular model (one whose signature lists features); send "inputs" instead',
    );
  }
  if (records.length === 0) throw badInput('"records" is empty: send at least one record');
  const categories = signature.categories ?? {};
  const width = features.length;
  const data = new Float32Array(records.length * width);
  records.forEach((record, r) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw badInput(
        `records[${r}] must be an object of feature values, like {"${features[0]}": 1.5}`,
      );
    }
    const row = record as Record<string, unknown>;
    features.forEach((feature, f) => {
      const value = row[feature];
      if (value === undefined || value === null) {
        throw badInput(
          `records[${r}] lacks feature "${feature}" (the model needs ${features.join(', ')})`,
        );
      }
      const cats = categories[feature];
      let x: number;
      if (cats) {
        const index =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? cats.indexOf(String(value))
            : -1;
        if (index < 0)
          throw badInput(
            `records[${r}].${feature} = ${JSON.stringify(value)} is not a known category (${cats.join(', ')})`,
          );
        x = index;
      } else if (typeof value === 'boolean') {
        x = value ? 1 : 0;
      } else if (typeof value === 'number' && Number.isFinite(value)) {
        x = value;
      } else if (
        typeof value === 'string' &&
        value.trim() !== '' &&
        Number.isFinite(Number(value))
      ) {
        x = Number(value);
      } else {
        throw badInput(`records[${r}].${feature} must be a number, got ${JSON.stringify(value)}`);
      }
      data[r * width + f] = x;
    });
  });
  return { name: input.name, tensor: { datatype: 'FP32', shape: [records.length, width], data } };
}

/**
 * Adds `predictions` (a number, or a label for classifiers) and, for classifiers,
 * `probabilities` ({label: p} per record) to a tabular model's outputs.
 */
export function tabularOutputs(
  signature: SignatureRecord,
  outputs: Record<string, NestedJson>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...outputs };
  // Trained models name it `prediction`; an uploaded tabular model with one output uses that.
  const names = Object.keys(outputs);
  const prediction =
    outputs.prediction ?? (names.length === 1 ? outputs[names[0] as string] : undefined);
  const labels = signature.labels;
  if (Array.isArray(prediction)) {
    result.predictions = prediction.map((row) => {
      const value = Array.isArray(row) ? row[0] : row;
      if (labels && typeof value === 'number') return labels[Math.round(value)] ?? value;
      return value;
    });
  }
  const probabilities = outputs.probabilities;
  if (labels && Array.isArray(probabilities)) {
    result.probabilities = probabilities.map((row) =>
      Object.fromEntries(
        labels.map((label, i) => [label, Array.isArray(row) ? row[i] : undefined]),
      ),
    );
  }
  return result;
}
