import type { LeasedJob } from '@maas/jobs';
import type { Logger } from './logger';
import type { InputSources } from './training-inputs';

/** Why a run stops before its end: a cancel request, the worker shutting down, or a lost lease. */
export type StopReason = 'cancel' | 'shutdown' | 'lost';

/** What every run needs from its worker: `jobs` makes every write to the job, fenced by its attempt. */
export interface LeasedRunContext extends InputSources {
  logger: Logger;
}

/**
 * The lease side of one attempt at one job of the training queue, shared by every kind of job:
 * renews the lease on a timer and on `poll`, turns a lost lease, a cancel request (NOTIFY or the
 * renewal's flag) and the worker's shutdown signal into one stop reason (the first one wins), and
 * logs the attempt's end. A subclass does the job in `work` and reacts to a stop in `onStop`.
 * Infrastructure errors out of `work` (database gone) end the attempt without a write: the lease
 * lapses and the reaper re-queues the job.
 */
export abstract class LeasedRun {
  protected stopReason: StopReason | null = null;
  private renewing = false;
  protected readonly log: Logger;

  protected constructor(
    protected readonly ctx: LeasedRunContext,
    readonly job: LeasedJob,
    private readonly signal: AbortSignal,
    /** Names the job in the logs ("training", "evaluation"). */
    private readonly noun: string,
    logFields: Record<string, unknown> = {},
  ) {
    this.log = ctx.logger.child({ jobId: job.id, attempt: job.attempt, ...logFields });
  }

  /** A cancel was requested (NOTIFY): stop the work and mark the job CANCELLED. */
  requestCancel(): void {
    this.stop('cancel');
  }

  /** Renews the lease now (e.g. after the control listener reconnected, to re-read the cancel flag). */
  poll(): void {
    void this.renew();
  }

  async execute(): Promise<void> {
    const started = Date.now();
    const timer = setInterval(() => void this.renew(), this.ctx.config.renewEveryMs);
    const onAbort = (): void => this.stop('shutdown');
    this.signal.addEventListener('abort', onAbort);
    if (this.signal.aborted) onAbort();
    try {
      await this.work();
    } catch (err) {
      // Not the job's fault: leave the lease to lapse, another attempt will take the job.
      this.log.error(
        { err },
        `${this.noun} attempt aborted by an infrastructure error; the lease will lapse`,
      );
    } finally {
      clearInterval(timer);
      this.signal.removeEventListener('abort', onAbort);
      await this.cleanup();
      this.log.info({ ms: Date.now() - started }, `${this.noun} attempt ended`);
    }
  }

  /** Does the job, from the taken lease to its final state. */
  protected abstract work(): Promise<void>;

  /** Called once, with the first stop reason: interrupt the work. */
  protected abstract onStop(reason: StopReason): void;

  /** Runs after `work`, whatever happened (e.g. ends a thread). */
  protected async cleanup(): Promise<void> {}

  protected stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.log.info({ reason }, `stopping ${this.noun}`);
    this.onStop(reason);
  }

  /** Acts on what a lease write answered: the lease lost, or a cancel asked for. */
  protected heed(state: { held: boolean; cancelRequested: boolean }): void {
    if (!state.held) this.stop('lost');
    else if (state.cancelRequested) this.stop('cancel');
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.stopReason === 'lost') return;
    this.renewing = true;
    try {
      this.heed(await this.ctx.jobs.renew(this.job));
    } catch (err) {
      this.log.warn({ err }, 'lease renewal failed');
    } finally {
      this.renewing = false;
    }
  }

  /** Logs a stop for a lost lease: nothing is written, the new holder owns the job. */
  protected logLost(): void {
    this.log.warn('lost the lease (reaped, or taken by another attempt): stopping without writing');
  }
}
