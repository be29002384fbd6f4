// Tiny transformers written with @maas/onnx's GraphBuilder, in the shape Optimum exports them:
// a GPT-2-style decoder with a KV cache (input_ids, attention_mask, position_ids,
// past_key_values.{i}.key/value → logits, present.{i}.key/value) and a BERT-style encoder
// (input_ids, attention_mask, token_type_ids → last_hidden_state). Opset 17 operators only
// (LayerNormalization is native there; GELU is decomposed), so onnxruntime-node 1.30 and every
// exporter-era runtime load them. The weights are seeded and returned, so a test can check the
// graph against its own arithmetic.
import { GraphBuilder, type OipDatatype, type TensorValues, attr, seededRandom } from '@maas/onnx';

/** The sizes of a tiny transformer. */
export interface TransformerDims {
  vocabSize: number;
  /** Positions the position embedding covers (GPT-2's n_positions, BERT's max_position_embeddings). */
  contextLength: number;
  /** Width of the residual stream (n_embd / hidden_size). */
  hidden: number;
  layers: number;
  heads: number;
  /** Width of the MLP (n_inner / intermediate_size); GPT-2 and BERT use 4 × hidden. */
  intermediate: number;
}

/** A LayerNormalization's scale and shift, `[hidden]` each. */
export interface LayerNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
}

/**
 * One transformer block. Matrices are row-major `[in][out]` (the MatMul layout, as GPT-2's
 * Conv1D stores them): `y = x · W + b`.
 */
export interface TransformerBlockWeights {
  attentionNorm: LayerNormWeights;
  query: Float32Array;
  queryBias: Float32Array;
  key: Float32Array;
  keyBias: Float32Array;
  value: Float32Array;
  valueBias: Float32Array;
  output: Float32Array;
  outputBias: Float32Array;
  mlpNorm: LayerNormWeights;
  up: Float32Array;
  upBias: Float32Array;
  down: Float32Array;
  downBias: Float32Array;
}

/** All weights of a tiny transformer. */
export interface TransformerWeights {
  /** `[vocabSize][hidden]`; the decoder's LM head is this matrix, tied (logits = h · Eᵀ). */
  tokenEmbedding: Float32Array;
  /** `[contextLength][hidden]`. */
  positionEmbedding: Float32Array;
  /** BERT only: `[2][hidden]`. */
  tokenTypeEmbedding?: Float32Array;
  /** BERT only: the norm after the embeddings. */
  embeddingNorm?: LayerNormWeights;
  blocks: TransformerBlockWeights[];
  /** GPT-2 only: ln_f. */
  finalNorm?: LayerNormWeights;
}

/** A built graph and the weights in it. */
export interface TransformerModel {
  bytes: Uint8Array;
  dims: TransformerDims;
  weights: TransformerWeights;
}

/** GPT-2's layer norm epsilon, and BERT's. */
export const GPT2_LAYER_NORM_EPSILON = 1e-5;
export const BERT_LAYER_NORM_EPSILON = 1e-12;
/** The additive attention bias of a masked (future or padding) position: exp() of it is 0. */
export const MASKED_ATTENTION_BIAS = -1e9;

function checkDims(dims: TransformerDims, what: string): void {
  for (const [key, value] of Object.entries(dims)) {
    if (!Number.isSafeInteger(value) || (value as number) < 1)
      throw new Error(`${what}: ${key} must be a positive integer, got ${String(value)}`);
  }
  if (dims.hidden % dims.heads !== 0)
    throw new Error(`${what}: hidden (${dims.hidden}) must be a multiple of heads (${dims.heads})`);
}

/** Seeded weights: uniform with standard deviation `std` (limit √3·std), rounded to float32. */
function drawer(seed: number) {
  const random = seededRandom(seed);
  return (count: number, std: number, mean = 0): Float32Array => {
    const limit = Math.sqrt(3) * std;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = mean + (random() * 2 - 1) * limit;
    return out;
  };
}

