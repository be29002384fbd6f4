import { concatRows, sliceRows } from './tensor-batch';
import type { DecodedTensor } from './tensor.types';

/** Dynamic batching settings for one version's queue. */
export interface BatchingOptions {
  /** Most rows (sum of the requests' first dimensions) in one ONNX Runtime call. */
  maxBatchSize: number;
  /** Longest a request waits for company while the version already has a batch running. */
  maxDelayMs: number;
  /** Batches of one version sent to its thread at once (2 keeps the thread busy while results travel back). */
  maxInFlight: number;
}

/** Runs one (possibly concatenated) set of feeds and returns the fetched outputs. */
export type BatchRunner = (
  feeds: Record<string, DecodedTensor>,
  fetches: readonly string[],
) => Promise<Record<string, DecodedTensor>>;

/** Reported once per ONNX Runtime call, for metrics. */
export interface BatchEvent {
  requests: number;
  rows: number;
  /** How long the oldest request in the batch waited in the queue. */
  queueWaitMs: number;
}

interface QueuedRequest {
  inputs: Record<string, DecodedTensor>;
  fetches: readonly string[];
  rows: number;
  key: string;
  enqueuedAt: number;
  resolve: (outputs: Record<string, DecodedTensor>) => void;
  reject: (err: unknown) => void;
}

/**
 * Per-version dynamic batcher. A request runs at once when the version has nothing running;
 * otherwise it waits until a running batch returns, `maxDelayMs` passes (when a send slot is
 * free), or `maxBatchSize` rows are queued. Requests with the same datatypes and trailing
 * dimensions are concatenated along axis 0, run once and split back. When a batch fails, each
 * of its requests is retried alone so that one bad request fails alone.
 */
export class MicroBatcher {
  private readonly queue: QueuedRequest[] = [];
  private queuedRows = 0;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set when a model's outputs turned out not to follow the batch dimension. */
  private splittingBroken = false;
  private aloneSeq = 0;

  constructor(
    private readonly options: BatchingOptions,
    private readonly run: BatchRunner,
    private readonly onBatch: (event: BatchEvent) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Requests waiting to be sent. */
  get queued(): number {
    return this.queue.length;
  }

  /** Batches sent and not yet answered. */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Queues one request. Its inputs must share their first dimension (the rows). An aborted
   * request still in the queue is removed and rejects with the signal's reason.
   */
  submit(
    inputs: Record<string, DecodedTensor>,
    fetches: readonly string[],
    signal?: Cancellable,
  ): Promise<Record<string, DecodedTensor>> {
    const rows = batchRows(inputs);
    return new Promise((resolve, reject) => {
      const request: QueuedRequest = {
        inputs,
        fetches,
        rows: rows ?? 0,
        key:
          rows === undefined || this.splittingBroken
            ? `alone:${++this.aloneSeq}`
            : compatibilityKey(inputs),
        enqueuedAt: this.now(),
        resolve,
        reject,
      };
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.queue.indexOf(request);
          if (i < 0) return;
          this.queue.splice(i, 1);
          this.queuedRows -= request.rows;
          reject(abortReason(signal));
        },
        { once: true },
      );
      this.queue.push(request);
      this.queuedRows += request.rows;
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.queue.length > 0 && this.running < this.options.maxInFlight) {
      const head = this.queue[0];
      if (!head) break;
      const waited = this.now() - head.enqueuedAt;
      const ready =
        this.running === 0 ||
        this.queuedRows >= this.options.maxBatchSize ||
        waited >= this.options.maxDelayMs;
      if (!ready) {
        this.armTimer(this.options.maxDelayMs - waited);
        return;
      }
      this.dispatch();
    }
    if (this.queue.length === 0) this.clearTimer();
  }

