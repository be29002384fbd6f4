import { GraphBuilder } from './graph-builder';
import { seededRandom } from './model-builders';

/** Options for {@link buildCnnModel}. */
export interface CnnModelOptions {
  /** `[channels, height, width]` of one sample; default `[1, 28, 28]`. */
  inputShape?: readonly [number, number, number];
  /** Channels of every convolution after the stem; default 32. */
  channels?: number;
  /** Residual blocks (two 3×3 convolutions and a skip connection each); default 2. */
  blocks?: number;
  /** Classes of the output; default 10. */
  classes?: number;
  /** Seed of the deterministic weights; default 1. */
  seed?: number;
  inputName?: string;
  outputName?: string;
}

/** A 3×3 convolution's weights `[out][in][3][3]` and bias `[out]`. */
interface ConvLayer {
  weights: Float32Array;
  bias: Float32Array;
  inChannels: number;
  outChannels: number;
}

/** A built CNN: the model, its multiply-accumulates per sample, and a plain-JS forward pass. */
export interface CnnModel {
  bytes: Uint8Array;
  /** Multiply-accumulates of one sample (convolutions and the classifier). */
  macsPerSample: number;
  /** The output rows for `samples` (each `channels × height × width` values, C-order). */
  forward(samples: readonly Float32Array[]): number[][];
}

function checkSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > 4096)
    throw new Error(`buildCnnModel: ${what} must be an integer from 1 to 4096, got ${value}`);
}

/** 3×3 convolution, stride 1, zero padding 1, on one `[in][h][w]` sample (the oracle). */
function conv3x3(x: Float32Array, layer: ConvLayer, h: number, w: number): Float32Array {
  const out = new Float32Array(layer.outChannels * h * w);
  for (let o = 0; o < layer.outChannels; o++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let sum = layer.bias[o] ?? 0;
        for (let i = 0; i < layer.inChannels; i++) {
          for (let ky = 0; ky < 3; ky++) {
            const sy = y + ky - 1;
            if (sy < 0 || sy >= h) continue;
            for (let kx = 0; kx < 3; kx++) {
              const sx = xx + kx - 1;
              if (sx < 0 || sx >= w) continue;
              sum +=
                (layer.weights[((o * layer.inChannels + i) * 3 + ky) * 3 + kx] ?? 0) *
                (x[(i * h + sy) * w + sx] ?? 0);
            }
          }
        }
        out[(o * h + y) * w + xx] = sum;
      }
    }
  }
  return out;
}

const relu = (x: Float32Array): Float32Array => x.map((v) => (v > 0 ? v : 0));

/**
 * A small ResNet-style image classifier with deterministic seeded weights, for compute-bound
 * serving benchmarks and tests: input FP32 `[-1, C, H, W]` → 3×3 Conv + Relu (the stem, to
 * `channels`) → `blocks` × (Conv + Relu + Conv + Add(skip) + Relu) → GlobalAveragePool → Flatten →
 * Gemm → output FP32 `[-1, classes]` (logits). Weights are uniform in ±1/√fan_in. The defaults
 * (1×28×28, 32 channels, 2 blocks) cost about 30 million multiply-accumulates per sample.
 */
export function buildCnnModel(options: CnnModelOptions = {}): CnnModel {
  const [c, h, w] = options.inputShape ?? [1, 28, 28];
  const channels = options.channels ?? 32;
  const blocks = options.blocks ?? 2;
  const classes = options.classes ?? 10;
  checkSize(c, 'inputShape[0]');
  checkSize(h, 'inputShape[1]');
  checkSize(w, 'inputShape[2]');
  checkSize(channels, 'channels');
  checkSize(classes, 'classes');
  if (!Number.isSafeInteger(blocks) || blocks < 0 || blocks > 64)
    throw new Error(`buildCnnModel: blocks must be an integer from 0 to 64, got ${blocks}`);
  const random = seededRandom(options.seed ?? 1);
  const uniform = (n: number, fanIn: number) => {
    const limit = 1 / Math.sqrt(fanIn);
    return Float32Array.from({ length: n }, () => (random() * 2 - 1) * limit);
  };
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const builder = new GraphBuilder().addInput(inputName, 'FP32', [-1, c, h, w]);

  const convs: ConvLayer[] = [];
  const addConv = (input: string, inChannels: number, name: string): string => {
    const fanIn = inChannels * 9;
    const layer: ConvLayer = {
      weights: uniform(channels * inChannels * 9, fanIn),
      bias: uniform(channels, fanIn),
      inChannels,
      outChannels: channels,
    };
    convs.push(layer);
    builder
      .addInitializer(`${name}_weights`, 'FP32', [channels, inChannels, 3, 3], layer.weights)
      .addInitializer(`${name}_bias`, 'FP32', [channels], layer.bias)
      .addNode(
        'Conv',
        [input, `${name}_weights`, `${name}_bias`],
        [`${name}_out`],
        { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
        { name },
      );
    return `${name}_out`;
  };
  const addRelu = (input: string, name: string): string => {
    builder.addNode('Relu', [input], [name], {}, { name: `${name}_op` });
    return name;
  };

  let current = addRelu(addConv(inputName, c, 'stem'), 'stem_relu');
  for (let b = 0; b < blocks; b++) {
    const skip = current;
    const first = addRelu(addConv(current, channels, `block${b}_conv1`), `block${b}_relu1`);
    const second = addConv(first, channels, `block${b}_conv2`);
    builder.addNode('Add', [second, skip], [`block${b}_sum`], {}, { name: `block${b}_add` });
    current = addRelu(`block${b}_sum`, `block${b}_relu2`);
  }
  builder
    .addNode('GlobalAveragePool', [current], ['pooled'], {}, { name: 'pool' })
    .addNode('Flatten', ['pooled'], ['features'], { axis: 1 }, { name: 'flatten' });
  const fcWeights = uniform(classes * channels, channels);
  const fcBias = uniform(classes, channels);
  builder
    .addInitializer('fc_weights', 'FP32', [classes, channels], fcWeights)
    .addInitializer('fc_bias', 'FP32', [classes], fcBias)
    .addNode(
      'Gemm',
      ['features', 'fc_weights', 'fc_bias'],
      [outputName],
      { transB: 1 },
      {
        name: 'fc',
      },
    )
    .addOutput(outputName, 'FP32', [-1, classes]);

  const forward = (samples: readonly Float32Array[]): number[][] =>
    samples.map((sample) => {
      if (sample.length !== c * h * w)
        throw new Error(`forward: each sample needs ${c * h * w} values`);
      let x = relu(conv3x3(sample, convs[0] as ConvLayer, h, w));
      for (let b = 0; b < blocks; b++) {
        const y = relu(conv3x3(x, convs[1 + 2 * b] as ConvLayer, h, w));
        const z = conv3x3(y, convs[2 + 2 * b] as ConvLayer, h, w);
        x = relu(z.map((v, i) => v + (x[i] ?? 0)));
      }
      const pooled = Array.from({ length: channels }, (_, ch) => {
        let sum = 0;
        for (let i = 0; i < h * w; i++) sum += x[ch * h * w + i] ?? 0;
        return sum / (h * w);
      });
      return Array.from({ length: classes }, (_, k) =>
        pooled.reduce(
          (sum, p, ch) => sum + (fcWeights[k * channels + ch] ?? 0) * p,
          fcBias[k] ?? 0,
        ),
      );
    });

  const macsPerSample =
    h * w * 9 * (c * channels + 2 * blocks * channels * channels) + channels * classes;
  return { bytes: builder.toBytes(), macsPerSample, forward };
}
