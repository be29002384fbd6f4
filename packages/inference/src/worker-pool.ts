import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineClosedError } from './inference.errors';
import type { InferenceLogger } from './logger';
import type { WorkerErrorCode, WorkerInit, WorkerRequest, WorkerResponse } from './worker.protocol';

/** An error reported by a pool thread, with the thread's code. */
export class WorkerCallError extends Error {
  override readonly name = 'WorkerCallError';
  constructor(
    readonly code: WorkerErrorCode | 'THREAD_EXITED',
    message: string,
  ) {
    super(message);
  }
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface PoolThread {
  worker: Worker;
  pending: Map<number, PendingCall>;
}

/**
 * The compiled worker script. It lives next to this file in dist; when this module is loaded
 * from src (a test importing sources), the built copy in ../dist is used.
 */
export function workerScriptPath(): string {
  const candidates = [
    join(__dirname, 'session.worker.js'),
    join(__dirname, '..', 'dist', 'session.worker.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `@maas/inference: worker script not found (${candidates.join(', ')}); build the package first`,
    );
  }
  return found;
}

/** A fixed set of worker threads, each owning its own ONNX Runtime sessions. */
export class WorkerPool {
  private readonly threads: PoolThread[] = [];
  private seq = 0;
  private closed = false;
  private readonly script = workerScriptPath();

  constructor(
    readonly size: number,
    private readonly init: WorkerInit,
    private readonly logger: InferenceLogger,
    /** Called when a thread died and was replaced: its sessions are gone. */
    private readonly onThreadRestart: (index: number) => void,
  ) {
    for (let i = 0; i < size; i++) this.threads.push(this.spawn(i));
  }

  private spawn(index: number): PoolThread {
    const worker = new Worker(this.script, {
      workerData: this.init,
      name: `maas-inference-${index}`,
    });
    const thread: PoolThread = { worker, pending: new Map() };
    worker.on('message', (msg: WorkerResponse) => {
      const call = thread.pending.get(msg.seq);
      if (!call) return;
      thread.pending.delete(msg.seq);
      if (msg.ok) call.resolve(msg.value);
      else call.reject(new WorkerCallError(msg.error.code, msg.error.message));
    });
    worker.on('error', (err) => {
      this.logger.error({ err, thread: index }, 'inference thread failed');
    });
    worker.on('exit', (code) => {
      const err = this.closed
        ? new EngineClosedError('inference engine closed')
        : new WorkerCallError('THREAD_EXITED', `inference thread ${index} exited (code ${code})`);
      for (const call of thread.pending.values()) call.reject(err);
      thread.pending.clear();
      if (this.closed) return;
      this.logger.warn({ thread: index, code }, 'inference thread exited; starting a new one');
      this.threads[index] = this.spawn(index);
      this.onThreadRestart(index);
    });
    return thread;
  }

  /** Sends one request to thread `index` and resolves with its answer. */
  call<T>(index: number, request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new EngineClosedError('inference engine closed'));
    const thread = this.threads[index];
    if (!thread) return Promise.reject(new Error(`no inference thread ${index}`));
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      thread.pending.set(seq, { resolve: resolve as (value: unknown) => void, reject });
      thread.worker.postMessage({ ...request, seq }, transfer);
    });
  }

  /** The thread with the fewest calls in flight (for work that is not pinned to a thread). */
  leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.threads.length; i++) {
      if ((this.threads[i]?.pending.size ?? 0) < (this.threads[best]?.pending.size ?? 0)) best = i;
    }
    return best;
  }

  /** Calls in flight on thread `index`. */
  inFlight(index: number): number {
    return this.threads[index]?.pending.size ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Release native sessions explicitly (bounded wait: a thread stuck in a long run is terminated anyway).
    await Promise.all(
      this.threads.map((_, i) =>
        Promise.race([
          this.call(i, { op: 'releaseAll' }).catch(() => 0),
          new Promise((r) => setTimeout(r, 2000).unref()),
        ]),
      ),
    );
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
