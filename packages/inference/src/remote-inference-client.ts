import { Agent, type Dispatcher } from 'undici';
import { INFERENCE_HEADER_CONTENT_LENGTH } from './binary-data';
import type { ExecutionProviderName } from './execution-provider';
import type {
  EmbeddingResult,
  GenerateOptions,
  GenerateRequest,
  GenerationStream,
} from './generation/generation.types';
import type { BundleFileRef } from './generation/materialize-bundle';
import type { GenerationOccupancy, InferOptions, InferenceStatus } from './inference-engine';
import { ARTIFACT_SHA256_HEADER } from './inference-server';
import {
  EngineClosedError,
  InferenceInputError,
  InferenceTimeoutError,
  ModelLoadError,
  VersionNotFoundError,
} from './inference.errors';
import { silentLogger } from './logger';
import type { InferenceLogger } from './logger';
import { rendezvousOrder } from './rendezvous';
import { describeError, RemoteInferenceError, WorkerUnavailableError } from './remote-errors';
import { generationRefusal } from './remote-generation';
import { remoteEmbed, remoteGenerate, type WorkerTransport } from './remote-language-models';
import { decodeRemoteInferResponse, encodeRemoteInferRequest } from './remote-wire';
import type { DecodedTensor, VersionKey } from './tensor.types';

export { RemoteInferenceError, WorkerUnavailableError };

export interface RemoteInferenceClientOptions {
  /** Base URLs of the inference workers (`INFERENCE_WORKERS`), e.g. `http://10.0.0.5:8000`. */
  workers: readonly string[];
  /** `INFERENCE_WORKER_TOKEN`, sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Default per-request deadline, failovers included (`PREDICT_TIMEOUT_MS`). Default 30000. */
  timeoutMs?: number;
  /** Time to open a TCP connection before a worker counts as down. Default 2000. */
  connectTimeoutMs?: number;
  /** How often every worker is probed (`/v2/health/ready`, then `/v2`); 0 turns it off. Default 5000. */
  healthIntervalMs?: number;
  /** Deadline of one health probe. Default 2000. */
  probeTimeoutMs?: number;
  /** Kept-alive connections per worker. Default 64. */
  connections?: number;
  /**
   * A bundle version's manifest, sent with its generate and embed requests so that the worker
   * can write the files from the shared artifact store. Needed by `generate` and `embed`.
   */
  bundleManifest?: (key: VersionKey) => Promise<readonly BundleFileRef[]>;
  /**
   * Longest wait for a worker to accept a generation (load the bundle, check and queue the
   * request); the stream itself runs until it ends or the caller's signal aborts. Default 120000.
   */
  generationStartTimeoutMs?: number;
  logger?: InferenceLogger;
}

/** One worker as `/healthz` reports it. */
export interface WorkerHealth {
  url: string;
  ok: boolean;
  error?: string;
}

/** What a worker's `GET /v2` reports beyond the OIP server metadata. */
interface WorkerMetadata {
  executionProvider?: ExecutionProviderName;
  loadedVersions: number;
  loadedBytes: number;
  generation: GenerationOccupancy[];
}

interface WorkerState {
  url: string;
  origin: string;
  /** Path prefix of the base URL, without a trailing slash. */
  prefix: string;
  up: boolean;
  error?: string;
  metadata?: WorkerMetadata;
}

