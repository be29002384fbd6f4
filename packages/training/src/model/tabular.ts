import type { ColumnarDataset } from '../dataset/dataset.types';
import { BOOLEAN_NULL } from '../dataset/dataset.types';
import { TrainingError } from '../errors';
import type { Algorithm, Hyperparameters } from '../hyperparameters';
import type {
  DenseLayerState,
  ExportedModelState,
  ModelHead,
  ModelPredictions,
} from './model.types';
import { CHUNK_ROWS, Network } from './network';

/** A model without its weights: features, scaling, labels, head and shape. */
export type ModelSpec = Omit<ExportedModelState, 'layers'>;

/**
 * How a model's outputs become predictions, from its algorithm, its `task` hyperparameter (MLP)
 * and its target column's type: an MLP on `auto` regresses a numeric target and classifies others.
 */
export function headFor(
  algorithm: Algorithm,
  hp: Pick<Hyperparameters, 'task'>,
  targetType: string,
): ModelHead {
  switch (algorithm) {
    case 'LINEAR_REGRESSION':
      return 'identity';
    case 'LOGISTIC_REGRESSION':
      return 'sigmoid';
    case 'SOFTMAX_REGRESSION':
      return 'softmax';
    case 'MLP': {
      const task = hp.task ?? 'auto';
      if (task === 'regression') return 'identity';
      if (task === 'classification') return 'softmax';
      return targetType === 'numeric' ? 'identity' : 'softmax';
    }
  }
}

/** Width of the first layer's input: one per numeric/boolean feature plus one per category. */
export function designWidth(spec: Pick<ModelSpec, 'features'>): number {
  let width = 0;
  for (const feature of spec.features)
    width += feature.type === 'categorical' ? (feature.categories?.length ?? 0) : 1;
  return width;
}

/** Layer sizes of a model: [design width, ...hidden layers, outputs]. */
export function layerSizes(spec: ModelSpec): number[] {
  const outputs = spec.head === 'softmax' ? (spec.labels?.length ?? 0) : 1;
  return [designWidth(spec), ...spec.hiddenLayers, outputs];
}

/**
 * The model's input tensor for rows of a dataset, as the exported ONNX model takes it: FP32
 * `[rows, features]` in feature order, a categorical value as its index in the feature's
 * categories (-1 when unknown), a missing value as NaN. `rowIndices` picks rows (default: all).
 */
export function modelInputFromDataset(
  spec: Pick<ModelSpec, 'features'>,
  dataset: ColumnarDataset,
  rowIndices?: ArrayLike<number>,
): Float32Array {
  const F = spec.features.length;
  const rows = rowIndices ? rowIndices.length : dataset.rowCount;
  const input = new Float32Array(rows * F);
  spec.features.forEach((feature, f) => {
    const column = dataset.columns.find((c) => c.name === feature.name);
    if (!column)
      throw new TrainingError(
        `the dataset has no column '${feature.name}', which the model uses as a feature`,
      );
    if ((column.type === 'categorical') !== (feature.type === 'categorical')) {
      throw new TrainingError(
        `column '${feature.name}' is ${column.type} in the dataset but ${feature.type} in the model`,
      );
    }
    let lookup: Int32Array | null = null;
    if (column.type === 'categorical') {
      const index = new Map((feature.categories ?? []).map((c, i) => [c, i]));
      lookup = Int32Array.from(column.categories, (c) => index.get(c) ?? -1);
    }
    for (let r = 0; r < rows; r++) {
      const row = rowIndices ? (rowIndices[r] as number) : r;
      let value: number;
      if (column.type === 'numeric') value = column.values[row] as number;
      else if (column.type === 'boolean') {
        const bit = column.values[row] as number;
        value = bit === BOOLEAN_NULL ? Number.NaN : bit;
      } else {
        const code = column.codes[row] as number;
        value = code < 0 ? Number.NaN : ((lookup as Int32Array)[code] as number);
      }
      input[r * F + f] = value;
    }
  });
  return input;
}

/**
 * Writes the first layer's input for `rows` model-input rows starting at `first`: standardised
 * numeric features, then one-hot blocks, exactly as the exported graph computes them.
 */
export function writeDesign(
  spec: Pick<ModelSpec, 'features'>,
  input: Float32Array,
  first: number,
  rows: number,
  out: Float64Array,
): void {
  const F = spec.features.length;
  const D = designWidth(spec);
  out.fill(0, 0, rows * D);
  let column = 0;
  spec.features.forEach((feature, f) => {
    if (feature.type === 'categorical') return;
    const { offset, scale } = feature;
    for (let r = 0; r < rows; r++)
      out[r * D + column] = ((input[(first + r) * F + f] as number) - offset) * scale;
    column++;
  });
  spec.features.forEach((feature, f) => {
    if (feature.type !== 'categorical') return;
    const C = feature.categories?.length ?? 0;
    for (let r = 0; r < rows; r++) {
      const index = input[(first + r) * F + f] as number;
      // Like the graph's Equal against 0..C-1: an unknown index (-1, NaN, 2.5) is all zeros.
      if (Number.isInteger(index) && index >= 0 && index < C) out[r * D + column + index] = 1;
    }
    column += C;
  });
}

