// The decode loop's state inside a pool member: the running sequences of one language model and
// their key/value cache, kept as one left-padded batch per layer ([batch, kv_heads, past, head_dim],
// the Optimum layout). Each step feeds the last tokens of all running sequences in one run (the
// `present.*` outputs become the next step's `past_key_values.*` as they are, no copy), then
// prefills the sequences joining in one more run and merges their cache into the batch. A sequence
// leaving, or joining, costs one copy of the cache (trimmed to the longest sequence left): the
// simple, exact approach; a paged cache would avoid it. Padding is masked out by `attention_mask`
// and every sequence gets its own `position_ids`, so it computes what it would alone.
import { sampleToken } from './sampling';
import type { SamplingParams } from './sampling';

export type LmIntType = 'int64' | 'int32';
export type LmFloatType = 'float32' | 'float16';

/** A tensor as the member hands it to ONNX Runtime and gets it back. */
export interface LmTensor {
  type: LmIntType | LmFloatType | 'bool';
  data: BigInt64Array | Int32Array | Float32Array | Uint16Array | Uint8Array;
  dims: number[];
}

/** Runs the session: feeds in, the named outputs back. */
export type LmRun = (
  feeds: Record<string, LmTensor>,
  fetches: string[],
) => Promise<Record<string, LmTensor | undefined>>;

/** How to feed a decoder graph, worked out from its signature and config.json. */
export interface LmGraph {
  layers: number;
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  kvType: LmFloatType;
  inputIdsType: LmIntType;
  attentionMaskType?: LmIntType;
  positionIdsType?: LmIntType;
  /** `decoder_model_merged.onnx` graphs take a `use_cache_branch` flag. */
  useCacheBranch: boolean;
  /** The id fed at padded positions (masked out, any valid id does). */
  padId: number;
}

/** The random number a sequence's next token is drawn with, and how. */
export interface LmSampling extends SamplingParams {
  u: number;
}

export interface LmStepRequest {
  graph: LmGraph;
  /** Sequences that ended or were cancelled: dropped before this step. */
  leave: string[];
  /** Every running sequence (after `leave`) and how it picks its next token. */
  decode: Record<string, LmSampling>;
  /** New sequences: prefilled with their prompt tokens, they join the batch after this step. */
  join: { seq: string; tokens: number[]; sampling: LmSampling }[];
}

export interface LmStepResult {
  /** The token each sequence (running and joining) picked. */
  tokens: Record<string, number>;
  /** Sequences in the batch after the step. */
  rows: number;
  decodeMs: number;
  prefillMs: number;
}

interface Row {
  seq: string;
  /** Tokens in its cache. */
  len: number;
  /** The token it picked last, fed at the next step. */
  next: number;
}

type KvData = Float32Array | Uint16Array;

function intArray(type: LmIntType, values: ArrayLike<number>): BigInt64Array | Int32Array {
  if (type === 'int32') return Int32Array.from(values);
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number);
  return out;
}

function kvArray(type: LmFloatType, length: number): KvData {
  return type === 'float16' ? new Uint16Array(length) : new Float32Array(length);
}

