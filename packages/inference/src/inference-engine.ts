import { availableParallelism } from 'node:os';
import { planExecutionProviders } from './execution-provider';
import type { ExecutionProviderName } from './execution-provider';
import { describeLanguageModel, readBundleDir } from './generation/bundle';
import type { BundleFiles, LanguageModelInfo } from './generation/bundle';
import { encoderFeeds, poolEmbeddings } from './generation/embedding';
import { prepareGeneration } from './generation/generation-request';
import { GenerationScheduler } from './generation/generation-scheduler';
import { DEFAULT_GENERATION_LIMITS } from './generation/generation.types';
import type {
  BundleLoader,
  EmbeddingResult,
  GenerateOptions,
  GenerateRequest,
  GenerationLimits,
  GenerationResult,
  GenerationStepEvent,
  GenerationStream,
} from './generation/generation.types';
import type { LmGraph, LmIntType, LmStepResult } from './generation/lm-batch';
import { TextTokenizer } from './generation/text-tokenizer';
import {
  EngineClosedError,
  GenerationInputError,
  InferenceRunError,
  InferenceTimeoutError,
  ModelLoadError,
  ModelUnavailableError,
  VersionNotFoundError,
} from './inference.errors';
import { silentLogger } from './logger';
import type { InferenceLogger } from './logger';
import { batchingOptions, defaultThreads, isBatchable, threadIndex } from './engine-config';
import { Deadline, MicroBatcher, batchRows } from './micro-batcher';
import type { BatchEvent, BatchingOptions, Cancellable } from './micro-batcher';
import { DEFAULT_QUARANTINE, VersionQuarantine } from './quarantine';
import type { QuarantineOptions, ServingStatus } from './quarantine';
import { SessionLru } from './session-cache';
import { resolveFetches, validateFeeds } from './tensor-codec';
import type { DecodedTensor, ModelSignature, TensorSpec, VersionKey } from './tensor.types';
import { WorkerCallError, WorkerPool } from './worker-pool';
import type { PoolIsolation, ThreadRestart } from './worker-pool';
import type {
  ArtifactPayload,
  LoadResult,
  ProbeResult,
  RunResult,
  ValidateResult,
} from './worker.protocol';

/** Where the engine gets a version's ONNX bytes: the bytes, or a local file path. */
export type ArtifactLoader = (key: VersionKey) => Promise<Uint8Array | { path: string }>;

export interface InferenceEngineOptions {
  /**
   * Where ONNX Runtime runs: `thread` (default here): worker threads of this process; `process`:
   * supervised child processes (the API's default, `INFERENCE_ISOLATION=child`), so a native
   * crash, a runaway allocation or a run that never ends costs that child only. See `PoolIsolation`.
   */
  isolation?: PoolIsolation;
  /** `process` isolation: a pool process whose resident memory exceeds this is killed and replaced. */
  maxProcessRssBytes?: number;
  /** Pool threads (or processes). Default: 1 on ≤ 2 cores, else about half the cores. */
  threads?: number;
  /** ONNX Runtime intra-op threads in total, divided among the pool threads. Default: 1 on ≤ 2 cores, else the core count. */
  intraOpThreads?: number;
  /** `auto` (default), `cpu` or `cuda,cpu`: the `ORT_EXECUTION_PROVIDERS` setting. */
  executionProviders?: string;
  /** Budget for loaded sessions, counted as the bytes of their ONNX files. Default 1 GiB. */
  cacheBytes?: number;
  /** Needed by `infer`: fetches a version's artifact (the engine verifies its sha256). */
  loadArtifact?: ArtifactLoader;
  /** Dynamic batching settings, or `false` to run every request alone. */
  batching?: Partial<BatchingOptions> | false;
  /**
   * Default per-request timeout for `infer` (`PREDICT_TIMEOUT_MS`). Default 30000. An ONNX Runtime
   * run longer than this gets its thread replaced, and counts towards the version's quarantine.
   */
  timeoutMs?: number;
  /** How long creating a session (a load, or validating an upload) may take. Default 60000. */
  loadTimeoutMs?: number;
  /** When a version that keeps timing out or crashing is quarantined (`DEFAULT_QUARANTINE`). */
  quarantine?: Partial<QuarantineOptions>;
  logger?: InferenceLogger;
  /** Called once per ONNX Runtime call made by a batcher (for metrics). */
  onBatch?: (versionId: string, event: BatchEvent) => void;
  /**
   * Needed by `generate`, `complete`, `embed` and `languageModel`: the directory holding a bundle
   * version's files, extracted in the Hugging Face layout (`materializeBundle` writes one from
   * stored artifacts). The engine reads it when it loads the version; the pool member opens the
   * graph in place (so its external data is found next to it).
   */
  loadBundle?: BundleLoader;
  /** Caps and bounds of the generation engine (`DEFAULT_GENERATION_LIMITS`). */
  generation?: Partial<GenerationLimits>;
  /** Called once per decode step of a language model's batch (for metrics). */
  onGenerationStep?: (versionId: string, event: GenerationStepEvent) => void;
}

