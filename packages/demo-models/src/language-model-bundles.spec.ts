// The tiny language-model bundles, checked with onnxruntime-node run directly: the KV cache gives
// the logits a full prefill gives, a left-padded batch gives each row its solo logits, and the
// bundle's files and tar are what the Optimum layout names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode } from 'gpt-3-encoder';
import * as ort from 'onnxruntime-node';
import { list } from 'tar';
import {
  buildGpt2Decoder,
  tarBundle,
  tinyBertBundle,
  tinyGpt2Bundle,
  writeTinyGpt2Bundle,
} from './index';

const gpt2 = tinyGpt2Bundle();
const bert = tinyBertBundle();
const PAD = 50256;

interface Step {
  logits: Float32Array;
  presents: Record<string, ort.Tensor>;
}

let decoder: ort.InferenceSession;
let encoder: ort.InferenceSession;

beforeAll(async () => {
  const opts = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const model = (files: Map<string, Uint8Array>) =>
    files.get('onnx/model.onnx') ?? new Uint8Array();
  decoder = await ort.InferenceSession.create(model(gpt2.files), opts);
  encoder = await ort.InferenceSession.create(model(bert.files), opts);
});

const int64 = (rows: number[][]) =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [
    rows.length,
    rows[0]?.length ?? 0,
  ]);

