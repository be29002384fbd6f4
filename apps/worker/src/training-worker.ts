import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createArtifactStore,
  createDataSource,
  EventBus,
  TRAINING_CONTROL_CHANNEL,
} from '@maas/db';
import {
  TRAINING_QUEUE,
  TrainingJobLeaseStore,
  createJobQueue,
  isUuid,
  type QueuedJob,
  type TrainingQueuePayload,
} from '@maas/jobs';
import type { WorkerConfig } from './env';
import type { Logger } from './logger';
import { TrainingRun, type RunContext } from './training-run';

/** A running training worker process's handle. */
export interface TrainingWorker {
  readonly workerId: string;
  /** Ids of the jobs this worker is training right now. */
  runningJobs(): string[];
  /**
   * Stops taking jobs, hands the running ones back (checkpointed, re-queued for another worker)
   * and closes every connection.
   */
  stop(): Promise<void>;
}

/**
 * Starts a training worker: consumes the training queue (woken by NOTIFY), runs each job in a
 * worker thread under a renewed lease, and reaps jobs whose worker died.
 */
export async function startTrainingWorker(
  config: WorkerConfig,
  logger: Logger,
): Promise<TrainingWorker> {
  const threadFile = path.join(__dirname, 'training-thread.js');
  if (!existsSync(threadFile)) {
    throw new Error(
      `${threadFile} is missing: build the worker first (npx turbo run build --filter=@maas/worker).`,
    );
  }
  const dataSource = createDataSource(config.databaseUrl, {
    poolSize: config.dbPoolSize,
    applicationName: 'maas-worker',
    timeouts: config.dbTimeouts,
  });
  await dataSource.initialize();
  const store = createArtifactStore({
    databaseUrl: config.databaseUrl,
    artifactStoreUrl: config.artifactStoreUrl,
    timeouts: config.dbTimeouts,
  });
  const bus = new EventBus({
    url: config.databaseUrl,
    applicationName: 'maas-worker-events',
    onError: (err) => logger.warn({ err }, 'event listener error'),
  });
  const queue = createJobQueue({
    databaseUrl: config.databaseUrl,
    logger,
    bus,
    applicationName: 'maas-worker-queue',
    timeouts: config.dbTimeouts,
  });
  const jobs = new TrainingJobLeaseStore(dataSource, queue, config.leaseMs, config.maxAttempts);
  const ctx: RunContext = { db: dataSource, jobs, store, config, logger, threadFile };
  const runs = new Map<string, TrainingRun>();

  const closeAll = async (): Promise<void> => {
    await bus.close();
    await store.close();
    await dataSource.destroy();
  };

  let unlistenControl: (() => Promise<void>) | null = null;
  try {
    await queue.start();
    unlistenControl = await bus.subscribe<{ jobId?: unknown; action?: unknown }>(
      TRAINING_CONTROL_CHANNEL,
      (payload) => {
        if (payload?.action === 'cancel' && typeof payload.jobId === 'string')
          runs.get(payload.jobId)?.requestCancel();
      },
      // Cancels sent while the listener was down are lost: re-read every running job's flag.
      { onReconnect: () => runs.forEach((run) => run.poll()) },
    );
  } catch (err) {
    await queue.stop({ graceful: false }).catch(() => undefined);
    await closeAll();
    throw err;
  }

  async function handleTraining(message: QueuedJob<TrainingQueuePayload>): Promise<void> {
    const jobId = message.data?.jobId;
    if (!isUuid(jobId)) {
      logger.error(
        { messageId: message.id, data: message.data },
        'training message without a valid job id; dropped',
      );
      return;
    }
    // Shutting down before the claim: fail the message so pg-boss hands it to another worker.
    if (message.signal.aborted) throw new Error('the worker is shutting down');
    const job = await jobs.claim(jobId, config.workerId);
    // The lease, not pg-boss, owns the job from here: its expiry must never race the run.
    await message.complete();
    if (!job) {
      logger.info(
        { jobId },
        'training job not claimable (finished, cancelled or leased elsewhere); skipped',
      );
      return;
    }
    logger.info({ jobId, attempt: job.attempt }, 'took the lease on a training job');
    const run = new TrainingRun(ctx, job, message.signal);
    runs.set(jobId, run);
    try {
      await run.execute();
    } finally {
      runs.delete(jobId);
    }
  }

  let reaping = false;
  const reap = async (): Promise<void> => {
    if (reaping) return;
    reaping = true;
    try {
      const events = await jobs.reapLapsed();
      for (const event of events) {
        logger.warn(
          { jobId: event.jobId, status: event.status, epoch: event.epoch },
          'reaped a training job whose lease lapsed',
        );
      }
      for (const jobId of await jobs.requeueOrphans(config.orphanAfterMs)) {
        logger.warn({ jobId }, 're-enqueued a queued training job that had lost its queue message');
      }
    } catch (err) {
      logger.warn({ err }, 'reaping lapsed leases failed');
    } finally {
      reaping = false;
    }
  };
  const reaper = setInterval(() => void reap(), config.reapEveryMs);
  void reap();

  try {
    await queue.work(
      { [TRAINING_QUEUE]: handleTraining },
      { concurrency: config.concurrency, pollIntervalMs: config.pollIntervalMs },
    );
  } catch (err) {
    clearInterval(reaper);
    await queue.stop({ graceful: false }).catch(() => undefined);
    await closeAll();
    throw err;
  }
  logger.info(
    { concurrency: config.concurrency, leaseMs: config.leaseMs },
    'training worker started',
  );

  let stopping: Promise<void> | null = null;
  return {
    workerId: config.workerId,
    runningJobs: () => [...runs.keys()],
    stop() {
      stopping ??= (async () => {
        clearInterval(reaper);
        // Aborts the runs' signals: each checkpoints, hands its job back, and returns.
        await queue.stop({ graceful: true, timeoutMs: config.shutdownTimeoutMs });
        while (reaping) await new Promise((resolve) => setTimeout(resolve, 20));
        await unlistenControl?.().catch(() => undefined);
        await closeAll();
        logger.info('training worker stopped');
      })();
      return stopping;
    },
  };
}