export interface InferOptions {
  /** Output names to return; default all tensor outputs. */
  outputs?: readonly string[];
  /** Overrides the engine's timeout for this request. */
  timeoutMs?: number;
}

export interface InferenceStatus {
  executionProvider: ExecutionProviderName;
  workers: number;
  loadedVersions: number;
  loadedBytes: number;
}

/** One decoder version's continuous batch now (`InferenceEngine.generationOccupancy`). */
export interface GenerationOccupancy {
  versionId: string;
  /** Sequences in the decode batch. */
  running: number;
  /** Requests waiting for a place in it. */
  queued: number;
}

export type ValidateModelResult =
  | { ok: true; inputs: TensorSpec[]; outputs: TensorSpec[]; nonTensorOutputs: string[] }
  | { ok: false; reason: string };

/** A bundle version once loaded: what it is, its tokenizer, and its decode loop's batcher. */
interface LoadedLanguageModel {
  info: LanguageModelInfo;
  tokenizer: TextTokenizer;
  generationConfig?: Record<string, unknown>;
  /** Decoders: how to feed the graph, and the continuous batcher. */
  graph?: LmGraph;
  scheduler?: GenerationScheduler;
}

interface VersionState {
  key: VersionKey;
  /** `file`: a single ONNX artifact (`loadArtifact`); `bundle`: a bundle directory (`loadBundle`). */
  kind: 'file' | 'bundle';
  thread: number;
  ready: boolean;
  loading: Promise<void>;
  signature?: ModelSignature;
  batcher?: MicroBatcher;
  lm?: LoadedLanguageModel;
  /** The artifact file or bundle folder the session was loaded from, when it came from disk. */
  files?: string;
}

const EMBED_BATCH = 32;

function intType(datatype: string | undefined): LmIntType | undefined {
  if (datatype === undefined) return undefined;
  return datatype === 'INT32' ? 'int32' : 'int64';
}

/** How the decode loop feeds a decoder graph (types from its signature, shapes from config.json). */
function lmGraphOf(info: LanguageModelInfo, signature: ModelSignature): LmGraph {
  const type = (name: string) => signature.inputs.find((i) => i.name === name)?.datatype;
  return {
    layers: info.layers,
    kvHeads: info.kvHeads,
    headDim: info.headDim,
    vocabSize: info.vocabSize,
    kvType: type('past_key_values.0.key') === 'FP16' ? 'float16' : 'float32',
    inputIdsType: intType(type('input_ids')) ?? 'int64',
    attentionMaskType: intType(type('attention_mask')),
    positionIdsType: intType(type('position_ids')),
    useCacheBranch: type('use_cache_branch') !== undefined,
    padId: info.padTokenId ?? info.eosTokenIds[0] ?? 0,
  };
}

/**
 * Runs ONNX models in a pool of worker threads: a byte-bounded LRU of sessions, each version
 * pinned to one thread, dynamic batching per version. Create it with `createInferenceEngine`.
 */
export class InferenceEngine {
  private readonly versions = new Map<string, VersionState>();
  private readonly lru: SessionLru;
  private readonly batching: BatchingOptions | false;
  private readonly quarantine: VersionQuarantine;
  private readonly limits: GenerationLimits;
  private closed = false;

