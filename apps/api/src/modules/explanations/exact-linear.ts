import { designWidth, writeDesign, type ExportedModelState } from '@maas/training';

/** One record's explanation: the baseline and each feature's contribution, in feature order. */
export interface RecordAttribution {
  baseline: number;
  contributions: number[];
}

/** Which design columns (the first layer's inputs) belong to each feature, as writeDesign lays them out. */
export function designColumnsByFeature(state: Pick<ExportedModelState, 'features'>): number[][] {
  const columns: number[][] = state.features.map(() => []);
  let column = 0;
  state.features.forEach((feature, f) => {
    if (feature.type !== 'categorical') columns[f]?.push(column++);
  });
  state.features.forEach((feature, f) => {
    if (feature.type !== 'categorical') return;
    for (let c = 0; c < (feature.categories?.length ?? 0); c++) columns[f]?.push(column++);
  });
  return columns;
}

/**
 * The mean of the first layer's input (standardised numeric values, one-hot blocks) over model-input
 * rows `rowIndices` of `input` (`[rows, features]`): the training mean a linear model's exact
 * contributions are differences from.
 */
export function meanDesign(
  state: Pick<ExportedModelState, 'features'>,
  input: Float32Array,
  rowIndices: ArrayLike<number>,
): Float64Array {
  const F = state.features.length;
  const D = designWidth(state);
  const mean = new Float64Array(D);
  const chunk = 1024;
  const rows = new Float32Array(chunk * F);
  const design = new Float64Array(chunk * D);
  for (let first = 0; first < rowIndices.length; first += chunk) {
    const count = Math.min(chunk, rowIndices.length - first);
    for (let i = 0; i < count; i++) {
      const r = rowIndices[first + i] as number;
      rows.set(input.subarray(r * F, r * F + F), i * F);
    }
    writeDesign(state, rows, 0, count, design);
    for (let i = 0; i < count * D; i++)
      mean[i % D] = (mean[i % D] as number) + (design[i] as number);
  }
  const n = Math.max(1, rowIndices.length);
  for (let j = 0; j < D; j++) mean[j] = (mean[j] as number) / n;
  return mean;
}

/**
 * Exact contributions of a one-layer (linear, logistic or softmax regression) model: per feature,
 * the weights times the difference of its standardised (or one-hot) inputs from their training
 * mean `reference`, on the scale of the margin: the prediction for regression (target units), the
 * log-odds for logistic regression, and the logit of `outputFor(r)` (the record's predicted class)
 * for softmax regression. The baseline is the margin at the training mean, so the contributions of
 * a record sum to its margin − baseline.
 */
export function explainLinear(
  state: ExportedModelState,
  reference: Float64Array,
  input: Float32Array,
  records: number,
  outputFor: (record: number) => number,
): RecordAttribution[] {
  const layer = state.layers[0];
  if (state.layers.length !== 1 || !layer)
    throw new Error(`${state.algorithm} is not a one-layer model`);
  const K = layer.outputs;
  const D = designWidth(state);
  const scale = state.head === 'identity' ? state.targetScale : 1;
  const offset = state.head === 'identity' ? state.targetOffset : 0;
  const columns = designColumnsByFeature(state);
  const design = new Float64Array(records * D);
  writeDesign(state, input, 0, records, design);
  const weight = (j: number, k: number) => layer.weights[j * K + k] as number;
  return Array.from({ length: records }, (_, r) => {
    const k = Math.min(K - 1, Math.max(0, outputFor(r)));
    let baseline = layer.bias[k] as number;
    for (let j = 0; j < D; j++) baseline += weight(j, k) * (reference[j] as number);
    const contributions = columns.map((cols) => {
      let sum = 0;
      for (const j of cols)
        sum += weight(j, k) * ((design[r * D + j] as number) - (reference[j] as number));
      return sum * scale;
    });
    return { baseline: baseline * scale + offset, contributions };
  });
}
