import type { OipDatatype } from './datatypes';
import { type Dim, GraphBuilder } from './graph-builder';
import type { TabularMetadata } from './tabular-metadata';

/** Options for {@link buildLinearModel}. */
export interface LinearModelOptions {
  /** Weight matrix as `[outputs][inputs]`. */
  weights: readonly (readonly number[])[];
  bias: readonly number[];
  inputName?: string;
  outputName?: string;
  /** Extra `metadata_props` entries. */
  metadata?: Readonly<Record<string, string>>;
  /** `maas.features` / `maas.labels` / `maas.categories`. */
  tabular?: TabularMetadata;
}

function checkMatrix(
  weights: readonly (readonly number[])[],
  what: string,
): { rows: number; cols: number } {
  const rows = weights.length;
  const cols = weights[0]?.length ?? 0;
  if (rows === 0 || cols === 0)
    throw new Error(`${what}: weights must be a non-empty [outputs][inputs] matrix`);
  for (const row of weights) {
    if (row.length !== cols) throw new Error(`${what}: every weight row must have ${cols} entries`);
  }
  return { rows, cols };
}

/**
 * A linear model `output = input · Wᵀ + bias` as one Gemm: input FP32 `[-1, in]`, output FP32 `[-1, out]`.
 */
export function buildLinearModel(options: LinearModelOptions): Uint8Array {
  const { rows, cols } = checkMatrix(options.weights, 'buildLinearModel');
  if (options.bias.length !== rows)
    throw new Error(`buildLinearModel: bias needs ${rows} entries, got ${options.bias.length}`);
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const builder = new GraphBuilder()
    .addInput(inputName, 'FP32', [-1, cols])
    .addInitializer('weights', 'FP32', [rows, cols], options.weights.flat())
    .addInitializer('bias', 'FP32', [rows], options.bias)
    .addNode('Gemm', [inputName, 'weights', 'bias'], [outputName], { transB: 1 })
    .addOutput(outputName, 'FP32', [-1, rows]);
  for (const [key, value] of Object.entries(options.metadata ?? {}))
    builder.setMetadata(key, value);
  if (options.tabular) builder.setTabularMetadata(options.tabular);
  return builder.toBytes();
}

/** Hidden-layer activation for {@link buildMlpModel}. */
export type MlpActivation = 'relu' | 'sigmoid' | 'tanh';

/** Options for {@link buildMlpModel}. */
export interface MlpModelOptions {
  inputSize: number;
  hiddenLayers: readonly number[];
  outputSize: number;
  /** Seed for the deterministic weights; default 1. */
  seed?: number;
  activation?: MlpActivation;
  inputName?: string;
  outputName?: string;
  metadata?: Readonly<Record<string, string>>;
}

/** One dense layer: `weights` as `[outputs][inputs]` (float32-exact values), `bias` as `[outputs]`. */
export interface DenseLayer {
  weights: number[][];
  bias: number[];
}

/** What {@link buildMlpModel} returns: the model and its weights, with a JS reference forward pass. */
export interface MlpModel {
  bytes: Uint8Array;
  layers: DenseLayer[];
  /** Computes the model's output for `[batch][inputSize]` rows in JS (float64 arithmetic). */
  forward(rows: readonly (readonly number[])[]): number[][];
}

/**
 * mulberry32: a small seeded generator of uniform numbers in [0, 1), so generated weights (and
 * test and benchmark data, through `@maas/testing`) are the same on every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIVATIONS: Record<MlpActivation, { op: string; apply: (x: number) => number }> = {
  relu: { op: 'Relu', apply: (x) => Math.max(0, x) },
  sigmoid: { op: 'Sigmoid', apply: (x) => 1 / (1 + Math.exp(-x)) },
  tanh: { op: 'Tanh', apply: (x) => Math.tanh(x) },
};

function checkSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`buildMlpModel: ${what} must be a positive integer, got ${value}`);
}

/**
 * A multi-layer perceptron with deterministic seeded weights (uniform in ±1/√fan_in, rounded to
 * float32): input FP32 `[-1, inputSize]` → Gemm (+activation) per hidden layer → Gemm → output
 * FP32 `[-1, outputSize]`. The same options always give the same bytes.
 */