  private constructor(
    private readonly pool: WorkerPool,
    readonly executionProvider: ExecutionProviderName,
    private readonly options: InferenceEngineOptions,
    private readonly logger: InferenceLogger,
  ) {
    this.lru = new SessionLru(options.cacheBytes ?? 1024 ** 3);
    this.batching = options.batching === false ? false : batchingOptions(options.batching ?? {});
    this.quarantine = new VersionQuarantine({ ...DEFAULT_QUARANTINE, ...options.quarantine });
    this.limits = { ...DEFAULT_GENERATION_LIMITS };
    for (const [name, value] of Object.entries(options.generation ?? {}) as [
      keyof GenerationLimits,
      number | undefined,
    ][]) {
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < 1)
        throw new Error(`generation.${name} must be a whole number ≥ 1, got ${value}`);
      this.limits[name] = value;
    }
  }

  /** @internal use createInferenceEngine */
  static async start(options: InferenceEngineOptions): Promise<InferenceEngine> {
    const logger = options.logger ?? silentLogger;
    const cores = availableParallelism();
    const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads(cores)));
    const intraTotal = Math.max(1, Math.floor(options.intraOpThreads ?? (cores <= 2 ? 1 : cores)));
    const plan = planExecutionProviders(options.executionProviders);
    const ref: { engine?: InferenceEngine } = {};
    const pool = new WorkerPool(
      threads,
      {
        providers: plan.providers,
        fallbackToCpu: plan.fallbackToCpu,
        intraOpNumThreads: Math.max(1, Math.floor(intraTotal / threads)),
      },
      logger,
      (restart) => ref.engine?.threadRestarted(restart),
      {
        isolation: options.isolation ?? 'thread',
        maxRssBytes: options.isolation === 'process' ? options.maxProcessRssBytes : undefined,
        // Often enough to hold the shortest deadline to about a quarter of itself.
        watchdogMs: Math.min(
          200,
          Math.max(
            10,
            Math.floor(Math.min(options.timeoutMs ?? 30_000, options.loadTimeoutMs ?? 60_000) / 4),
          ),
        ),
      },
    );
    let probes: ProbeResult[];
    try {
      probes = await Promise.all(
        Array.from({ length: threads }, (_, i) => pool.call<ProbeResult>(i, { op: 'probe' })),
      );
    } catch (err) {
      await pool.close();
      throw new Error(`inference engine: ONNX Runtime did not start: ${(err as Error).message}`);
    }
    const executionProvider: ExecutionProviderName = probes.every(
      (p) => p.executionProvider === 'cuda',
    )
      ? 'cuda'
      : 'cpu';
    const engine = new InferenceEngine(pool, executionProvider, options, logger);
    ref.engine = engine;
    logger.info(
      {
        executionProvider,
        requested: options.executionProviders ?? 'auto',
        reason: probes.find((p) => p.note)?.note ?? plan.reason,
        isolation: pool.isolation,
        threads,
        intraOpThreadsPerThread: Math.max(1, Math.floor(intraTotal / threads)),
      },
      `inference engine started on ${executionProvider}`,
    );
    return engine;
  }

  /** False once `close()` was called. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Provider, pool size and what the session cache holds now. */
  status(): InferenceStatus {
    return {
      executionProvider: this.executionProvider,
      workers: this.pool.size,
      loadedVersions: this.lru.size,
      loadedBytes: this.lru.bytes,
    };
  }

  /**
   * The batches of the decoder versions that are generating or have requests waiting: what a
   * cancellation test watches (a cancelled sequence leaves `running` at the next decode step) and
   * the batch occupancy gauges show.
   */
  generationOccupancy(): GenerationOccupancy[] {
    const out: GenerationOccupancy[] = [];
    for (const v of this.versions.values()) {
      const scheduler = v.lm?.scheduler;
      if (scheduler && (scheduler.active > 0 || scheduler.queued > 0))
        out.push({ versionId: v.key.id, running: scheduler.active, queued: scheduler.queued });
    }
    return out;
  }

  /**
   * Loads an ONNX file once in a pool thread to see whether ONNX Runtime accepts it, then releases
   * the session. `reason` is ONNX Runtime's own message.
   */
  async validateModel(filePath: string): Promise<ValidateModelResult> {
    this.assertOpen();
    let result: ValidateResult;
    try {
      result = await this.pool.call<ValidateResult>(
        this.pool.leastBusy(),
        { op: 'validate', path: filePath },
        [],
        this.loadTimeoutMs,
      );
    } catch (err) {
      // The model itself hung or crashed ONNX Runtime: refuse it (its thread was replaced).
      if (err instanceof WorkerCallError && err.code === 'TIMEOUT')
        return {
          ok: false,
          reason: `ONNX Runtime did not finish loading the model within ${this.loadTimeoutMs} ms`,
        };
      if (err instanceof WorkerCallError && err.code === 'THREAD_EXITED')
        return { ok: false, reason: 'ONNX Runtime crashed while loading the model' };
      throw this.unavailable(err);
    }
    if (!result.ok) return result;
    return { ok: true, ...result.signature };
  }

  /** Whether this engine serves a version now, or has quarantined it (timeouts, crashes). */
  servingStatus(versionId: string): ServingStatus {
    return this.quarantine.status(versionId);
  }

  private get loadTimeoutMs(): number {
    return this.options.loadTimeoutMs ?? 60_000;
  }

  private get runTimeoutMs(): number {
    const t = this.options.timeoutMs ?? 30_000;
    return t > 0 && Number.isFinite(t) ? t : 30_000;
  }

  /** Thread-replacement errors as what the caller sees: retryable `ModelUnavailableError`s. */
  private unavailable(err: unknown): unknown {
    if (!(err instanceof WorkerCallError)) return err;
    if (err.code === 'THREAD_RESTARTED')
      return new ModelUnavailableError(err.message, 'THREAD_RESTARTED', 1000);
    if (err.code === 'THREAD_EXITED')
      return new ModelUnavailableError(err.message, 'CRASHED', 1000);
    return err;
  }

  private assertServed(id: string): void {
    const remaining = this.quarantine.remainingMs(id);
    if (remaining <= 0) return;
    const status = this.quarantine.status(id);
    throw new ModelUnavailableError(
      `version ${id} is quarantined until ${status.until?.toISOString()}: ${status.reason}`,
      'QUARANTINED',
      remaining,
    );
  }

  /** The tensor signature ONNX Runtime reports for a version (loading it if needed). */
  async signature(key: VersionKey): Promise<ModelSignature> {
    const v = await this.acquire(key);
    this.releasePin(v);
    return v.signature as ModelSignature;
  }

  /**
   * Runs a version on decoded inputs and resolves with its tensor outputs. Inputs are checked
   * against the loaded model first (`InferenceInputError`); the request is batched with others
   * for the same version when the model's first dimension is dynamic.
   */
  async infer(
    key: VersionKey,
    inputs: Record<string, DecodedTensor>,
    opts: InferOptions = {},
  ): Promise<Record<string, DecodedTensor>> {
    this.assertOpen();
    this.assertServed(key.id);
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const abort = new Deadline();
    const work = this.inferPinned(key, inputs, opts, abort);
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new InferenceTimeoutError(
          `prediction for version ${key.id} took longer than ${timeoutMs} ms`,
        );
        abort.abort(err);
        // This version wedging its thread: replace the thread before answering, so the caller's
        // next request (or anyone's) does not queue behind the run that never ends.
        // (Only at the engine's own deadline: a caller's shorter timeout does not cost a thread.)
        const v = this.versions.get(key.id);
        if (v?.ready && timeoutMs >= this.runTimeoutMs)
          this.pool.replaceIfRunning(v.thread, key.id);
        reject(err);
      }, timeoutMs);
    });
    work.catch(() => undefined); // settles after a timeout too; nobody listens then
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async inferPinned(
    key: VersionKey,
    inputs: Record<string, DecodedTensor>,
    opts: InferOptions,
    signal: Cancellable,
  ): Promise<Record<string, DecodedTensor>> {
    const v = await this.acquire(key);
    try {
      if (signal.aborted) throw signal.reason;
      const signature = v.signature as ModelSignature;
      validateFeeds(signature, inputs);
      const fetches = resolveFetches(signature, opts.outputs);
      if (v.batcher && batchRows(inputs) !== undefined)
        return await v.batcher.submit(inputs, fetches, signal);
      return await this.runOnThread(v, inputs, fetches);
    } finally {
      this.releasePin(v);
    }
  }

  private async runOnThread(
    v: VersionState,
    feeds: Record<string, DecodedTensor>,
    fetches: readonly string[],
  ): Promise<Record<string, DecodedTensor>> {
    try {
      const result = await this.pool.call<RunResult>(
        v.thread,
        { op: 'run', versionId: v.key.id, feeds, fetches: [...fetches] },
        [],
        this.runTimeoutMs,
      );
      return result.outputs;
    } catch (err) {
      throw this.runError(v, err);
    }
  }

  /** A failed `run` or `lmStep` call as the caller sees it. */
  private runError(v: VersionState, err: unknown): unknown {
    if (err instanceof WorkerCallError && err.code === 'TIMEOUT')
      return new InferenceTimeoutError(
        `a run of version ${v.key.id} took longer than ${this.runTimeoutMs} ms`,
      );
    if (err instanceof WorkerCallError) {
      const mapped = this.unavailable(err);
      if (mapped !== err) return mapped;
    }
    if (
      err instanceof WorkerCallError &&
      (err.code === 'RUN_FAILED' || err.code === 'BAD_REQUEST')
    ) {
      // ORT's message for a run failure caused by input values (e.g. an index out of range).
      return new InferenceRunError(
        `ONNX Runtime failed to run version ${v.key.id}: ${err.message}`,
      );
    }
    return err;
  }

  private bundleState(v: VersionState): LoadedLanguageModel {
    if (!v.lm) throw new ModelLoadError(`version ${v.key.id} is not a model bundle`);
    return v.lm;
  }

  /** What a bundle version's language model is (loading it if needed). */
  async languageModel(key: VersionKey): Promise<LanguageModelInfo> {
    this.assertOpen();
    const v = await this.acquire(key, 'bundle');
    try {
      return { ...this.bundleState(v).info };
    } finally {
      this.releasePin(v);
    }
  }

  /**
   * Starts generating text with a bundle version's decoder. Resolves once the request is checked,
   * tokenized and queued (so a refusal, `GenerationInputError` or `GenerationOverloadedError`,
   * comes before any event); then iterate the stream. Requests for one version share each decode
   * step (continuous batching); `signal` cancels (the sequence leaves the batch at the next step).
   */
  async generate(
    key: VersionKey,
    request: GenerateRequest,
    opts: GenerateOptions = {},
  ): Promise<GenerationStream> {
    this.assertOpen();
    this.assertServed(key.id);
    opts.signal?.throwIfAborted();
    const v = await this.acquire(key, 'bundle');
    try {
      const lm = this.bundleState(v);
      if (!lm.scheduler)
        throw new GenerationInputError(
          `version ${key.id} is an embedding model; it does not generate text`,
          'wrong_task',
          'model',
        );
      const prepared = prepareGeneration(
        request,
        lm.info,
        lm.tokenizer,
        lm.generationConfig,
        this.limits,
      );
      return lm.scheduler.submit(prepared, opts.signal, () => this.releasePin(v));
    } catch (err) {
      this.releasePin(v);
      throw err;
    }
  }

  /** `generate`, collected: the whole text, its tokens, finish reason and usage. */
  async complete(
    key: VersionKey,
    request: GenerateRequest,
    opts: GenerateOptions = {},
  ): Promise<GenerationResult> {
    const stream = await this.generate(key, request, opts);
    for await (const event of stream) {
      if (event.type !== 'finish') continue;
      const { type: _type, ...result } = event;
      return result;
    }
    // Only a cancel without a reason ends a stream without a finish.
    throw opts.signal?.reason ?? new Error('the generation was cancelled');
  }

  /**
   * Embeds texts with a bundle version's encoder: last_hidden_state pooled as its
   * 1_Pooling/config.json says (mean by default, or CLS), L2-normalised, in input order.
   */
  async embed(key: VersionKey, texts: readonly string[]): Promise<EmbeddingResult> {
    this.assertOpen();
    this.assertServed(key.id);
    if (!Array.isArray(texts as unknown) || texts.length === 0)
      throw new GenerationInputError('give at least one text to embed', 'invalid_request', 'input');
    if (texts.length > this.limits.maxEmbedInputs)
      throw new GenerationInputError(
        `${texts.length} texts, more than the ${this.limits.maxEmbedInputs} this server embeds at once`,
        'too_many_inputs',
        'input',
      );
    texts.forEach((t, i) => {
      if (typeof t !== 'string')
        throw new GenerationInputError(`input[${i}] must be a string`, 'invalid_request', 'input');
      if (t.length > this.limits.maxPromptChars)
        throw new GenerationInputError(
          `input[${i}] has ${t.length} characters, more than the ${this.limits.maxPromptChars} this server takes`,
          'prompt_too_long',
          'input',
        );
    });
    const v = await this.acquire(key, 'bundle');
    try {
      const lm = this.bundleState(v);
      const info = lm.info;
      if (info.task !== 'embedding')
        throw new GenerationInputError(
          `version ${key.id} is a text generation model; it does not embed`,
          'wrong_task',
          'model',
        );
      const ids = texts.map((t, i) => {
        const tokens = lm.tokenizer.encode(t, true);
        if (tokens.length > info.contextLength)
          throw new GenerationInputError(
            `input[${i}] has ${tokens.length} tokens; this model takes at most ${info.contextLength}`,
            'context_length_exceeded',
            'input',
          );
        return tokens;
      });
      const signature = v.signature as ModelSignature;
      const embeddings: Float32Array[] = [];
      for (let start = 0; start < ids.length; start += EMBED_BATCH) {
        const batch = ids.slice(start, start + EMBED_BATCH);
        const { feeds, mask } = encoderFeeds(batch, info.padTokenId ?? 0, signature);
        const out = await this.runOnThread(v, feeds, ['last_hidden_state']);
        const hidden = out.last_hidden_state;
        if (!hidden || !(hidden.data instanceof Float32Array) || hidden.shape.length !== 3)
          throw new InferenceRunError(
            `version ${key.id}: last_hidden_state should be FP32 [batch, tokens, hidden]`,
          );
        embeddings.push(...poolEmbeddings(hidden.data, hidden.shape, mask, info.pooling ?? 'mean'));
      }
      return {
        embeddings,
        dimensions: embeddings[0]?.length ?? 0,
        promptTokens: ids.reduce((n, t) => n + t.length, 0),
      };
    } finally {
      this.releasePin(v);
    }
  }

  /** The scheduler of a decoder version, created when it loaded. */
  private startScheduler(v: VersionState, lm: LoadedLanguageModel, graph: LmGraph): void {
    // Without position_ids or an attention mask, sequences of different lengths cannot share a
    // padded batch exactly: such a model decodes one sequence at a time.
    const batchable = graph.positionIdsType !== undefined && graph.attentionMaskType !== undefined;
    const id = v.key.id;
    lm.scheduler = new GenerationScheduler(
      {
        versionId: id,
        maxRunning: batchable ? this.limits.maxRunning : 1,
        maxQueued: this.limits.maxQueued,
        prefillTokenBudget: this.limits.prefillTokenBudget,
      },
      async (step) => {
        try {
          return await this.pool.call<LmStepResult>(
            v.thread,
            { op: 'lmStep', versionId: id, step: { ...step, graph } },
            [],
            this.runTimeoutMs,
          );
        } catch (err) {
          throw this.runError(v, err);
        }
      },
      (tokens) => lm.tokenizer.decode(tokens),
      (event) => this.options.onGenerationStep?.(id, event),
    );
  }

  /**
   * Resolves with the version loaded and pinned (not evictable until releasePin). A bundle
   * version serves `infer` too (its graph); a single-file version asked for as a bundle is reloaded.
   */
  private async acquire(key: VersionKey, kind: 'file' | 'bundle' = 'file'): Promise<VersionState> {
    for (;;) {
      this.assertOpen();
      const v = this.versions.get(key.id);
      if (
        v &&
        (v.key.sha256.toLowerCase() !== key.sha256.toLowerCase() ||
          (kind === 'bundle' && v.kind !== 'bundle'))
      ) {
        // Same id, different artifact: the caller knows better than our cache.
        await v.loading.catch(() => undefined);
        if (this.versions.get(key.id) === v) this.evict(key.id);
        continue;
      }
      if (v?.ready) {
        this.lru.pin(key.id);
        this.lru.touch(key.id);
        return v;
      }
      await (v ?? this.startLoad(key, kind)).loading;
    }
  }

  private releasePin(v: VersionState): void {
    this.lru.unpin(v.key.id);
    for (const id of this.lru.trim()) this.evict(id);
  }

  /** Reads a bundle version's directory (its loader, then its JSON files and tokenizer). */
  private async openBundle(key: VersionKey): Promise<BundleFiles> {
    const loader = this.options.loadBundle;
    if (!loader)
      throw new ModelLoadError('inference engine: no loadBundle was given, cannot load bundles');
    let dir: string;
    try {
      ({ dir } = await loader(key));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof VersionNotFoundError)
        throw new VersionNotFoundError(`version ${key.id}: ${message}`);
      throw new ModelLoadError(`could not fetch the bundle of version ${key.id}: ${message}`);
    }
    return readBundleDir(dir);
  }

  private startLoad(key: VersionKey, kind: 'file' | 'bundle'): VersionState {
    const loader = this.options.loadArtifact;
    const v: VersionState = {
      key: { id: key.id, sha256: key.sha256.toLowerCase() },
      kind,
      thread: threadIndex(key.id, this.pool.size),
      ready: false,
      loading: Promise.resolve(),
    };
    v.loading = (async () => {
      try {
        let source: ArtifactPayload;
        let bundle: BundleFiles | undefined;
        if (kind === 'bundle') {
          bundle = await this.openBundle(v.key);
          source = { file: bundle.graphPath };
          v.files = bundle.dir;
        } else {
          if (!loader)
            throw new ModelLoadError(
              'inference engine: no loadArtifact was given, cannot load models',
            );
          let artifact: Uint8Array | { path: string };
          try {
            artifact = await loader(v.key);
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            if (err instanceof VersionNotFoundError)
              throw new VersionNotFoundError(`version ${key.id}: ${message}`);
            throw new ModelLoadError(
              `could not fetch the artifact of version ${key.id}: ${message}`,
            );
          }
          source = artifact instanceof Uint8Array ? { bytes: artifact } : { path: artifact.path };
          if (!(artifact instanceof Uint8Array)) v.files = artifact.path;
        }
        const started = performance.now();
        const loaded = await this.pool.call<LoadResult>(
          v.thread,
          { op: 'load', versionId: key.id, sha256: v.key.sha256, source },
          [],
          this.loadTimeoutMs,
        );
        if (this.versions.get(key.id) !== v || this.closed) {
          // Superseded while loading (thread restart, close): do not keep a session nobody tracks.
          this.pool.call(v.thread, { op: 'release', versionId: key.id }).catch(() => undefined);
          return;
        }
        v.signature = loaded.signature;
        if (bundle) {
          let lm: LoadedLanguageModel;
          try {
            const info = describeLanguageModel(bundle, loaded.signature);
            lm = {
              info,
              tokenizer: new TextTokenizer(bundle),
              generationConfig: bundle.generationConfig,
            };
            if (info.task === 'text-generation') {
              lm.graph = lmGraphOf(info, loaded.signature);
              this.startScheduler(v, lm, lm.graph);
            }
          } catch (err) {
            this.pool.call(v.thread, { op: 'release', versionId: key.id }).catch(() => undefined);
            throw err;
          }
          v.lm = lm;
        }
        v.ready = true;
        if (!bundle && this.batching && isBatchable(loaded.signature)) {
          v.batcher = new MicroBatcher(
            this.batching,
            (feeds, fetches) => this.runOnThread(v, feeds, fetches),
            (event) => this.options.onBatch?.(key.id, event),
          );
        }
        for (const id of this.lru.add(key.id, bundle?.graphBytes ?? loaded.bytes)) this.evict(id);
        this.logger.info(
          {
            versionId: key.id,
            bytes: loaded.bytes,
            thread: v.thread,
            loadMs: Math.round(loaded.loadMs),
            totalMs: Math.round(performance.now() - started),
            batching: v.batcher !== undefined,
            languageModel: v.lm?.info.task,
          },
          'model version loaded',
        );
      } catch (err) {
        if (this.versions.get(key.id) === v) this.versions.delete(key.id);
        if (
          err instanceof WorkerCallError &&
          (err.code === 'LOAD_FAILED' || err.code === 'SHA_MISMATCH')
        ) {
          throw new ModelLoadError(err.message);
        }
        if (err instanceof WorkerCallError && err.code === 'TIMEOUT')
          throw new ModelLoadError(
            `ONNX Runtime did not finish loading version ${key.id} within ${this.loadTimeoutMs} ms`,
          );
        throw this.unavailable(err);
      }
    })();
    this.versions.set(key.id, v);
    return v;
  }

  private evict(id: string): void {
    const v = this.versions.get(id);
    this.versions.delete(id);
    this.lru.remove(id);
    if (!v) return;
    v.batcher?.close(new ModelLoadError(`version ${id} was unloaded`));
    v.lm?.scheduler?.close(new ModelLoadError(`version ${id} was unloaded`));
    this.logger.debug?.({ versionId: id }, 'model version evicted');
    // Messages to a thread are handled in order, so this runs after any run already sent to it.
    this.pool.call(v.thread, { op: 'release', versionId: id }).catch((err: unknown) => {
      if (!(err instanceof EngineClosedError))
        this.logger.warn({ err, versionId: id }, 'releasing a session failed');
    });
  }

  /** A thread was replaced (crash, or a call past its deadline): blame the version, drop the sessions. */
  private threadRestarted(restart: ThreadRestart): void {
    if (restart.versionId && (restart.op === 'run' || restart.op === 'load')) {
      const cause =
        restart.cause === 'crash'
          ? `ONNX Runtime crashed during ${restart.op}`
          : restart.op === 'run'
            ? `a prediction ran past PREDICT_TIMEOUT_MS (${this.runTimeoutMs} ms)`
            : `loading ran past ${this.loadTimeoutMs} ms`;
      if (this.quarantine.recordFailure(restart.versionId, cause))
        this.logger.error(
          { versionId: restart.versionId, ...this.quarantine.status(restart.versionId) },
          'model version quarantined',
        );
    }
    this.forgetThread(restart.index);
  }

  /** A thread died and was replaced: forget the sessions it held. */
  private forgetThread(index: number): void {
    for (const [id, v] of this.versions) {
      if (v.thread !== index) continue;
      this.versions.delete(id);
      this.lru.remove(id);
      const error = new ModelUnavailableError(
        `inference thread ${index} restarted`,
        'THREAD_RESTARTED',
        1000,
      );
      v.batcher?.close(error);
      v.lm?.scheduler?.close(error);
    }
  }

  /** Where this engine runs ONNX Runtime (`thread` or `process`). */
  get isolation(): PoolIsolation {
    return this.pool.isolation;
  }

  /** The pids of the pool processes now (`process` isolation; empty with threads). */
  /**
   * The artifact files and bundle folders of the versions loaded now: what a disk cache must not
   * take for unused (see {@link keepLoadedFilesFresh}).
   */
  loadedFiles(): string[] {
    const out: string[] = [];
    for (const v of this.versions.values()) if (v.ready && v.files) out.push(v.files);
    return out;
  }

  processIds(): number[] {
    return this.pool.pids();
  }

  /** `process` isolation: requests sent to the pool processes, and the IPC messages that carried them. */
  ipcTraffic(): { requests: number; messages: number } {
    return this.pool.ipcTraffic();
  }

  /** Sessions each pool thread holds now (a check for tests and diagnostics). */
  async threadSessionCounts(): Promise<number[]> {
    return Promise.all(
      Array.from({ length: this.pool.size }, (_, i) =>
        this.pool.call<number>(i, { op: 'sessions' }),
      ),
    );
  }

  /** Terminates the pool threads after releasing their sessions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const v of this.versions.values()) {
      v.batcher?.close(new EngineClosedError('inference engine closed'));
      v.lm?.scheduler?.close(new EngineClosedError('inference engine closed'));
    }
    this.versions.clear();
    for (const id of this.lru.ids()) this.lru.remove(id);
    await this.pool.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError('inference engine closed');
  }
}

/** Starts the worker-thread pool, probes the execution provider and returns the engine. */
export function createInferenceEngine(
  options: InferenceEngineOptions = {},
): Promise<InferenceEngine> {
  return InferenceEngine.start(options);
}
