// The decode loop's state inside a pool member: the running sequences of one language model and
// their key/value cache, kept as one left-padded batch per layer ([batch, kv_heads, past, head_dim],
// the Optimum layout). Each step feeds the last tokens of all running sequences in one run, then
// prefills the sequences joining in one more run and adds their cache to the batch. Padding is
// masked out by `attention_mask` and every sequence gets its own `position_ids`, so it computes
// what it would alone.
//
// The cache lives in two sets of buffers this class owns, grown by doubling and reused: a step
// reads its past from one set and ONNX Runtime writes `present.*` into the other (preallocated
// outputs), so a steady-state step copies nothing here and allocates nothing (onnxruntime-node
// 1.30 still hands back a copy of every output besides, which is dropped). A batch row is one
// contiguous block per layer, so a sequence leaving costs one row copied (the last row moves into
// its place) and a sequence joining costs its own rows copied in (after the others, in place),
// unless its prompt is longer than the batch's past (then every row is re-padded once). The past
// keeps growing by one position a step while the batch runs; when the longest sequence has left
// and the padding at the left is large, the rows are re-padded (trimmed) once.
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

/**
 * Runs the session: feeds in, the named outputs back. An output given in `into` is written there
 * (ONNX Runtime's preallocated outputs): the tensor returned for it views the same memory, or, if
 * the binding copied it elsewhere, holds the values to copy back.
 */
export type LmRun = (
  feeds: Record<string, LmTensor>,
  fetches: string[],
  into?: Record<string, LmTensor>,
) => Promise<Record<string, LmTensor | undefined>>;

/**
 * Greedy picks on ONNX Runtime: the index of the largest value of each row of `[rows, width]`
 * float32 logits, the first one on a tie (as `argmax`), several times faster than a loop in JS
 * over a vocabulary. Resolves undefined when it is not available (the picks are then made in JS).
 */
export type LmArgmax = (
  logits: Float32Array,
  rows: number,
  width: number,
) => Promise<BigInt64Array | Int32Array | undefined>;

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

type IntData = BigInt64Array | Int32Array;

function intArray(type: LmIntType, values: ArrayLike<number>): IntData {
  if (type === 'int32') return Int32Array.from(values);
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number);
  return out;
}

function intZeros(type: LmIntType, length: number): IntData {
  return type === 'int32' ? new Int32Array(length) : new BigInt64Array(length);
}