function drawWeights(dims: TransformerDims, seed: number, bert: boolean): TransformerWeights {
  const draw = drawer(seed);
  const { hidden: h, intermediate: m } = dims;
  const norm = (): LayerNormWeights => ({ gamma: draw(h, 0.05, 1), beta: draw(h, 0.05) });
  // Projections are scaled so each block writes about unit-sized values into a residual stream
  // whose embeddings are smaller: the next token depends on the context, not just the last token,
  // and the query/key gain (1.5) makes attention far from uniform.
  const blocks = Array.from(
    { length: dims.layers },
    (): TransformerBlockWeights => ({
      attentionNorm: norm(),
      query: draw(h * h, 1.5 / Math.sqrt(h)),
      queryBias: draw(h, 0.1),
      key: draw(h * h, 1.5 / Math.sqrt(h)),
      keyBias: draw(h, 0.1),
      value: draw(h * h, 1 / Math.sqrt(h)),
      valueBias: draw(h, 0.1),
      output: draw(h * h, 1 / Math.sqrt(h)),
      outputBias: draw(h, 0.1),
      mlpNorm: norm(),
      up: draw(h * m, 1 / Math.sqrt(h)),
      upBias: draw(m, 0.1),
      down: draw(m * h, 1 / Math.sqrt(m)),
      downBias: draw(h, 0.1),
    }),
  );
  const weights: TransformerWeights = {
    tokenEmbedding: draw(dims.vocabSize * h, 0.3),
    positionEmbedding: draw(dims.contextLength * h, 0.1),
    blocks,
  };
  if (bert) {
    weights.tokenTypeEmbedding = draw(2 * h, 0.1);
    weights.embeddingNorm = norm();
  } else {
    weights.finalNorm = norm();
  }
  return weights;
}

/** GraphBuilder with fresh value names: each call adds one node and returns its output. */
class Ops {
  constructor(readonly g: GraphBuilder) {}

  constant(prefix: string, datatype: OipDatatype, dims: readonly number[], values: TensorValues) {
    const name = this.g.freshName(prefix);
    this.g.addInitializer(name, datatype, dims, values);
    return name;
  }

  ints(prefix: string, values: readonly number[]): string {
    return this.constant(prefix, 'INT64', [values.length], values);
  }

  scalar(prefix: string, value: number, datatype: OipDatatype = 'FP32'): string {
    return this.constant(prefix, datatype, [], [value]);
  }

  node(
    op: string,
    inputs: readonly string[],
    attributes: Parameters<GraphBuilder['addNode']>[3] = {},
    output?: string,
  ): string {
    const name = output ?? this.g.freshName(op.toLowerCase());
    this.g.addNode(op, inputs, [name], attributes);
    return name;
  }
}

/** Adds the shared constants once. */
function commonConstants(ops: Ops, dims: TransformerDims) {
  const headDim = dims.hidden / dims.heads;
  return {
    splitHeads: ops.ints('split_heads_shape', [0, 0, dims.heads, headDim]),
    mergeHeads: ops.ints('merge_heads_shape', [0, 0, dims.hidden]),
    queryScale: ops.scalar('query_scale', 1 / Math.sqrt(headDim)),
    zero: ops.scalar('zero_f', 0),
    masked: ops.scalar('masked_bias', MASKED_ATTENTION_BIAS),
    zeroI: ops.scalar('zero_i', 0, 'INT64'),
    oneI: ops.scalar('one_i', 1, 'INT64'),
    half: ops.scalar('half', 0.5),
    one: ops.scalar('one_f', 1),
  };
}

type Common = ReturnType<typeof commonConstants>;

function layerNorm(ops: Ops, x: string, w: LayerNormWeights, prefix: string, epsilon: number) {
  const h = w.gamma.length;
  const gamma = ops.constant(`${prefix}_gamma`, 'FP32', [h], w.gamma);
  const beta = ops.constant(`${prefix}_beta`, 'FP32', [h], w.beta);
  return ops.node('LayerNormalization', [x, gamma, beta], {
    axis: -1,
    epsilon: attr.float(epsilon),
  });
}

function linear(
  ops: Ops,
  x: string,
  w: Float32Array,
  b: Float32Array,
  rows: number,
  prefix: string,
) {
  const weight = ops.constant(`${prefix}_weight`, 'FP32', [rows, b.length], w);
  const bias = ops.constant(`${prefix}_bias`, 'FP32', [b.length], b);
  return ops.node('Add', [ops.node('MatMul', [x, weight]), bias]);
}