/** IEEE half to float (fp16 logits are rare; sampling works on float32). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function floats(t: LmTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.type === 'float16' && t.data instanceof Uint16Array) {
    const out = new Float32Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(t.data[i] as number);
    return out;
  }
  throw new Error(`logits of type ${t.type} are not supported`);
}

export class LmBatch {
  private rows: Row[] = [];
  /** Padded cache length: the longest sequence's. */
  private past = 0;
  private cache: { key: KvData; value: KvData }[] = [];

  get size(): number {
    return this.rows.length;
  }

  private snapshot(): { rows: Row[]; past: number; cache: { key: KvData; value: KvData }[] } {
    return { rows: this.rows, past: this.past, cache: this.cache };
  }

  /** Drops every sequence (after a failed run the cache is not trusted). */
  reset(): void {
    this.rows = [];
    this.past = 0;
    this.cache = [];
  }

  async step(req: LmStepRequest, run: LmRun): Promise<LmStepResult> {
    const g = req.graph;
    const tokens: Record<string, number> = {};
    let decodeMs = 0;
    let prefillMs = 0;
    try {
      if (req.leave.length > 0) {
        const leaving = new Set(req.leave);
        const kept = this.rows.filter((r) => !leaving.has(r.seq));
        if (kept.length !== this.rows.length)
          this.rebuild(g, [{ rows: kept, batch: this.snapshot() }]);
      }
      const decoding = Object.keys(req.decode);
      if (decoding.length !== this.rows.length || this.rows.some((r) => !req.decode[r.seq]))
        throw new Error(
          `decode step names ${decoding.length} sequences, the batch runs ${this.rows.length}`,
        );
      if (this.rows.length > 0) {
        const started = performance.now();
        await this.decode(g, req.decode, tokens, run);
        decodeMs = performance.now() - started;
      }
      if (req.join.length > 0) {
        const started = performance.now();
        await this.prefill(g, req.join, tokens, run);
        prefillMs = performance.now() - started;
      }
    } catch (err) {
      this.reset();
      throw err;
    }
    return { tokens, rows: this.rows.length, decodeMs, prefillMs };
  }

  private pastFeeds(
    g: LmGraph,
    feeds: Record<string, LmTensor>,
    batch: number,
    past: number,
    cache: { key: KvData; value: KvData }[] | undefined,
  ): void {
    const dims = [batch, g.kvHeads, past, g.headDim];
    for (let i = 0; i < g.layers; i++) {
      const layer = cache?.[i];
      feeds[`past_key_values.${i}.key`] = {
        type: g.kvType,
        data: layer?.key ?? kvArray(g.kvType, 0),
        dims,
      };
      feeds[`past_key_values.${i}.value`] = {
        type: g.kvType,
        data: layer?.value ?? kvArray(g.kvType, 0),
        dims,
      };
    }
    if (g.useCacheBranch)
      feeds.use_cache_branch = { type: 'bool', data: Uint8Array.of(cache ? 1 : 0), dims: [1] };
  }

  private fetches(g: LmGraph): string[] {
    const out = ['logits'];
    for (let i = 0; i < g.layers; i++) out.push(`present.${i}.key`, `present.${i}.value`);
    return out;
  }

  private presentOf(
    g: LmGraph,
    out: Record<string, LmTensor | undefined>,
    batch: number,
    length: number,
  ): { key: KvData; value: KvData }[] {
    const want = batch * g.kvHeads * length * g.headDim;
    return Array.from({ length: g.layers }, (_, i) => {
      const key = out[`present.${i}.key`];
      const value = out[`present.${i}.value`];
      for (const t of [key, value])
        if (
          !t ||
          t.data.length !== want ||
          !(t.data instanceof Float32Array || t.data instanceof Uint16Array)
        )
          throw new Error(
            `present.${i}.* should be [${batch}, ${g.kvHeads}, ${length}, ${g.headDim}], got [${t?.dims.join(', ') ?? 'nothing'}]`,
          );
      return { key: (key as LmTensor).data as KvData, value: (value as LmTensor).data as KvData };
    });
  }

  /** Samples row `b`'s next token from the last position of its logits. */
  private pick(logits: LmTensor, b: number, g: LmGraph, sampling: LmSampling): number {
    const [batch = 0, seqLen = 0, vocab = 0] = logits.dims;
    if (logits.dims.length !== 3 || b >= batch || vocab <= 0)
      throw new Error(`logits should be [batch, sequence, vocab], got [${logits.dims.join(', ')}]`);
    const values = floats(logits);
    // Only the vocabulary's own ids (a padded embedding matrix may have more rows).
    const usable = Math.min(vocab, g.vocabSize);
    return sampleToken(values, (b * seqLen + seqLen - 1) * vocab, usable, sampling, sampling.u);
  }

  private async decode(
    g: LmGraph,
    sampling: Record<string, LmSampling>,
    tokens: Record<string, number>,
    run: LmRun,
  ): Promise<void> {
    const b = this.rows.length;
    const total = this.past + 1;
    const feeds: Record<string, LmTensor> = {
      input_ids: {
        type: g.inputIdsType,
        data: intArray(
          g.inputIdsType,
          this.rows.map((r) => r.next),
        ),
        dims: [b, 1],
      },
    };
    if (g.attentionMaskType) {
      const mask = new Array<number>(b * total).fill(0);
      this.rows.forEach((r, i) => mask.fill(1, i * total + total - (r.len + 1), (i + 1) * total));
      feeds.attention_mask = {
        type: g.attentionMaskType,
        data: intArray(g.attentionMaskType, mask),
        dims: [b, total],
      };
    }
    if (g.positionIdsType)
      feeds.position_ids = {
        type: g.positionIdsType,
        data: intArray(
          g.positionIdsType,
          this.rows.map((r) => r.len),
        ),
        dims: [b, 1],
      };
    this.pastFeeds(g, feeds, b, this.past, this.cache);
    const out = await run(feeds, this.fetches(g));
    const logits = out.logits;
    if (!logits) throw new Error('the model returned no logits');
    this.cache = this.presentOf(g, out, b, total);
    this.past = total;
    this.rows.forEach((r, i) => {
      const token = this.pick(logits, i, g, sampling[r.seq] as LmSampling);
      r.len++;
      r.next = token;
      tokens[r.seq] = token;
    });
  }

  private async prefill(
    g: LmGraph,
    join: LmStepRequest['join'],
    tokens: Record<string, number>,
    run: LmRun,
  ): Promise<void> {
    const j = join.length;
    const width = Math.max(...join.map((s) => s.tokens.length));
    if (!(width > 0)) throw new Error('a joining sequence has no prompt tokens');
    const ids = new Array<number>(j * width).fill(g.padId);
    const mask = new Array<number>(j * width).fill(0);
    // Padded positions get 1, as transformers' position_ids from the attention mask do.
    const positions = new Array<number>(j * width).fill(1);
    join.forEach((s, r) => {
      const pad = width - s.tokens.length;
      s.tokens.forEach((t, k) => {
        ids[r * width + pad + k] = t;
        mask[r * width + pad + k] = 1;
        positions[r * width + pad + k] = k;
      });
    });
    const feeds: Record<string, LmTensor> = {
      input_ids: { type: g.inputIdsType, data: intArray(g.inputIdsType, ids), dims: [j, width] },
    };
    if (g.attentionMaskType)
      feeds.attention_mask = {
        type: g.attentionMaskType,
        data: intArray(g.attentionMaskType, mask),
        dims: [j, width],
      };
    if (g.positionIdsType)
      feeds.position_ids = {
        type: g.positionIdsType,
        data: intArray(g.positionIdsType, positions),
        dims: [j, width],
      };
    this.pastFeeds(g, feeds, j, 0, undefined);
    const out = await run(feeds, this.fetches(g));
    const logits = out.logits;
    if (!logits) throw new Error('the model returned no logits');
    const joined: Row[] = join.map((s, r) => {
      const token = this.pick(logits, r, g, s.sampling);
      tokens[s.seq] = token;
      return { seq: s.seq, len: s.tokens.length, next: token };
    });
    const group = { rows: joined, past: width, cache: this.presentOf(g, out, j, width) };
    if (this.rows.length === 0) {
      this.rows = joined;
      this.past = width;
      this.cache = group.cache;
      return;
    }
    this.rebuild(g, [
      { rows: this.rows, batch: this.snapshot() },
      { rows: joined, batch: group },
    ]);
  }

  /**
   * Makes the batch `groups`' rows in order, each sequence's cache right-aligned in a cache as
   * long as the longest of them (the rest is padding, zeros, masked out).
   */
  private rebuild(
    g: LmGraph,
    groups: {
      rows: Row[];
      batch: { rows: Row[]; past: number; cache: { key: KvData; value: KvData }[] };
    }[],
  ): void {
    const rows = groups.flatMap((x) => x.rows);
    const past = Math.max(0, ...rows.map((r) => r.len));
    const d = g.headDim;
    const cache = Array.from({ length: g.layers }, () => ({
      key: kvArray(g.kvType, rows.length * g.kvHeads * past * d),
      value: kvArray(g.kvType, rows.length * g.kvHeads * past * d),
    }));
    let out = 0;
    for (const { rows: chosen, batch } of groups) {
      for (const row of chosen) {
        const b = batch.rows.indexOf(row);
        for (let i = 0; i < g.layers; i++) {
          const src = batch.cache[i] as { key: KvData; value: KvData };
          const dst = cache[i] as { key: KvData; value: KvData };
          for (let h = 0; h < g.kvHeads; h++) {
            const from = ((b * g.kvHeads + h) * batch.past + batch.past - row.len) * d;
            const to = ((out * g.kvHeads + h) * past + past - row.len) * d;
            const n = row.len * d;
            (dst.key as Float32Array).set((src.key as Float32Array).subarray(from, from + n), to);
            (dst.value as Float32Array).set(
              (src.value as Float32Array).subarray(from, from + n),
              to,
            );
          }
        }
        out++;
      }
    }
    this.rows = rows;
    this.past = past;
    this.cache = cache;
  }
}