/** One decoder run; `past` is the previous run's presents (or none: an empty cache). */
async function run(
  ids: number[][],
  mask: number[][],
  positions: number[][],
  past?: Step,
): Promise<Step> {
  const batch = ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(ids),
    attention_mask: int64(mask),
    position_ids: int64(positions),
  };
  for (let i = 0; i < gpt2.layers; i++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kind}`] =
        past?.presents[`present.${i}.${kind}`] ??
        new ort.Tensor('float32', new Float32Array(0), [batch, gpt2.heads, 0, gpt2.headDim]);
    }
  }
  const out = await decoder.run(feeds);
  const { logits, ...presents } = out;
  if (!logits) throw new Error('no logits');
  expect(logits.dims).toEqual([batch, ids[0]?.length, gpt2.vocabSize]);
  return { logits: logits.data as Float32Array, presents };
}

/** Logits of row `b`, position `s` of a [batch, seq, vocab] result. */
function at(step: Step, seq: number, b: number, s: number): Float32Array {
  const v = gpt2.vocabSize;
  return step.logits.subarray((b * seq + s) * v, (b * seq + s + 1) * v);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

const argmax = (row: Float32Array) =>
  row.reduce((best, v, i) => (v > (row[best] ?? -Infinity) ? i : best), 0);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const ones = (n: number) => new Array<number>(n).fill(1);

/** GPT-2's forward pass in plain float64 JS from the returned weights: the graph's arithmetic, checked. */
function referenceLogits(ids: number[]): Float64Array {
  const { dims, weights } = gpt2.model;
  const h = dims.hidden;
  const d = h / dims.heads;
  const norm = (x: number[], w: { gamma: Float32Array; beta: Float32Array }) => {
    const mean = x.reduce((a, b) => a + b, 0) / h;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / h;
    return x.map(
      (v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * (w.gamma[i] ?? 0) + (w.beta[i] ?? 0),
    );
  };
  const dense = (x: number[], m: Float32Array, b: Float32Array) =>
    Array.from(b, (bias, o) => x.reduce((sum, v, i) => sum + v * (m[i * b.length + o] ?? 0), bias));
  const gelu = (x: number) =>
    0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  let xs = ids.map((id, p) =>
    Array.from(
      { length: h },
      (_, i) =>
        (weights.tokenEmbedding[id * h + i] ?? 0) + (weights.positionEmbedding[p * h + i] ?? 0),
    ),
  );
  for (const w of weights.blocks) {
    const ln = xs.map((x) => norm(x, w.attentionNorm));
    const q = ln.map((x) => dense(x, w.query, w.queryBias));
    const k = ln.map((x) => dense(x, w.key, w.keyBias));
    const v = ln.map((x) => dense(x, w.value, w.valueBias));
    xs = xs.map((x, t) => {
      const context = new Array<number>(h).fill(0);
      for (let head = 0; head < dims.heads; head++) {
        const scores = k.slice(0, t + 1).map((kj) => {
          let dot = 0;
          for (let i = head * d; i < (head + 1) * d; i++) dot += (q[t]?.[i] ?? 0) * (kj[i] ?? 0);
          return dot / Math.sqrt(d);
        });
        const top = Math.max(...scores);
        const e = scores.map((sc) => Math.exp(sc - top));
        const total = e.reduce((a, b) => a + b, 0);
        e.forEach((p, j) => {
          for (let i = head * d; i < (head + 1) * d; i++)
            context[i] = (context[i] ?? 0) + (p / total) * (v[j]?.[i] ?? 0);
        });
      }
      const attended = x.map((xi, i) => xi + (dense(context, w.output, w.outputBias)[i] ?? 0));
      const up = dense(norm(attended, w.mlpNorm), w.up, w.upBias).map(gelu);
      const down = dense(up, w.down, w.downBias);
      return attended.map((a, i) => a + (down[i] ?? 0));
    });
  }
  const finalNorm = weights.finalNorm;
  if (!finalNorm) throw new Error('no ln_f');
  const last = norm(xs[xs.length - 1] ?? [], finalNorm);
  return Float64Array.from({ length: dims.vocabSize }, (_, j) =>
    last.reduce((sum, v, i) => sum + v * (weights.tokenEmbedding[j * h + i] ?? 0), 0),
  );
}

async function solo(ids: number[]): Promise<Step> {
  return run([ids], [ones(ids.length)], [range(ids.length)]);
}

describe('tiny GPT-2 decoder', () => {
  const prompt = encode('The quick brown fox jumps over the lazy');

  it('has the Optimum signature, with the sizes config.json states', () => {
    expect(decoder.inputNames).toEqual([
      'input_ids',
      'attention_mask',
      'position_ids',
      ...range(gpt2.layers).flatMap((i) => [
        `past_key_values.${i}.key`,
        `past_key_values.${i}.value`,
      ]),
    ]);
    expect(decoder.outputNames).toEqual([
      'logits',
      ...range(gpt2.layers).flatMap((i) => [`present.${i}.key`, `present.${i}.value`]),
    ]);
    const config = JSON.parse(new TextDecoder().decode(gpt2.files.get('config.json'))) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      model_type: 'gpt2',
      vocab_size: 50259,
      n_positions: 128,
      n_layer: 2,
      n_head: 2,
      n_embd: 32,
      use_cache: true,
    });
  });

  it('computes what GPT-2 computes (a float64 reference of the same weights)', async () => {
    const ids = prompt.slice(0, 6);
    const out = await solo(ids);
    const expected = referenceLogits(ids);
    expect(
      maxDiff(at(out, ids.length, 0, ids.length - 1), Float32Array.from(expected)),
    ).toBeLessThan(1e-3);
  });

  it('gives the last logits of a full prefill from a prefill of N-1 and one cached step', async () => {
    const n = prompt.length;
    const full = await solo(prompt);
    const first = await solo(prompt.slice(0, -1));
    expect(first.presents['present.0.key']?.dims).toEqual([1, gpt2.heads, n - 1, gpt2.headDim]);
    const step = await run([[prompt[n - 1] ?? 0]], [ones(n)], [[n - 1]], first);
    expect(step.presents['present.1.value']?.dims).toEqual([1, gpt2.heads, n, gpt2.headDim]);
    expect(maxDiff(at(step, 1, 0, 0), at(full, n, 0, n - 1))).toBeLessThan(1e-4);
    // Every earlier position of the full prefill matches the shorter prefill too (causality).
    for (let s = 0; s < n - 1; s++)
      expect(maxDiff(at(first, n - 1, 0, s), at(full, n, 0, s))).toBeLessThan(1e-4);
  });

  it('gives each row of a left-padded batch its solo logits, at prefill and at the next step', async () => {
    const a = encode('Hello there');
    const b = encode('A much longer prompt than the first');
    const len = b.length;
    const pad = len - a.length;
    expect(pad).toBeGreaterThan(0);
    const ids = [[...new Array<number>(pad).fill(PAD), ...a], b];
    const mask = [[...new Array<number>(pad).fill(0), ...ones(a.length)], ones(len)];
    // As transformers do: cumsum(mask) - 1, padding at 1.
    const positions = [[...new Array<number>(pad).fill(1), ...range(a.length)], range(len)];
    const batch = await run(ids, mask, positions);
    const soloA = await solo(a);
    const soloB = await solo(b);
    for (let s = 0; s < a.length; s++)
      expect(maxDiff(at(batch, len, 0, pad + s), at(soloA, a.length, 0, s))).toBeLessThan(1e-4);
    for (let s = 0; s < len; s++)
      expect(maxDiff(at(batch, len, 1, s), at(soloB, len, 0, s))).toBeLessThan(1e-4);

    const nextA = argmax(at(soloA, a.length, 0, a.length - 1));
    const nextB = argmax(at(soloB, len, 0, len - 1));
    const step = await run(
      [[nextA], [nextB]],
      mask.map((m) => [...m, 1]),
      [[a.length], [len]],
      batch,
    );
    const stepA = await run([[nextA]], [ones(a.length + 1)], [[a.length]], soloA);
    const stepB = await run([[nextB]], [ones(len + 1)], [[len]], soloB);
    expect(maxDiff(at(step, 1, 0, 0), at(stepA, 1, 0, 0))).toBeLessThan(1e-4);
    expect(maxDiff(at(step, 1, 1, 0), at(stepB, 1, 0, 0))).toBeLessThan(1e-4);
  });

  it('depends on the context: greedy decoding wanders, and an earlier token changes later logits', async () => {
    const ids = [...prompt];
    let past: Step | undefined = await solo(ids);
    let last = at(past, ids.length, 0, ids.length - 1);
    for (let t = 0; t < 20; t++) {
      const next = argmax(last);
      ids.push(next);
      past = await run([[next]], [ones(ids.length)], [[ids.length - 1]], past);
      last = at(past, 1, 0, 0);
    }
    expect(new Set(ids.slice(prompt.length)).size).toBeGreaterThanOrEqual(3);
    const changed = [encode(' cat')[0] ?? 0, ...prompt.slice(1)];
    const n = prompt.length;
    expect(
      maxDiff(at(await solo(changed), n, 0, n - 1), at(await solo(prompt), n, 0, n - 1)),
    ).toBeGreaterThan(1e-2);
  });

  it('is the same bytes every time, and other bytes for another seed', () => {
    const dims = {
      vocabSize: 50259,
      contextLength: 128,
      hidden: 32,
      layers: 2,
      heads: 2,
      intermediate: 128,
    };
    const bytes = Buffer.from(gpt2.files.get('onnx/model.onnx') ?? []);
    expect(bytes.equals(buildGpt2Decoder(dims, { seed: 1 }).bytes)).toBe(true);
    expect(bytes.equals(buildGpt2Decoder(dims, { seed: 3 }).bytes)).toBe(false);
  });
});

describe('tiny BERT encoder', () => {
  it('gives a padded row the hidden states it has alone', async () => {
    const rows = [
      [bert.clsTokenId, ...encode('short'), bert.sepTokenId],
      [bert.clsTokenId, ...encode('a longer sentence here'), bert.sepTokenId],
    ];
    const len = rows[1]?.length ?? 0;
    const a = rows[0] ?? [];
    const padded = [
      [...a, ...new Array<number>(len - a.length).fill(bert.padTokenId)],
      rows[1] ?? [],
    ];
    const mask = [[...ones(a.length), ...new Array<number>(len - a.length).fill(0)], ones(len)];
    const zeros = padded.map((r) => r.map(() => 0));
    const h = bert.hidden;
    const batch = await encoder.run({
      input_ids: int64(padded),
      attention_mask: int64(mask),
      token_type_ids: int64(zeros),
    });
    const state = batch.last_hidden_state;
    expect(state?.dims).toEqual([2, len, h]);
    const alone = await encoder.run({
      input_ids: int64([a]),
      attention_mask: int64([ones(a.length)]),
      token_type_ids: int64([a.map(() => 0)]),
    });
    const data = state?.data as Float32Array;
    expect(
      maxDiff(data.subarray(0, a.length * h), alone.last_hidden_state?.data as Float32Array),
    ).toBeLessThan(1e-4);
    expect(encoder.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    const pooling = JSON.parse(
      new TextDecoder().decode(bert.files.get('1_Pooling/config.json')),
    ) as Record<string, unknown>;
    expect(pooling).toMatchObject({ word_embedding_dimension: h, pooling_mode_mean_tokens: true });
  });
});

describe('tarBundle', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'maas-gpt2-'));
    writeTinyGpt2Bundle(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function entries(archive: Buffer, gzip = false): Promise<string[]> {
    const names: string[] = [];
    const parser = list({ onReadEntry: (entry) => names.push(entry.path), gzip });
    await new Promise<void>((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
      parser.end(archive);
    });
    return names;
  }

  it('archives the Optimum layout, the same bytes every time, at the root or under a folder', async () => {
    const archive = await tarBundle(dir);
    expect(await entries(archive)).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect((await tarBundle(dir)).equals(archive)).toBe(true);
    const nested = await tarBundle(dir, { topFolder: 'tiny-gpt2', gzip: true });
    expect(nested[0]).toBe(0x1f);
    expect(await entries(nested, true)).toContain('tiny-gpt2/onnx/model.onnx');
  });
});