/** Sets `data[from, to)` to `value`. */
function intFill(data: IntData, value: number, from: number, to: number): void {
  if (data instanceof Int32Array) data.fill(value, from, to);
  else data.fill(BigInt(value), from, to);
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

/** Re-pad the rows (drop left padding) once it is at least this many positions and a quarter of the past. */
const TRIM_MIN = 16;

/** One set of cache buffers: a key and a value buffer per layer, `capacity` elements each. */
class KvSet {
  layers: { key: KvData; value: KvData }[] = [];
  capacity = 0;

  /** Makes room for `need` elements per buffer, keeping the first `keep` of each. */
  reserve(g: LmGraph, need: number, keep: number): void {
    if (this.capacity >= need && this.layers.length === g.layers) return;
    const capacity = Math.max(need, this.capacity * 2);
    this.layers = Array.from({ length: g.layers }, (_, i) => {
      const old = this.layers[i];
      const key = kvArray(g.kvType, capacity);
      const value = kvArray(g.kvType, capacity);
      if (old && keep > 0) {
        (key as Float32Array).set((old.key as Float32Array).subarray(0, keep));
        (value as Float32Array).set((old.value as Float32Array).subarray(0, keep));
      }
      return { key, value };
    });
    this.capacity = capacity;
  }
}

/**
 * Copies the last `len` positions of row `srcRow` of `src` (a cache `srcPast` long) into row
 * `dstRow` of `dst` (`dstPast` long), right-aligned, with zeros in the padding before them.
 */
function copyRow(
  g: LmGraph,
  src: KvData,
  srcRow: number,
  srcPast: number,
  dst: KvData,
  dstRow: number,
  dstPast: number,
  len: number,
): void {
  const d = g.headDim;
  for (let h = 0; h < g.kvHeads; h++) {
    const from = ((srcRow * g.kvHeads + h) * srcPast + srcPast - len) * d;
    const to = (dstRow * g.kvHeads + h) * dstPast * d;
    const pad = (dstPast - len) * d;
    dst.fill(0, to, to + pad);
    (dst as Float32Array).set((src as Float32Array).subarray(from, from + len * d), to + pad);
  }
}

/** A value no healthy output holds (NaN, as float32 or as IEEE half bits). */
function isSentinel(data: LmTensor['data'], i: number): boolean {
  const v = data[i];
  return data instanceof Uint16Array ? v === 0x7e00 : Number.isNaN(v);
}

/** Marks the ends of each preallocated output, to see after the run whether it was written. */
function mark(into: Record<string, LmTensor>): void {
  for (const t of Object.values(into)) {
    const data = t.data as Float32Array | Uint16Array;
    if (data.length === 0) continue;
    const nan = data instanceof Uint16Array ? 0x7e00 : NaN;
    data[0] = nan;
    data[data.length - 1] = nan;
  }
}

/**
 * Checks a preallocated output came back. ONNX Runtime writes it into the buffer given; a binding
 * may still hand back a copy (onnxruntime-node 1.30 does): the buffer is kept, and only if it was
 * not written (its marks are still there) is the copy copied in.
 */
function settle(name: string, given: LmTensor, got: LmTensor | undefined): void {
  if (!got || got.data.length !== given.data.length)
    throw new Error(
      `${name} should be [${given.dims.join(', ')}], got [${got?.dims.join(', ') ?? 'nothing'}]`,
    );
  const n = given.data.length;
  if (n === 0 || got.data === given.data) return;
  if (isSentinel(given.data, 0) || isSentinel(given.data, n - 1))
    (given.data as Float32Array).set(got.data as Float32Array);
}

export class LmBatch {
  private rows: Row[] = [];
  /** Padded cache length: at least the longest sequence's. */
  private past = 0;
  /** The width of the logits' last axis, from the last prefill (the graph's greedy ArgMax is used
   * only when it is the vocabulary's: a padded embedding matrix has more rows). */
  private logitsWidth = 0;
  /** The cache is in `sets[cur]`; the other set takes the next step's `present.*`. */
  private readonly sets = [new KvSet(), new KvSet()];
  private cur = 0;

  get size(): number {
    return this.rows.length;
  }

  /** Drops every sequence (after a failed run the cache is not trusted). */
  reset(): void {
    this.rows = [];
    this.past = 0;
  }

  /**
   * One step. `greedyOutput`: the graph has that output, each row's argmax of the logits as INT64
   * [batch, sequence] (probe-model.ts `greedyGraphExtension`): a decode step whose rows are all
   * greedy fetches it instead of the logits.
   */
  async step(
    req: LmStepRequest,
    run: LmRun,
    argmax?: LmArgmax,
    greedyOutput?: string,
  ): Promise<LmStepResult> {
    const g = req.graph;
    const tokens: Record<string, number> = {};
    let decodeMs = 0;
    let prefillMs = 0;
    try {
      if (req.leave.length > 0) this.leave(g, new Set(req.leave));
      const decoding = Object.keys(req.decode);
      if (decoding.length !== this.rows.length || this.rows.some((r) => !req.decode[r.seq]))
        throw new Error(
          `decode step names ${decoding.length} sequences, the batch runs ${this.rows.length}`,
        );
      if (this.rows.length > 0) {
        const started = performance.now();
        await this.decode(g, req.decode, tokens, run, argmax, greedyOutput);
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

  /** Elements of one batch row's cache in one layer's key (or value), `past` positions long. */
  private block(g: LmGraph, past: number): number {
    return g.kvHeads * past * g.headDim;
  }

  /** Removes `leaving`: the last row moves into each freed place. Trims the padding when it is large. */
  private leave(g: LmGraph, leaving: ReadonlySet<string>): void {
    const size = this.block(g, this.past);
    const set = this.sets[this.cur] as KvSet;
    for (let r = this.rows.length - 1; r >= 0; r--) {
      if (!leaving.has((this.rows[r] as Row).seq)) continue;
      const last = this.rows.length - 1;
      if (r !== last) {
        for (const layer of set.layers) {
          layer.key.copyWithin(r * size, last * size, (last + 1) * size);
          layer.value.copyWithin(r * size, last * size, (last + 1) * size);
        }
        this.rows[r] = this.rows[last] as Row;
      }
      this.rows.pop();
    }
    if (this.rows.length === 0) {
      this.past = 0;
      return;
    }
    const longest = Math.max(...this.rows.map((r) => r.len));
    const padding = this.past - longest;
    if (padding >= TRIM_MIN && padding * 4 >= this.past) this.relayout(g, longest);
  }

  /**
   * Moves the batch into the other set of buffers with a cache `past` long (each row
   * right-aligned), followed by `extra` rows from a prefill's `present.*`.
   */
  private relayout(
    g: LmGraph,
    past: number,
    extra?: { rows: Row[]; cache: { key: KvData; value: KvData }[]; past: number },
  ): void {
    const from = this.sets[this.cur] as KvSet;
    const to = this.sets[1 - this.cur] as KvSet;
    const rows = extra ? [...this.rows, ...extra.rows] : this.rows;
    to.reserve(g, rows.length * this.block(g, past), 0);
    for (let i = 0; i < g.layers; i++) {
      const src = from.layers[i];
      const dst = to.layers[i] as { key: KvData; value: KvData };
      this.rows.forEach((r, b) => {
        if (!src) return;
        copyRow(g, src.key, b, this.past, dst.key, b, past, r.len);
        copyRow(g, src.value, b, this.past, dst.value, b, past, r.len);
      });
      const add = extra?.cache[i];
      if (extra && add)
        extra.rows.forEach((r, k) => {
          const b = this.rows.length + k;
          copyRow(g, add.key, k, extra.past, dst.key, b, past, r.len);
          copyRow(g, add.value, k, extra.past, dst.value, b, past, r.len);
        });
    }
    this.rows = rows;
    this.past = past;
    this.cur = 1 - this.cur;
  }

  /** Adds prefilled rows after the batch's, in place, when their cache fits its past. */
  private admit(
    g: LmGraph,
    joined: Row[],
    cache: { key: KvData; value: KvData }[],
    width: number,
  ): void {
    if (this.rows.length === 0 || width > this.past) {
      this.relayout(g, Math.max(width, this.past), { rows: joined, cache, past: width });
      return;
    }
    const set = this.sets[this.cur] as KvSet;
    const size = this.block(g, this.past);
    set.reserve(g, (this.rows.length + joined.length) * size, this.rows.length * size);
    for (let i = 0; i < g.layers; i++) {
      const src = cache[i] as { key: KvData; value: KvData };
      const dst = set.layers[i] as { key: KvData; value: KvData };
      joined.forEach((r, k) => {
        const b = this.rows.length + k;
        copyRow(g, src.key, k, width, dst.key, b, this.past, r.len);
        copyRow(g, src.value, k, width, dst.value, b, this.past, r.len);
      });
    }
    this.rows = [...this.rows, ...joined];
  }

  private pastFeeds(
    g: LmGraph,
    feeds: Record<string, LmTensor>,
    batch: number,
    past: number,
    set: KvSet | undefined,
  ): void {
    const dims = [batch, g.kvHeads, past, g.headDim];
    const n = batch * this.block(g, past);
    for (let i = 0; i < g.layers; i++) {
      const layer = set?.layers[i];
      feeds[`past_key_values.${i}.key`] = {
        type: g.kvType,
        data: layer ? layer.key.subarray(0, n) : kvArray(g.kvType, 0),
        dims,
      };
      feeds[`past_key_values.${i}.value`] = {
        type: g.kvType,
        data: layer ? layer.value.subarray(0, n) : kvArray(g.kvType, 0),
        dims,
      };
    }
    if (g.useCacheBranch)
      feeds.use_cache_branch = { type: 'bool', data: Uint8Array.of(set ? 1 : 0), dims: [1] };
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
    const want = batch * this.block(g, length);
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

  /** Each row's argmax on ONNX Runtime when some row is greedy and the logits are float32 [b, 1, vocab]. */
  private async greedyPicks(
    g: LmGraph,
    logits: LmTensor,
    b: number,
    argmax: LmArgmax | undefined,
    isGreedy: (row: number) => boolean,
  ): Promise<BigInt64Array | Int32Array | undefined> {
    const [batch, seqLen, vocab] = logits.dims;
    if (
      !argmax ||
      !(logits.data instanceof Float32Array) ||
      batch !== b ||
      seqLen !== 1 ||
      vocab !== g.vocabSize ||
      !Array.from({ length: b }, (_, i) => isGreedy(i)).some(Boolean)
    )
      return undefined;
    const ids = await argmax(logits.data, b, vocab);
    if (ids === undefined) return undefined;
    return this.checkedIds({ type: 'int64', data: ids, dims: [b] }, b, vocab);
  }

  /** Greedy picks from ONNX Runtime's ArgMax, one a row, each checked to be in the vocabulary. */
  private checkedIds(
    picks: LmTensor | undefined,
    b: number,
    vocab: number,
  ): BigInt64Array | Int32Array {
    const ids = picks?.data;
    if (!(ids instanceof BigInt64Array || ids instanceof Int32Array))
      throw new Error('the greedy ArgMax returned no ids');
    if (ids.length !== b) throw new Error(`argmax gave ${ids.length} ids for ${b} rows`);
    for (const id of ids)
      if (!(Number(id) >= 0 && Number(id) < vocab))
        throw new Error(`argmax gave id ${id} outside the vocabulary`);
    return ids;
  }

  private logitsOf(out: Record<string, LmTensor | undefined>): LmTensor {
    const logits = out.logits;
    if (!logits) throw new Error('the model returned no logits');
    return logits;
  }

  private async decode(
    g: LmGraph,
    sampling: Record<string, LmSampling>,
    tokens: Record<string, number>,
    run: LmRun,
    argmax: LmArgmax | undefined,
    greedyOutput: string | undefined,
  ): Promise<void> {
    const b = this.rows.length;
    const isGreedy = (i: number) => {
      const s = sampling[(this.rows[i] as Row).seq];
      return s !== undefined && s.temperature <= 0;
    };
    const greedyRows = this.rows.filter((_, i) => isGreedy(i)).length;
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
      const mask = intZeros(g.attentionMaskType, b * total);
      this.rows.forEach((r, i) =>
        intFill(mask, 1, i * total + total - (r.len + 1), (i + 1) * total),
      );
      feeds.attention_mask = { type: g.attentionMaskType, data: mask, dims: [b, total] };
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
    this.pastFeeds(g, feeds, b, this.past, this.sets[this.cur]);
    // present.* go into the other set: a view as long as this step's cache.
    const next = this.sets[1 - this.cur] as KvSet;
    const n = b * this.block(g, total);
    next.reserve(g, n, 0);
    const into: Record<string, LmTensor> = {};
    const dims = [b, g.kvHeads, total, g.headDim];
    next.layers.forEach((layer, i) => {
      into[`present.${i}.key`] = { type: g.kvType, data: layer.key.subarray(0, n), dims };
      into[`present.${i}.value`] = { type: g.kvType, data: layer.value.subarray(0, n), dims };
    });
    mark(into);
    // With the graph's own ArgMax, greedy rows need no logits: when every row is greedy they are
    // not fetched at all (they stay inside ONNX Runtime).
    const fused = greedyOutput !== undefined && greedyRows > 0 && this.logitsWidth === g.vocabSize;
    const fetches = this.fetches(g).filter(
      (name) => !(fused && greedyRows === b && name === 'logits'),
    );
    if (fused) fetches.push(greedyOutput);
    const out = await run(feeds, fetches, into);
    for (const [name, given] of Object.entries(into)) settle(name, given, out[name]);
    const greedy = fused
      ? this.checkedIds(out[greedyOutput], b, g.vocabSize)
      : await this.greedyPicks(g, this.logitsOf(out), b, argmax, isGreedy);
    const logits = greedyRows < b ? this.logitsOf(out) : undefined;
    this.cur = 1 - this.cur;
    this.past = total;
    this.rows.forEach((r, i) => {
      const s = sampling[r.seq] as LmSampling;
      const token =
        greedy && s.temperature <= 0
          ? Number(greedy[i])
          : this.pick(logits ?? this.logitsOf(out), i, g, s);
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
    const logits = this.logitsOf(out);
    this.logitsWidth = logits.dims[2] ?? 0;
    const joined: Row[] = join.map((s, r) => {
      const token = this.pick(logits, r, g, s.sampling);
      tokens[s.seq] = token;
      return { seq: s.seq, len: s.tokens.length, next: token };
    });
    this.admit(g, joined, this.presentOf(g, out, j, width), width);
  }
}