/** The weights of a state as one flat vector laid out for {@link Network}. */
export function stateParams(layers: readonly DenseLayerState[]): Float64Array {
  const params = new Float64Array(layers.reduce((n, l) => n + l.weights.length + l.bias.length, 0));
  let offset = 0;
  for (const layer of layers) {
    params.set(layer.weights, offset);
    offset += layer.weights.length;
    params.set(layer.bias, offset);
    offset += layer.bias.length;
  }
  return params;
}

/** Splits a flat parameter vector back into layers. */
export function paramsToLayers(sizes: readonly number[], params: Float64Array): DenseLayerState[] {
  const layers: DenseLayerState[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l] as number;
    const outputs = sizes[l + 1] as number;
    const weights = Array.from(params.subarray(offset, offset + inputs * outputs));
    offset += inputs * outputs;
    const bias = Array.from(params.subarray(offset, offset + outputs));
    offset += outputs;
    layers.push({ inputs, outputs, weights, bias });
  }
  return layers;
}

/** Turns network outputs of `rows` rows into predictions (and probabilities) at `first`. */
export function applyHead(
  spec: ModelSpec,
  outputs: Float64Array,
  rows: number,
  first: number,
  result: ModelPredictions,
): void {
  const { prediction, probabilities } = result;
  if (spec.head === 'identity') {
    for (let r = 0; r < rows; r++)
      prediction[first + r] = (outputs[r] as number) * spec.targetScale + spec.targetOffset;
  } else if (spec.head === 'sigmoid') {
    for (let r = 0; r < rows; r++) {
      const p = 1 / (1 + Math.exp(-(outputs[r] as number)));
      prediction[first + r] = p > 0.5 ? 1 : 0;
      if (probabilities) {
        probabilities[(first + r) * 2] = 1 - p;
        probabilities[(first + r) * 2 + 1] = p;
      }
    }
  } else {
    const C = spec.labels?.length ?? 0;
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      let best = 0;
      let max = outputs[o] as number;
      for (let c = 1; c < C; c++) {
        if ((outputs[o + c] as number) > max) {
          max = outputs[o + c] as number;
          best = c;
        }
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp((outputs[o + c] as number) - max);
      prediction[first + r] = best;
      if (probabilities)
        for (let c = 0; c < C; c++)
          probabilities[(first + r) * C + c] = Math.exp((outputs[o + c] as number) - max) / sum;
    }
  }
}

/**
 * The model's predictions for model-input rows (see {@link modelInputFromDataset}), computed in
 * float64 the way the exported ONNX graph computes them in float32.
 */
export function predictWithState(
  state: ExportedModelState,
  input: Float32Array,
  rows = input.length / Math.max(1, state.features.length),
): ModelPredictions {
  const sizes = layerSizes(state);
  const network = new Network(sizes, stateParams(state.layers));
  const D = sizes[0] as number;
  const classes = state.head === 'identity' ? 0 : (state.labels?.length ?? 0);
  const result: ModelPredictions = {
    rows,
    prediction: new Float64Array(rows),
    probabilities: classes ? new Float64Array(rows * classes) : null,
  };
  const design = new Float64Array(CHUNK_ROWS * D);
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows - first);
    writeDesign(state, input, first, count, design);
    applyHead(state, network.forward(design, count), count, first, result);
  }
  return result;
}

/** Coefficients of a linear model in the features' raw units: `output = intercept + Σ coefficient · x`. */
export interface LinearCoefficients {
  /** Per output (one for regression and logistic regression, one per class for softmax). */
  intercept: number[];
  /** Feature name (or `feature=category` for one-hot inputs) → one coefficient per output. */
  coefficients: Record<string, number[]>;
}

/**
 * Undoes standardisation (and target scaling) of a linear model's single layer, e.g. to read
 * the seed example's weight ≈ 3 and bias ≈ 0.5. Throws for an MLP.
 */
export function linearCoefficients(state: ExportedModelState): LinearCoefficients {
  const layer = state.layers[0];
  if (state.layers.length !== 1 || !layer)
    throw new TrainingError(
      `${state.algorithm} is not a linear model: it has ${state.layers.length} layers`,
    );
  const K = layer.outputs;
  const ts = state.targetScale;
  const intercept = layer.bias.map((b) => b * ts + state.targetOffset);
  const coefficients: Record<string, number[]> = {};
  let row = 0;
  for (const feature of state.features) {
    if (feature.type === 'categorical') continue;
    const w = layer.weights.slice(row * K, row * K + K);
    coefficients[feature.name] = w.map((wk) => wk * feature.scale * ts);
    w.forEach(
      (wk, k) =>
        (intercept[k] = (intercept[k] as number) - wk * feature.scale * feature.offset * ts),
    );
    row++;
  }
  for (const feature of state.features) {
    if (feature.type !== 'categorical') continue;
    for (const category of feature.categories ?? []) {
      coefficients[`${feature.name}=${category}`] = layer.weights
        .slice(row * K, row * K + K)
        .map((wk) => wk * ts);
      row++;
    }
  }
  return { intercept, coefficients };
}