export function buildMlpModel(options: MlpModelOptions): MlpModel {
  checkSize(options.inputSize, 'inputSize');
  checkSize(options.outputSize, 'outputSize');
  options.hiddenLayers.forEach((size, i) => checkSize(size, `hiddenLayers[${i}]`));
  const activation = ACTIVATIONS[options.activation ?? 'relu'];
  const random = seededRandom(options.seed ?? 1);
  const sizes = [options.inputSize, ...options.hiddenLayers, options.outputSize];
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const builder = new GraphBuilder().addInput(inputName, 'FP32', [-1, options.inputSize]);

  const layers: DenseLayer[] = [];
  let current = inputName;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l] ?? 0;
    const fanOut = sizes[l + 1] ?? 0;
    const limit = 1 / Math.sqrt(fanIn);
    const weights = Array.from({ length: fanOut }, () =>
      Array.from({ length: fanIn }, () => Math.fround((random() * 2 - 1) * limit)),
    );
    const bias = Array.from({ length: fanOut }, () => Math.fround((random() * 2 - 1) * limit));
    layers.push({ weights, bias });
    const last = l + 2 === sizes.length;
    builder
      .addInitializer(`layer${l}_weights`, 'FP32', [fanOut, fanIn], weights.flat())
      .addInitializer(`layer${l}_bias`, 'FP32', [fanOut], bias);
    const linear = last ? outputName : `layer${l}_linear`;
    builder.addNode(
      'Gemm',
      [current, `layer${l}_weights`, `layer${l}_bias`],
      [linear],
      { transB: 1 },
      { name: `layer${l}_gemm` },
    );
    current = linear;
    if (!last) {
      const activated = `layer${l}_activation`;
      builder.addNode(
        activation.op,
        [current],
        [activated],
        {},
        { name: `layer${l}_${activation.op.toLowerCase()}` },
      );
      current = activated;
    }
  }
  builder.addOutput(outputName, 'FP32', [-1, options.outputSize]);
  for (const [key, value] of Object.entries(options.metadata ?? {}))
    builder.setMetadata(key, value);

  const forward = (rows: readonly (readonly number[])[]): number[][] =>
    rows.map((row) => {
      if (row.length !== options.inputSize)
        throw new Error(`forward: each row needs ${options.inputSize} values`);
      let values: number[] = [...row];
      layers.forEach((layer, l) => {
        const linear = layer.weights.map((w, o) =>
          w.reduce((sum, wi, i) => sum + wi * (values[i] ?? 0), layer.bias[o] ?? 0),
        );
        values = l + 1 < layers.length ? linear.map(activation.apply) : linear;
      });
      return values;
    });

  return { bytes: builder.toBytes(), layers, forward };
}

/** One tensor passed through by {@link buildIdentityModel}. */
export interface IdentitySpec {
  name: string;
  datatype: OipDatatype;
  shape: readonly Dim[];
}

/**
 * A model that returns each input unchanged: input `name` → Identity → output `<name>_out`,
 * same datatype and shape. For testing tensor codecs with any datatype.
 */
export function buildIdentityModel(
  specs: readonly IdentitySpec[],
  options: { opsetVersion?: number } = {},
): Uint8Array {
  if (specs.length === 0) throw new Error('buildIdentityModel: give at least one input');
  const builder = new GraphBuilder({ opsetVersion: options.opsetVersion });
  for (const spec of specs) {
    builder
      .addInput(spec.name, spec.datatype, spec.shape)
      .addNode('Identity', [spec.name], [`${spec.name}_out`])
      .addOutput(`${spec.name}_out`, spec.datatype, spec.shape);
  }
  return builder.toBytes();
}