/** GPT-2's gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(ops: Ops, x: string, c: Common): string {
  const cube = ops.node('Mul', [ops.node('Mul', [x, x]), x]);
  const inner = ops.node('Add', [x, ops.node('Mul', [cube, ops.scalar('gelu_k', 0.044715)])]);
  const t = ops.node('Tanh', [
    ops.node('Mul', [inner, ops.scalar('gelu_c', Math.sqrt(2 / Math.PI))]),
  ]);
  const half = ops.node('Mul', [x, c.half]);
  return ops.node('Mul', [half, ops.node('Add', [t, c.one])]);
}

/** BERT's gelu: 0.5·x·(1 + erf(x/√2)). */
function geluErf(ops: Ops, x: string, c: Common): string {
  const e = ops.node('Erf', [ops.node('Mul', [x, ops.scalar('inv_sqrt2', Math.SQRT1_2)])]);
  const half = ops.node('Mul', [x, c.half]);
  return ops.node('Mul', [half, ops.node('Add', [e, c.one])]);
}

/** [B, S, hidden] → [B, heads, S, headDim]. */
function splitHeads(ops: Ops, x: string, c: Common): string {
  return ops.node('Transpose', [ops.node('Reshape', [x, c.splitHeads])], { perm: [0, 2, 1, 3] });
}

/**
 * Scaled dot-product attention with an additive bias broadcast to [B, heads, S, T]; `keys` and
 * `values` are [B, heads, T, headDim]. Returns [B, S, hidden] before the output projection.
 */
function attend(ops: Ops, q: string, keys: string, values: string, bias: string, c: Common) {
  const scaled = ops.node('Mul', [q, c.queryScale]);
  const keysT = ops.node('Transpose', [keys], { perm: [0, 1, 3, 2] });
  const scores = ops.node('Add', [ops.node('MatMul', [scaled, keysT]), bias]);
  const probs = ops.node('Softmax', [scores], { axis: -1 });
  const context = ops.node('MatMul', [probs, values]);
  const merged = ops.node('Transpose', [context], { perm: [0, 2, 1, 3] });
  return ops.node('Reshape', [merged, c.mergeHeads]);
}

/** Options for the graph builders. */
export interface TransformerGraphOptions {
  /** Seed of the weights; default 1. */
  seed?: number;
}

/**
 * A GPT-2-style decoder (pre-norm blocks, tanh GELU, tied LM head) with Optimum's KV-cache
 * signature: `input_ids` [batch, seq], `attention_mask` [batch, past + seq], `position_ids`
 * [batch, seq] (INT64), `past_key_values.{i}.key|value` [batch, heads, past, headDim] (FP32) →
 * `logits` [batch, seq, vocab], `present.{i}.key|value` [batch, heads, past + seq, headDim].
 * Attention is causal and skips every position whose attention_mask is 0, so a left-padded
 * row gets the logits it would get alone.
 */