/** Runs predictions on remote inference workers; see {@link createRemoteInferenceClient}. */
export interface RemoteInferenceClient {
  /** The workers' base URLs, as configured (trailing slashes removed). */
  readonly workers: readonly string[];
  /** Runs a version on the worker rendezvous hashing picks, failing over to the next ones. */
  infer(
    key: VersionKey,
    inputs: Record<string, DecodedTensor>,
    opts?: InferOptions,
  ): Promise<Record<string, DecodedTensor>>;
  /**
   * Starts generating on the worker rendezvous hashing picks for the version (failing over, before
   * the stream starts, as `infer` does); resolves once the worker accepted the request, as the
   * engine's `generate` does. Aborting `signal`, `cancel()` or leaving the iteration closes the
   * connection, and the worker frees the sequence's place in its batch.
   */
  generate(
    key: VersionKey,
    request: GenerateRequest,
    opts?: GenerateOptions,
  ): Promise<GenerationStream>;
  /** The engine's `embed` on the version's worker. */
  embed(
    key: VersionKey,
    texts: readonly string[],
    opts?: { signal?: AbortSignal },
  ): Promise<EmbeddingResult>;
  /** The workers' decode batches, as their last probe (at most a second old) reported them. */
  generationOccupancy(): Promise<GenerationOccupancy[]>;
  /** The order in which workers are tried for a version now: reachable ones by rendezvous weight, then the others. */
  route(versionId: string): string[];
  /** Provider and loaded sessions summed over the reachable workers; `workers` counts them. */
  status(): Promise<InferenceStatus>;
  /** Probes every worker now (concurrent calls share one round). */
  health(): Promise<WorkerHealth[]>;
  /** Stops the probes and closes the connections. */
  close(): Promise<void>;
}

/** Parses the base URLs of `INFERENCE_WORKERS` (comma-separated); throws a message naming a bad one. */
export function parseWorkerUrls(list: string | readonly string[]): string[] {
  const entries = (typeof list === 'string' ? list.split(',') : [...list])
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('INFERENCE_WORKERS lists no worker URL');
  const urls = entries.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(
        `INFERENCE_WORKERS: '${entry}' is not a URL (expected e.g. http://10.0.0.5:8000)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`INFERENCE_WORKERS: '${entry}' must be an http:// or https:// URL`);
    }
    if (url.search || url.hash || url.username)
      throw new Error(`INFERENCE_WORKERS: '${entry}' must be a plain base URL`);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });
  const duplicate = urls.find((u, i) => urls.indexOf(u) !== i);
  if (duplicate) throw new Error(`INFERENCE_WORKERS lists ${duplicate} twice`);
  return urls;
}

// A reused keep-alive socket the worker had just closed fails like this; one retry tells it apart
// from a worker that is gone (which then refuses the new connection).
function isStaleSocket(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

function errorJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return {};
}

function errorText(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.toString('utf8').slice(0, 500) || '(no message)';
}

