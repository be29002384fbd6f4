import type { Logger } from './logger';

/** How a {@link PeriodicTask} runs. */
export interface PeriodicTaskOptions<T> {
  logger: Logger;
  /** Milliseconds between passes (the timer does not keep the process alive). */
  everyMs: number;
  /** What a pass that did not run (stopping) or failed resolves to. */
  idle: () => T;
  /** Logged as a warning, with the error, when a pass throws, e.g. "promotion tick failed". */
  failure: string;
}

/**
 * Periodic work every API replica runs (the promotion ticker, the monitoring checker, the
 * retraining loop): one pass at a time per replica, `tick()` queues a pass after the one in
 * progress, a failed pass is logged and the next one runs as usual, and `stop` waits for the pass
 * in progress. Replicas share the work through row locks in the passes themselves.
 */
export abstract class PeriodicTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T>;
  /** Set by `stop`: a pass in progress may check it to end early. */
  protected stopping = false;

  protected constructor(private readonly periodic: PeriodicTaskOptions<T>) {
    this.running = Promise.resolve(periodic.idle());
  }

  /** One pass of the work. */
  protected abstract pass(): Promise<T>;

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.periodic.everyMs);
    this.timer.unref();
  }

  /** One pass, after the one in progress if any. */
  tick(): Promise<T> {
    this.running = this.running.then(async () => {
      if (this.stopping) return this.periodic.idle();
      try {
        return await this.pass();
      } catch (err) {
        this.periodic.logger.warn({ err }, this.periodic.failure);
        return this.periodic.idle();
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }
}