export function buildGpt2Decoder(
  dims: TransformerDims,
  options: TransformerGraphOptions = {},
): TransformerModel {
  checkDims(dims, 'buildGpt2Decoder');
  const weights = drawWeights(dims, options.seed ?? 1, false);
  const headDim = dims.hidden / dims.heads;
  const g = new GraphBuilder({ producerName: 'maas-demo-models', graphName: 'tiny_gpt2' });
  const batch = 'batch_size';
  const seq = 'sequence_length';
  const past = 'past_sequence_length';
  const total = 'past_sequence_length + sequence_length';
  g.addInput('input_ids', 'INT64', [batch, seq]);
  g.addInput('attention_mask', 'INT64', [batch, total]);
  g.addInput('position_ids', 'INT64', [batch, seq]);
  for (let i = 0; i < dims.layers; i++) {
    g.addInput(`past_key_values.${i}.key`, 'FP32', [batch, dims.heads, past, headDim]);
    g.addInput(`past_key_values.${i}.value`, 'FP32', [batch, dims.heads, past, headDim]);
  }
  const ops = new Ops(g);
  const c = commonConstants(ops, dims);
  const wte = ops.constant('wte', 'FP32', [dims.vocabSize, dims.hidden], weights.tokenEmbedding);
  const wpe = ops.constant(
    'wpe',
    'FP32',
    [dims.contextLength, dims.hidden],
    weights.positionEmbedding,
  );
  let x = ops.node('Add', [
    ops.node('Gather', [wte, 'input_ids'], { axis: 0 }),
    ops.node('Gather', [wpe, 'position_ids'], { axis: 0 }),
  ]);

  // bias[b, 0, i, j] = 0 where key j is at or before query i (at absolute position past + i)
  // and attention_mask[b, j] = 1, else MASKED_ATTENTION_BIAS.
  const seqLen = ops.node('Squeeze', [ops.node('Shape', ['input_ids'], { start: 1, end: 2 })]);
  const totalLen = ops.node('Squeeze', [
    ops.node('Shape', ['attention_mask'], { start: 1, end: 2 }),
  ]);
  const pastLen = ops.node('Sub', [totalLen, seqLen]);
  const queryPositions = ops.node('Range', [pastLen, totalLen, c.oneI]);
  const keyPositions = ops.node('Range', [c.zeroI, totalLen, c.oneI]);
  const causal = ops.node('LessOrEqual', [
    ops.node('Unsqueeze', [keyPositions, ops.ints('axes_0', [0])]),
    ops.node('Unsqueeze', [queryPositions, ops.ints('axes_1', [1])]),
  ]);
  const attended = ops.node('Unsqueeze', [
    ops.node('Cast', ['attention_mask'], { to: 9 }),
    ops.ints('axes_1_2', [1, 2]),
  ]);
  const allowed = ops.node('And', [causal, attended]);
  const bias = ops.node('Where', [allowed, c.zero, c.masked]);

  weights.blocks.forEach((w, i) => {
    const p = `h${i}`;
    const h = layerNorm(ops, x, w.attentionNorm, `${p}_ln_1`, GPT2_LAYER_NORM_EPSILON);
    const q = splitHeads(ops, linear(ops, h, w.query, w.queryBias, dims.hidden, `${p}_q`), c);
    const k = splitHeads(ops, linear(ops, h, w.key, w.keyBias, dims.hidden, `${p}_k`), c);
    const v = splitHeads(ops, linear(ops, h, w.value, w.valueBias, dims.hidden, `${p}_v`), c);
    const keys = ops.node(
      'Concat',
      [`past_key_values.${i}.key`, k],
      { axis: 2 },
      `present.${i}.key`,
    );
    const values = ops.node(
      'Concat',
      [`past_key_values.${i}.value`, v],
      { axis: 2 },
      `present.${i}.value`,
    );
    const context = attend(ops, q, keys, values, bias, c);
    x = ops.node('Add', [x, linear(ops, context, w.output, w.outputBias, dims.hidden, `${p}_o`)]);
    const h2 = layerNorm(ops, x, w.mlpNorm, `${p}_ln_2`, GPT2_LAYER_NORM_EPSILON);
    const up = geluTanh(ops, linear(ops, h2, w.up, w.upBias, dims.hidden, `${p}_fc`), c);
    x = ops.node('Add', [x, linear(ops, up, w.down, w.downBias, dims.intermediate, `${p}_proj`)]);
  });
  if (!weights.finalNorm) throw new Error('buildGpt2Decoder: no final norm');
  const final = layerNorm(ops, x, weights.finalNorm, 'ln_f', GPT2_LAYER_NORM_EPSILON);
  // The tied LM head: Gemm with transB against the embedding itself, so the file holds it once.
  const rows = ops.node('Reshape', [final, ops.ints('rows_shape', [-1, dims.hidden])]);
  const flatLogits = ops.node('Gemm', [rows, wte], { transB: 1 });
  const logitsShape = ops.node(
    'Concat',
    [ops.node('Shape', ['input_ids']), ops.ints('vocab', [dims.vocabSize])],
    {
      axis: 0,
    },
  );
  ops.node('Reshape', [flatLogits, logitsShape], {}, 'logits');

  g.addOutput('logits', 'FP32', [batch, seq, dims.vocabSize]);
  for (let i = 0; i < dims.layers; i++) {
    g.addOutput(`present.${i}.key`, 'FP32', [batch, dims.heads, total, headDim]);
    g.addOutput(`present.${i}.value`, 'FP32', [batch, dims.heads, total, headDim]);
  }
  return { bytes: g.toBytes(), dims, weights };
}

