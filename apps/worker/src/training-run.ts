import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { SignatureRecord } from '@maas/db';
import { readSignature } from '@maas/onnx';
import type { EpochRecord, LeasedJob } from '@maas/jobs';
import { LeasedRun, type LeasedRunContext, type StopReason } from './leased-run';
import { ThreadInbox, type InboxItem } from './thread-inbox';
import type { ThreadTrainingResult, ToThreadMessage, TrainingThreadInput } from './thread-protocol';
import { JobInputError, loadTrainingInputs } from './training-inputs';

/** What a training run needs from its worker. */
export interface RunContext extends LeasedRunContext {
  /** Compiled `training-thread.js`. */
  threadFile: string;
}

// Fast epochs queue up while a write runs; they go in one transaction, but a bounded one, so that
// subscribers hear of the first of them without waiting for hundreds.
const MAX_EPOCHS_PER_WRITE = 50;

/**
 * One attempt at one training job, from a taken lease to a final state: loads the inputs, trains
 * in a worker thread while the lease is renewed ({@link LeasedRun}), records epochs and
 * checkpoints, and ends SUCCEEDED (version committed), FAILED, CANCELLED, handed back (shutdown),
 * or silently (lease lost).
 */
export class TrainingRun extends LeasedRun {
  private thread: Worker | null = null;
  private inbox: ThreadInbox | null = null;
  private hyperparameters: Record<string, unknown>;

  constructor(
    protected override readonly ctx: RunContext,
    job: LeasedJob,
    signal: AbortSignal,
  ) {
    super(ctx, job, signal, 'training');
    this.hyperparameters = job.hyperparameters;
  }

  protected work(): Promise<void> {
    return this.train();
  }

  protected onStop(): void {
    this.inbox?.interrupt();
  }

  protected override async cleanup(): Promise<void> {
    await this.thread?.terminate();
  }

  private async train(): Promise<void> {
    let input: { data: TrainingThreadInput; transfer: ArrayBuffer[] };
    try {
      input = await loadTrainingInputs(this.ctx, this.job);
    } catch (err) {
      if (!(err instanceof JobInputError)) throw err;
      await this.fail(err.message);
      return;
    }
    if (this.stopReason) return this.settleStop(this.stopReason);
    const thread = new Worker(this.ctx.threadFile, {
      workerData: input.data,
      transferList: input.transfer,
      name: `maas-training-${this.job.id}`,
      // A job that allocates without bound dies alone (ERR_WORKER_OUT_OF_MEMORY), not the worker.
      resourceLimits: { maxOldGenerationSizeMb: this.ctx.config.trainingThreadHeapMb },
    });
    this.thread = thread;
    const inbox = new ThreadInbox(thread);
    this.inbox = inbox;
    if (this.stopReason) inbox.interrupt();
    for (;;) {
      const item = await inbox.next();
      if (item.type === 'interrupt') return this.settleStop(this.stopReason ?? 'lost');
      const finished = await this.handle(item, inbox);
      if (finished) return;
    }
  }

  /** Handles one thread message; `true` when the run reached its end. */
  private async handle(
    item: Exclude<InboxItem, { type: 'interrupt' }>,
    inbox: ThreadInbox,
  ): Promise<boolean> {
    switch (item.type) {
      case 'ready':
        this.hyperparameters = item.hyperparameters;
        this.log.info(
          {
            resumedFromEpoch: item.epoch,
            trainingRows: item.trainingRows,
            validationRows: item.validationRows,
            droppedRows: item.droppedRows,
          },
          item.epoch > 0 ? 'resuming training from checkpoint' : 'training started',
        );
        return false;
      case 'epoch':
        await this.recordEpochs([item, ...inbox.takeEpochs(MAX_EPOCHS_PER_WRITE - 1)]);
        return false;
      case 'done':
        await this.succeed(item.result);
        return true;
      case 'error':
        await this.fail(item.message);
        return true;
      case 'exit':
        await this.fail(`the training thread exited unexpectedly (exit code ${item.code})`);
        return true;
      case 'stopped':
        // Only sent on request, which settleStop handles.
        return false;
    }
  }

