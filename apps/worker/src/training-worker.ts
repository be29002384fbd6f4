import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createArtifactStore,
  createDataSource,
  EventBus,
  QUEUE_WAKEUP_CHANNEL,
  TRAINING_CONTROL_CHANNEL,
  WORKSPACE_QUOTA_CHANNEL,
} from '@maas/db';
import {
  TRAINING_QUEUE,
  TrainingJobLeaseStore,
  createJobQueue,
  type LeasedJob,
  type QueuedJob,
  type TrainingQueuePayload,
} from '@maas/jobs';
import { createArtifactLoader, createInferenceEngine, type InferenceEngine } from '@maas/inference';
import type { WorkerConfig } from './env';
import { EvaluationRun } from './evaluation-run';
import type { Logger } from './logger';
import { TrainingRun, type RunContext } from './training-run';

/** Longest one model run of an evaluation may take (then it fails, naming the version). */
const EVALUATION_RUN_TIMEOUT_MS = 120_000;
/** Resident memory of the evaluation engine's child process before it is replaced. */
const EVALUATION_PROCESS_MAX_RSS_BYTES = 4 * 1024 ** 3;

/** A training or an evaluation attempt, as the worker drives it. */
interface JobRun {
  execute(): Promise<void>;
  requestCancel(): void;
  poll(): void;
}

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
 * Starts a training worker: fills its `concurrency` slots with the fair queue's picks
 * (`TrainingJobLeaseStore.claimNext`), woken by NOTIFY when a job is enqueued, when any worker's
 * attempt ends (a quota slot freed) and when a quota changes, and by a fallback poll; runs each job
 * in a worker thread under a renewed lease, and reaps jobs whose worker died. pg-boss messages
 * (one per enqueue) are drained as wake-ups; they no longer decide which job runs.
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
  const runs = new Map<string, JobRun>();
  // Evaluation jobs run tenants' models in the inference engine, in a supervised child process
  // (as the API does by default): a model that crashes or runs away costs that child, not the
  // worker. Started on the first evaluation, closed at shutdown.
  let engine: Promise<InferenceEngine> | null = null;
  const evaluationEngine = (): Promise<InferenceEngine> => {
    engine ??= createInferenceEngine({
      isolation: 'process',
      threads: 1,
      executionProviders: 'cpu',
      batching: false,
      // One chunk of up to EVALUATION_CHUNK_ROWS rows per run: more time than a prediction gets.
      timeoutMs: EVALUATION_RUN_TIMEOUT_MS,
      // As the API's inference processes: a model that allocates without bound costs its child.
      maxProcessRssBytes: EVALUATION_PROCESS_MAX_RSS_BYTES,
      loadArtifact: createArtifactLoader(store),
      logger,
    }).catch((err: unknown) => {
      engine = null;
      throw err;
    });
    return engine;
  };

  const closeAll = async (): Promise<void> => {
    if (engine) await engine.then((e) => e.close()).catch(() => undefined);
    await bus.close();
    await store.close();
    await dataSource.destroy();
  };

  // Aborted at shutdown: every run checkpoints, hands its job back and returns.
  const shutdown = new AbortController();
  const active = new Set<Promise<void>>();
  let accepting = true;
  let pumping = false;
  let pumpAgain = false;
  let retryTimer: NodeJS.Timeout | null = null;

  const runJob = (job: LeasedJob): void => {
    logger.info(
      { jobId: job.id, attempt: job.attempt, kind: job.kind },
      'took the lease on a training job',
    );
    const run: JobRun =
      job.kind === 'EVALUATION'
        ? new EvaluationRun({ ...ctx, engine: evaluationEngine }, job, shutdown.signal)
        : new TrainingRun(ctx, job, shutdown.signal);
    runs.set(job.id, run);
    const done = run
      .execute()
      .catch((err: unknown) => logger.error({ err, jobId: job.id }, 'training run failed'))
      .finally(() => {
        runs.delete(job.id);
        active.delete(done);
        // A slot is free: take the next fair pick at once, not at the next poll.
        wake();
      });
    active.add(done);
  };

  // Claims fair picks until every slot is busy or nothing is claimable (all waiting workspaces at
  // their quota, or none waiting). One pump at a time; a wake-up during one runs another after it.
  const pump = async (): Promise<void> => {
    while (accepting && runs.size < config.concurrency) {
      const job = await jobs.claimNext(config.workerId);
      if (!job) return;
      runJob(job);
    }
  };
  function wake(): void {
    if (!accepting) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    pumpAgain = false;
    pump()
      .catch((err: unknown) => {
        logger.warn({ err }, 'claiming a training job failed; retrying shortly');
        retryTimer ??= setTimeout(() => {
          retryTimer = null;
          wake();
        }, 1_000);
      })
      .finally(() => {
        pumping = false;
        if (pumpAgain) wake();
      });
  }

  const unlisten: (() => Promise<void>)[] = [];
  try {
    await queue.start();
    unlisten.push(
      await bus.subscribe<{ jobId?: unknown; action?: unknown }>(
        TRAINING_CONTROL_CHANNEL,
        (payload) => {
          if (payload?.action === 'cancel' && typeof payload.jobId === 'string')
            runs.get(payload.jobId)?.requestCancel();
        },
        // Cancels sent while the listener was down are lost: re-read every running job's flag.
        { onReconnect: () => runs.forEach((run) => run.poll()) },
      ),
      // Enqueued, a slot freed on some worker, or a quota raised: any may make a job claimable.
      await bus.subscribe<{ queue?: unknown }>(
        QUEUE_WAKEUP_CHANNEL,
        (payload) => {
          if (payload?.queue === TRAINING_QUEUE) wake();
        },
        { onReconnect: wake },
      ),
      await bus.subscribe(WORKSPACE_QUOTA_CHANNEL, wake),
    );
  } catch (err) {
    await queue.stop({ graceful: false }).catch(() => undefined);
    await closeAll();
    throw err;
  }

  // A message says "a job was enqueued"; the fair pick, not the message, decides which job runs.
  async function handleTraining(message: QueuedJob<TrainingQueuePayload>): Promise<void> {
    await message.complete();
    wake();
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
    } catch (err) {
      logger.warn({ err }, 'reaping lapsed leases failed');
    } finally {
      reaping = false;
    }
  };
  const reaper = setInterval(() => void reap(), config.reapEveryMs);
  void reap();
  // The fallback when every NOTIFY was missed (a listener reconnecting).
  const poller = setInterval(wake, config.pollIntervalMs);

  try {
    await queue.work(
      { [TRAINING_QUEUE]: handleTraining },
      { concurrency: 1, pollIntervalMs: config.pollIntervalMs },
    );
  } catch (err) {
    accepting = false;
    clearInterval(reaper);
    clearInterval(poller);
    await queue.stop({ graceful: false }).catch(() => undefined);
    await closeAll();
    throw err;
  }
  logger.info(
    { concurrency: config.concurrency, leaseMs: config.leaseMs },
    'training worker started',
  );
  wake();

  let stopping: Promise<void> | null = null;
  return {
    workerId: config.workerId,
    runningJobs: () => [...runs.keys()],
    stop() {
      stopping ??= (async () => {
        accepting = false;
        clearInterval(reaper);
        clearInterval(poller);
        if (retryTimer) clearTimeout(retryTimer);
        while (pumping) await new Promise((resolve) => setTimeout(resolve, 20));
        // Each run checkpoints, hands its job back, and returns.
        shutdown.abort();
        await waitForRuns([...active], config.shutdownTimeoutMs, logger);
        await queue.stop({ graceful: true, timeoutMs: config.shutdownTimeoutMs });
        while (reaping) await new Promise((resolve) => setTimeout(resolve, 20));
        for (const stop of unlisten) await stop().catch(() => undefined);
        await closeAll();
        logger.info('training worker stopped');
      })();
      return stopping;
    },
  };
}

/** Waits for `runs` to return, at most `timeoutMs` (then logs and goes on shutting down). */
async function waitForRuns(
  runs: Promise<void>[],
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
  );
  if ((await Promise.race([Promise.all(runs), timeout])) === 'timeout')
    logger.warn({ timeoutMs }, 'training runs still running at shutdown');
  clearTimeout(timer);
}