/**
 * A BERT-style encoder (embeddings + LayerNorm, post-norm blocks, erf GELU):
 * `input_ids`, `attention_mask`, `token_type_ids` [batch, seq] (INT64) →
 * `last_hidden_state` [batch, seq, hidden]. Keys whose attention_mask is 0 get no attention, so
 * a padded row's real positions equal the row alone.
 */
export function buildBertEncoder(
  dims: TransformerDims,
  options: TransformerGraphOptions = {},
): TransformerModel {
  checkDims(dims, 'buildBertEncoder');
  const weights = drawWeights(dims, options.seed ?? 2, true);
  const g = new GraphBuilder({ producerName: 'maas-demo-models', graphName: 'tiny_bert' });
  const shape = ['batch_size', 'sequence_length'];
  g.addInput('input_ids', 'INT64', shape);
  g.addInput('attention_mask', 'INT64', shape);
  g.addInput('token_type_ids', 'INT64', shape);
  const ops = new Ops(g);
  const c = commonConstants(ops, dims);
  if (!weights.tokenTypeEmbedding || !weights.embeddingNorm)
    throw new Error('buildBertEncoder: no token type embedding');
  const word = ops.constant(
    'word_embeddings',
    'FP32',
    [dims.vocabSize, dims.hidden],
    weights.tokenEmbedding,
  );
  const position = ops.constant(
    'position_embeddings',
    'FP32',
    [dims.contextLength, dims.hidden],
    weights.positionEmbedding,
  );
  const tokenType = ops.constant(
    'token_type_embeddings',
    'FP32',
    [2, dims.hidden],
    weights.tokenTypeEmbedding,
  );
  const seqLen = ops.node('Squeeze', [ops.node('Shape', ['input_ids'], { start: 1, end: 2 })]);
  const positions = ops.node('Range', [c.zeroI, seqLen, c.oneI]);
  const embedded = ops.node('Add', [
    ops.node('Add', [
      ops.node('Gather', [word, 'input_ids'], { axis: 0 }),
      ops.node('Gather', [position, positions], { axis: 0 }),
    ]),
    ops.node('Gather', [tokenType, 'token_type_ids'], { axis: 0 }),
  ]);
  let x = layerNorm(ops, embedded, weights.embeddingNorm, 'embeddings_ln', BERT_LAYER_NORM_EPSILON);
  const attended = ops.node('Unsqueeze', [
    ops.node('Cast', ['attention_mask'], { to: 9 }),
    ops.ints('axes_1_2', [1, 2]),
  ]);
  const bias = ops.node('Where', [attended, c.zero, c.masked]);
  weights.blocks.forEach((w, i) => {
    const p = `layer${i}`;
    const q = splitHeads(ops, linear(ops, x, w.query, w.queryBias, dims.hidden, `${p}_q`), c);
    const k = splitHeads(ops, linear(ops, x, w.key, w.keyBias, dims.hidden, `${p}_k`), c);
    const v = splitHeads(ops, linear(ops, x, w.value, w.valueBias, dims.hidden, `${p}_v`), c);
    const context = attend(ops, q, k, v, bias, c);
    const attention = linear(ops, context, w.output, w.outputBias, dims.hidden, `${p}_o`);
    x = layerNorm(
      ops,
      ops.node('Add', [x, attention]),
      w.attentionNorm,
      `${p}_ln_1`,
      BERT_LAYER_NORM_EPSILON,
    );
    const up = geluErf(ops, linear(ops, x, w.up, w.upBias, dims.hidden, `${p}_up`), c);
    const down = linear(ops, up, w.down, w.downBias, dims.intermediate, `${p}_down`);
    const out = i + 1 === dims.layers ? 'last_hidden_state' : undefined;
    x = ops.node(
      'LayerNormalization',
      [
        ops.node('Add', [x, down]),
        ops.constant(`${p}_ln_2_gamma`, 'FP32', [dims.hidden], w.mlpNorm.gamma),
        ops.constant(`${p}_ln_2_beta`, 'FP32', [dims.hidden], w.mlpNorm.beta),
      ],
      { axis: -1, epsilon: attr.float(BERT_LAYER_NORM_EPSILON) },
      out,
    );
  });
  g.addOutput('last_hidden_state', 'FP32', [...shape, dims.hidden]);
  return { bytes: g.toBytes(), dims, weights };
}