  private async recordEpochs(items: EpochRecord[]): Promise<void> {
    // Only the newest checkpoint of a batch is worth writing.
    let lastCheckpoint = -1;
    items.forEach((item, i) => {
      if (item.checkpoint) lastCheckpoint = i;
    });
    const records: EpochRecord[] = items.map((item, i) => ({
      result: item.result,
      endedAt: item.endedAt,
      checkpoint: i === lastCheckpoint ? item.checkpoint : null,
    }));
    this.heed(await this.ctx.jobs.recordEpochs(this.job, records));
  }

  private async succeed(result: ThreadTrainingResult): Promise<void> {
    const bytes = Buffer.from(result.onnx.buffer, result.onnx.byteOffset, result.onnx.byteLength);
    const parsed = readSignature(bytes);
    const signature: SignatureRecord = {
      inputs: parsed.inputs,
      outputs: parsed.outputs,
      ...(parsed.features ? { features: parsed.features } : {}),
      ...(parsed.labels ? { labels: parsed.labels } : {}),
      ...(parsed.categories ? { categories: parsed.categories } : {}),
      metadata: parsed.metadata,
    };
    const stored = await this.ctx.store.put(Readable.from([bytes]));
    const outcome = await this.ctx.jobs.completeWithVersion(this.job, {
      signature,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      metrics: { ...result.metrics },
      hyperparameters: this.hyperparameters,
      featureImportance: result.featureImportance,
      trainingProfile: result.profile,
    });
    // Not committed: the artifact stays unreferenced for the store's sweep (deleting it here could
    // race another attempt that put the same bytes and is about to reference them).
    this.log.info(
      { outcome, epochs: result.epochs, bestEpoch: result.bestEpoch, metrics: result.metrics },
      'training finished',
    );
  }

  private async fail(message: string): Promise<void> {
    const recorded = await this.ctx.jobs.fail(this.job, message);
    this.log.warn({ error: message, recorded }, 'training failed');
  }

  private async settleStop(reason: StopReason): Promise<void> {
    if (reason === 'lost') return this.logLost();
    if (reason === 'cancel') {
      await this.thread?.terminate();
      const recorded = await this.ctx.jobs.cancel(this.job);
      this.log.info({ recorded }, 'training cancelled');
      return;
    }
    // Shutdown: checkpoint the latest epoch if the thread answers quickly, then hand the job back.
    if (this.thread && this.inbox) await this.checkpointBeforeHandBack(this.thread, this.inbox);
    if (this.stopReason === 'lost') return;
    const status = await this.ctx.jobs.handBack(this.job);
    this.log.info({ status }, 'handed the job back for another worker');
  }

  private async checkpointBeforeHandBack(thread: Worker, inbox: ThreadInbox): Promise<void> {
    const request: ToThreadMessage = { type: 'checkpoint-and-stop' };
    thread.postMessage(request);
    const deadline = Date.now() + Math.min(3_000, this.ctx.config.shutdownTimeoutMs / 2);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      const item = await Promise.race([
        inbox.next(),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), left))),
      ]);
      clearTimeout(timer);
      // A timeout abandons the inbox: the thread is terminated right after.
      if (!item || item.type === 'exit' || item.type === 'error') break;
      if (item.type === 'epoch')
        await this.recordEpochs([item, ...inbox.takeEpochs(MAX_EPOCHS_PER_WRITE - 1)]);
      if (item.type === 'stopped') {
        const saved = await this.ctx.jobs.saveCheckpoint(this.job, item.epoch, item.checkpoint);
        if (!saved) this.stopReason = 'lost';
        break;
      }
    }
    await thread.terminate();
  }
}