/** A worker's `generation` report ([{version_id, running, queued}]), what of it is well-formed. */
function occupancyOf(value: unknown): GenerationOccupancy[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((o: unknown) => {
    const { version_id, running, queued } = (o ?? {}) as Record<string, unknown>;
    return typeof version_id === 'string' &&
      typeof running === 'number' &&
      typeof queued === 'number'
      ? [{ versionId: version_id, running, queued }]
      : [];
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

class RemoteClient implements RemoteInferenceClient {
  readonly workers: string[];
  private readonly states: WorkerState[];
  private readonly agent: Agent;
  private readonly logger: InferenceLogger;
  private readonly timeoutMs: number;
  private readonly probeTimeoutMs: number;
  private readonly orders = new Map<string, WorkerState[]>();
  private readonly timer?: NodeJS.Timeout;
  private probing?: Promise<WorkerHealth[]>;
  private probedAt = 0;
  private lastProvider: ExecutionProviderName = 'cpu';
  private closed = false;

  constructor(private readonly options: RemoteInferenceClientOptions) {
    if (!options.token)
      throw new Error(
        'remote inference: a token (INFERENCE_WORKER_TOKEN) is required; workers refuse calls without it',
      );
    this.workers = parseWorkerUrls(options.workers);
    this.states = this.workers.map((url) => {
      const parsed = new URL(url);
      return { url, origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, ''), up: true };
    });
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2000;
    this.agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 2000 },
      // The caller's deadline (an AbortSignal) bounds every request instead.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const interval = options.healthIntervalMs ?? 5000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.health().catch(() => undefined), interval);
      this.timer.unref();
      void this.health().catch(() => undefined);
    }
  }

  route(versionId: string): string[] {
    return this.candidates(versionId).map((w) => w.url);
  }

  private candidates(versionId: string): WorkerState[] {
    let order = this.orders.get(versionId);
    if (!order) {
      const byUrl = new Map(this.states.map((s) => [s.url, s]));
      order = rendezvousOrder(versionId, this.workers).map((url) => byUrl.get(url) as WorkerState);
      if (this.orders.size >= 10_000) this.orders.clear(); // a bound, not an LRU: recomputing is cheap
      this.orders.set(versionId, order);
    }
    if (order.every((w) => w.up)) return order;
    // Down workers stay as a last resort: a worker that came back before its next probe still serves.
    return [...order.filter((w) => w.up), ...order.filter((w) => !w.up)];
  }

  async infer(
    key: VersionKey,
    inputs: Record<string, DecodedTensor>,
    opts: InferOptions = {},
  ): Promise<Record<string, DecodedTensor>> {
    if (this.closed) throw new EngineClosedError('remote inference client closed');
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const { body, headerLength } = encodeRemoteInferRequest(inputs, opts.outputs);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const failures: string[] = [];
    try {
      for (const worker of this.candidates(key.id)) {
        const outcome = await this.tryWorker(
          worker,
          key,
          body,
          headerLength,
          deadline.signal,
          timeoutMs,
        );
        if (outcome.tensors) return outcome.tensors;
        failures.push(`${worker.url}: ${outcome.failure}`);
      }
    } finally {
      clearTimeout(timer);
    }
    throw new WorkerUnavailableError(
      `no inference worker could serve version ${key.id}: ${failures.join('; ')}`,
    );
  }

  /** Resolves with the outputs, or a failure that allows the next worker; throws what must not fail over. */
  private async tryWorker(
    worker: WorkerState,
    key: VersionKey,
    body: Buffer,
    headerLength: number,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<{ tensors?: Record<string, DecodedTensor>; failure?: string }> {
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let responseBody: Buffer;
      let responseHeaderLength: string | undefined;
      try {
        const res = await this.agent.request({
          origin: worker.origin,
          path: `${worker.prefix}/v2/models/${encodeURIComponent(key.id)}/infer`,
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'content-type': 'application/octet-stream',
            [INFERENCE_HEADER_CONTENT_LENGTH]: String(headerLength),
            [ARTIFACT_SHA256_HEADER]: key.sha256,
          },
          body,
          signal,
        });
        status = res.statusCode;
        responseHeaderLength = headerValue(res.headers[INFERENCE_HEADER_CONTENT_LENGTH]);
        responseBody = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        if (signal.aborted) {
          throw new InferenceTimeoutError(
            `prediction for version ${key.id} took longer than ${timeoutMs} ms (inference worker ${worker.url})`,
          );
        }
        if (attempt === 1 && isStaleSocket(err)) continue;
        const failure = describeError(err);
        this.markDown(worker, failure);
        return { failure };
      }
      if (status === 200) {
        this.markUp(worker);
        try {
          return {
            tensors: decodeRemoteInferResponse(
              responseBody,
              responseHeaderLength === undefined ? undefined : Number(responseHeaderLength),
            ),
          };
        } catch (err) {
          throw new RemoteInferenceError(
            `inference worker ${worker.url} sent an unreadable response: ${describeError(err)}`,
          );
        }
      }
      return this.refusal(worker, status, responseBody);
    }
  }

  /**
   * A worker's answer other than 200: a failure that allows the next worker (the worker is marked
   * down), or the error the caller gets (thrown).
   */
  private refusal(worker: WorkerState, status: number, body: Buffer): { failure: string } {
    const parsed = errorJson(body);
    const generation = generationRefusal(status, parsed);
    if (generation) throw generation;
    const message = errorText(body);
    switch (status) {
      case 400:
        throw new InferenceInputError(message);
      case 404:
        throw new VersionNotFoundError(message);
      case 504:
        throw new InferenceTimeoutError(message);
      case 500:
        throw new ModelLoadError(`inference worker ${worker.url}: ${message}`);
      case 401:
      case 403: {
        // A worker with another token is misconfigured, not the caller's problem: use the others.
        const failure = `refused our INFERENCE_WORKER_TOKEN (HTTP ${status}: ${message})`;
        this.markDown(worker, failure);
        return { failure };
      }
      case 502:
      case 503: {
        const failure = `unavailable (HTTP ${status}: ${message})`;
        this.markDown(worker, failure);
        return { failure };
      }
      default:
        throw new RemoteInferenceError(
          `inference worker ${worker.url} answered HTTP ${status}: ${message}`,
        );
    }
  }

  private readonly transport: WorkerTransport = {
    post: (key, route, body, signal, describeDeadline) =>
      this.post(key, route, body, signal, describeDeadline),
    manifestOf: (key) => this.manifestOf(key),
  };

  private async manifestOf(key: VersionKey): Promise<readonly BundleFileRef[]> {
    if (!this.options.bundleManifest)
      throw new ModelLoadError(
        'remote inference: no bundleManifest was given, cannot serve bundles',
      );
    return this.options.bundleManifest(key);
  }

  /**
   * Sends `body` to the version's workers in turn until one answers other than a refusal that
   * allows the next; resolves with that answer (status 200, its body still to read).
   */
  private async post(
    key: VersionKey,
    route: string,
    body: string,
    signal: AbortSignal,
    describeDeadline: () => string,
  ): Promise<{ worker: { url: string }; body: Dispatcher.ResponseData['body'] }> {
    const failures: string[] = [];
    for (const worker of this.candidates(key.id)) {
      for (let attempt = 1; ; attempt++) {
        let res: Dispatcher.ResponseData;
        try {
          res = await this.agent.request({
            origin: worker.origin,
            path: `${worker.prefix}/v2/models/${encodeURIComponent(key.id)}/${route}`,
            method: 'POST',
            headers: {
              authorization: `Bearer ${this.options.token}`,
              'content-type': 'application/json',
              [ARTIFACT_SHA256_HEADER]: key.sha256,
            },
            body,
            signal,
          });
        } catch (err) {
          if (signal.aborted) throw new InferenceTimeoutError(describeDeadline());
          if (attempt === 1 && isStaleSocket(err)) continue;
          const failure = describeError(err);
          this.markDown(worker, failure);
          failures.push(`${worker.url}: ${failure}`);
          break;
        }
        if (res.statusCode === 200) {
          this.markUp(worker);
          return { worker, body: res.body };
        }
        const answer = Buffer.from(await res.body.arrayBuffer());
        failures.push(`${worker.url}: ${this.refusal(worker, res.statusCode, answer).failure}`);
        break;
      }
    }
    throw new WorkerUnavailableError(
      `no inference worker could serve version ${key.id}: ${failures.join('; ')}`,
    );
  }

  generate(
    key: VersionKey,
    request: GenerateRequest,
    opts: GenerateOptions = {},
  ): Promise<GenerationStream> {
    if (this.closed) return Promise.reject(new EngineClosedError('remote inference client closed'));
    return remoteGenerate(
      this.transport,
      key,
      request,
      opts,
      this.options.generationStartTimeoutMs ?? 120_000,
    );
  }

  embed(
    key: VersionKey,
    texts: readonly string[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<EmbeddingResult> {
    if (this.closed) return Promise.reject(new EngineClosedError('remote inference client closed'));
    return remoteEmbed(this.transport, key, texts, opts, this.timeoutMs);
  }

  async generationOccupancy(): Promise<GenerationOccupancy[]> {
    if (Date.now() - this.probedAt > 1000) await this.health();
    return this.states.flatMap((w) => (w.up ? (w.metadata?.generation ?? []) : []));
  }

  private markDown(worker: WorkerState, error: string): void {
    if (worker.up) this.logger.warn({ worker: worker.url, error }, 'inference worker marked down');
    worker.up = false;
    worker.error = error;
  }

  private markUp(worker: WorkerState): void {
    if (!worker.up) this.logger.info({ worker: worker.url }, 'inference worker is back');
    worker.up = true;
    worker.error = undefined;
  }

  async health(): Promise<WorkerHealth[]> {
    this.probing ??= (async () => {
      try {
        await Promise.all(this.states.map((w) => this.probe(w)));
        this.probedAt = Date.now();
        return this.states.map((w) =>
          w.up ? { url: w.url, ok: true } : { url: w.url, ok: false, error: w.error ?? 'down' },
        );
      } finally {
        this.probing = undefined;
      }
    })();
    return this.probing;
  }

  private async probe(worker: WorkerState): Promise<void> {
    const signal = AbortSignal.timeout(this.probeTimeoutMs);
    try {
      const ready = await this.agent.request({
        origin: worker.origin,
        path: `${worker.prefix}/v2/health/ready`,
        method: 'GET',
        signal,
      });
      await ready.body.dump();
      if (ready.statusCode !== 200)
        return this.markDown(worker, `not ready (HTTP ${ready.statusCode})`);
      const meta = await this.agent.request({
        origin: worker.origin,
        path: `${worker.prefix}/v2`,
        method: 'GET',
        headers: { authorization: `Bearer ${this.options.token}` },
        signal,
      });
      const text = await meta.body.text();
      if (meta.statusCode === 401 || meta.statusCode === 403) {
        return this.markDown(
          worker,
          `refused our INFERENCE_WORKER_TOKEN (HTTP ${meta.statusCode})`,
        );
      }
      if (meta.statusCode !== 200)
        return this.markDown(worker, `GET /v2 answered HTTP ${meta.statusCode}`);
      const body = JSON.parse(text) as {
        execution_provider?: unknown;
        loaded_versions?: unknown;
        loaded_bytes?: unknown;
        generation?: unknown;
      };
      worker.metadata = {
        executionProvider:
          body.execution_provider === 'cuda' || body.execution_provider === 'cpu'
            ? body.execution_provider
            : undefined,
        loadedVersions: typeof body.loaded_versions === 'number' ? body.loaded_versions : 0,
        loadedBytes: typeof body.loaded_bytes === 'number' ? body.loaded_bytes : 0,
        generation: occupancyOf(body.generation),
      };
      this.markUp(worker);
    } catch (err) {
      this.markDown(
        worker,
        signal.aborted ? `no answer within ${this.probeTimeoutMs} ms` : describeError(err),
      );
    }
  }

  async status(): Promise<InferenceStatus> {
    // /metrics and GraphQL read this; one probe round a second is plenty.
    if (Date.now() - this.probedAt > 1000) await this.health();
    const reachable = this.states.filter((w) => w.up && w.metadata);
    const providers = reachable
      .map((w) => w.metadata?.executionProvider)
      .filter((p) => p !== undefined);
    if (providers.length > 0)
      this.lastProvider = providers.every((p) => p === 'cuda') ? 'cuda' : 'cpu';
    return {
      executionProvider: this.lastProvider,
      workers: reachable.length,
      loadedVersions: reachable.reduce((n, w) => n + (w.metadata?.loadedVersions ?? 0), 0),
      loadedBytes: reachable.reduce((n, w) => n + (w.metadata?.loadedBytes ?? 0), 0),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.probing?.catch(() => undefined);
    await this.agent.close();
  }
}

/**
 * A client for remote inference workers (`INFERENCE_WORKERS`): each version goes to the worker
 * rendezvous hashing picks for its id, so its session and batch queue stay warm in one place.
 * Tensors travel with Triton's binary data extension over kept-alive connections. A worker that
 * refuses connections, answers 502/503, or refuses the token is marked down and the request goes
 * to the next worker in that version's order; periodic probes bring it back. A worker's 400 is an
 * `InferenceInputError`, 504 or the deadline an `InferenceTimeoutError`, 404 a `VersionNotFoundError`.
 */
export function createRemoteInferenceClient(
  options: RemoteInferenceClientOptions,
): RemoteInferenceClient {
  return new RemoteClient(options);
}