  private armTimer(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.schedule();
      },
      Math.max(0, Math.ceil(ms)),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Takes the head request and every compatible one behind it that fits, and runs them. */
  private dispatch(): void {
    const head = this.queue[0];
    if (!head) return;
    const batch: QueuedRequest[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length; ) {
      const r = this.queue[i] as QueuedRequest;
      const fits =
        batch.length === 0 || (r.key === head.key && rows + r.rows <= this.options.maxBatchSize);
      if (fits) {
        batch.push(r);
        rows += r.rows;
        this.queue.splice(i, 1);
        this.queuedRows -= r.rows;
        if (rows >= this.options.maxBatchSize) break;
      } else {
        i++;
      }
    }
    this.clearTimer();
    this.running++;
    this.onBatch({ requests: batch.length, rows, queueWaitMs: this.now() - head.enqueuedAt });
    this.runBatch(batch)
      .catch(() => undefined)
      .finally(() => {
        this.running--;
        this.schedule();
      });
  }

  private async runBatch(batch: QueuedRequest[]): Promise<void> {
    if (batch.length === 1) {
      const only = batch[0] as QueuedRequest;
      await this.run(only.inputs, only.fetches).then(
        (out) => only.resolve(pick(out, only.fetches)),
        only.reject,
      );
      return;
    }
    const feeds: Record<string, DecodedTensor> = {};
    for (const name of Object.keys(batch[0]?.inputs ?? {})) {
      feeds[name] = concatRows(batch.map((r) => r.inputs[name] as DecodedTensor));
    }
    const fetches = [...new Set(batch.flatMap((r) => r.fetches))];
    const totalRows = batch.reduce((n, r) => n + r.rows, 0);
    let outputs: Record<string, DecodedTensor>;
    try {
      outputs = await this.run(feeds, fetches);
    } catch {
      // One bad request must not fail the others: run each alone and let each answer for itself.
      await this.runEachAlone(batch);
      return;
    }
    if (Object.values(outputs).some((t) => t.shape[0] !== totalRows)) {
      // The outputs do not follow the batch dimension: this model cannot be batched.
      this.splittingBroken = true;
      await this.runEachAlone(batch);
      return;
    }
    let start = 0;
    for (const r of batch) {
      const mine: Record<string, DecodedTensor> = {};
      for (const name of r.fetches) {
        const t = outputs[name];
        if (t) mine[name] = sliceRows(t, start, start + r.rows);
      }
      start += r.rows;
      r.resolve(mine);
    }
  }

  private async runEachAlone(batch: QueuedRequest[]): Promise<void> {
    await Promise.all(
      batch.map((r) =>
        this.run(r.inputs, r.fetches).then((out) => r.resolve(pick(out, r.fetches)), r.reject),
      ),
    );
  }

  /** Rejects everything still queued (the version was unloaded or the engine closed). */
  close(reason: Error): void {
    this.clearTimer();
    for (const r of this.queue.splice(0)) r.reject(reason);
    this.queuedRows = 0;
  }
}

function pick(
  outputs: Record<string, DecodedTensor>,
  fetches: readonly string[],
): Record<string, DecodedTensor> {
  const out: Record<string, DecodedTensor> = {};
  for (const name of fetches) {
    const t = outputs[name];
    if (t) out[name] = t;
  }
  return out;
}

/** The shared first dimension of all inputs, or undefined when they disagree or one is a scalar. */
export function batchRows(inputs: Record<string, DecodedTensor>): number | undefined {
  let rows: number | undefined;
  for (const t of Object.values(inputs)) {
    const d = t.shape[0];
    if (d === undefined) return undefined;
    if (rows === undefined) rows = d;
    else if (rows !== d) return undefined;
  }
  return rows;
}

function compatibilityKey(inputs: Record<string, DecodedTensor>): string {
  return Object.keys(inputs)
    .sort()
    .map((name) => {
      const t = inputs[name] as DecodedTensor;
      return `${name}:${t.datatype}:${t.shape.slice(1).join('x')}`;
    })
    .join('|');
}

function abortReason(signal: Cancellable): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('request aborted');
}

/**
 * What {@link MicroBatcher.submit} needs of a cancellation. An `AbortSignal` has it; so does
 * {@link Deadline}, which the engine makes per request instead, since an `AbortController` (an
 * EventTarget) costs several microseconds to create and listen to: a few per cent of the API's
 * main thread at high request rates.
 */
export interface Cancellable {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

/** A cancellation without an EventTarget: listeners run once, on the first {@link abort}. */
export class Deadline implements Cancellable {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }
}
