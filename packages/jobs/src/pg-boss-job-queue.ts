import { EventBus, pgPoolTimeouts, QUEUE_WAKEUP_CHANNEL, type PoolTimeouts } from '@maas/db';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import type {
  JobHandler,
  JobQueue,
  QueuedJob,
  QueueHandlers,
  StopOptions,
  WorkOptions,
} from './job-queue';
import {
  QUEUE_NAMES,
  TRAINING_QUEUE,
  assertJobId,
  type QueueName,
  type QueuePayloads,
} from './queues';
import { assertInTransaction, queryRows } from './sql';

/** The subset of a pino logger the queue uses. */
export interface JobQueueLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of {@link createJobQueue}. */
export interface JobQueueSettings {
  /** `postgres://...` of the maas database (pg-boss keeps its tables in `schema` there). */
  databaseUrl: string;
  /** Default `pgboss`. */
  schema?: string;
  logger?: JobQueueLogger;
  /** pg-boss's connection pool. Default 4. */
  poolSize?: number;
  /** Statement, idle-in-transaction and connect timeouts of that pool; default DEFAULT_POOL_TIMEOUTS. */
  timeouts?: PoolTimeouts;
  applicationName?: string;
  /** Run pg-boss maintenance (expiring and archiving messages) in this process. Default true. */
  supervise?: boolean;
  /** LISTEN connection for wake-ups; default: one of its own (closed by `stop`). */
  bus?: EventBus;
}

// A training message lives only from send to lease (the worker completes it then), so pg-boss's
// expiry just recovers a worker that died in between; retries cover a failed claim.
const QUEUE_OPTIONS: Record<QueueName, Omit<PgBoss.Queue, 'name'>> = {
  [TRAINING_QUEUE]: {
    policy: 'standard',
    expireInSeconds: 300,
    retryLimit: 10,
    retryDelay: 2,
    retryBackoff: true,
    retentionMinutes: 7 * 24 * 60,
  },
};

const silentLogger: JobQueueLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The pg-boss 10 driver of {@link JobQueue}. Fetches with its own loop (one message at a time per
 * loop) rather than pg-boss's `work()`, whose handler timeout equals the message's expiry: a
 * training run outlives that, and its lease, not pg-boss, decides who owns it.
 */
export function createJobQueue(settings: JobQueueSettings): JobQueue {
  return new PgBossJobQueue(settings);
}

class PgBossJobQueue implements JobQueue {
  private readonly boss: PgBoss;
  private readonly logger: JobQueueLogger;
  private readonly loops: FetchLoop[] = [];
  private bus: EventBus | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private started = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly schema: string;

  constructor(private readonly settings: JobQueueSettings) {
    this.logger = settings.logger ?? silentLogger;
    this.schema = settings.schema ?? 'pgboss';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema))
      throw new Error(
        `JobQueue: schema must be a lower-case SQL identifier, got "${this.schema}".`,
      );
    this.boss = new PgBoss({
      connectionString: settings.databaseUrl,
      schema: this.schema,
      max: settings.poolSize ?? 4,
      // pg-boss hands its options to node-postgres's Pool.
      ...pgPoolTimeouts(settings.timeouts),
      application_name: settings.applicationName ?? 'maas-queue',
      supervise: settings.supervise ?? true,
      schedule: false,
      migrate: true,
    });
    this.boss.on('error', (err) => this.logger.error({ err }, 'pg-boss error'));
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const name of QUEUE_NAMES) {
      const options = { name, ...QUEUE_OPTIONS[name] };
      if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, options);
      else await this.boss.createQueue(name, options);
    }
    this.started = true;
  }

  async enqueue<Q extends QueueName>(
    manager: EntityManager,
    queue: Q,
    data: QueuePayloads[Q],
  ): Promise<string> {
    assertInTransaction(manager, 'enqueue');
    const db: PgBoss.Db = {
      executeSql: async (text, values) => ({ rows: await queryRows(manager, text, values) }),
    };
    const id = await this.boss.send(queue, data, { db });
    if (!id) throw new Error(`pg-boss did not accept the message on "${queue}".`);
    // Delivered when the transaction commits, i.e. exactly when the message becomes visible.
    await manager.query('SELECT pg_notify($1, $2)', [
      QUEUE_WAKEUP_CHANNEL,
      JSON.stringify({ queue }),
    ]);
    return id;
  }

  async enqueueTraining(manager: EntityManager, jobId: string): Promise<void> {
    assertJobId(jobId, 'enqueueTraining');
    await this.enqueue(manager, TRAINING_QUEUE, { jobId });
  }

  async liveTrainingJobIds(
    manager: EntityManager,
    jobIds: readonly string[],
  ): Promise<Set<string>> {
    if (jobIds.length === 0) return new Set();
    // The one place that reads pg-boss's own tables: messages of a queue live in `<schema>.job`.
    const rows = await queryRows<{ job_id: string }>(
      manager,
      `SELECT DISTINCT data->>'jobId' AS job_id FROM ${this.schema}.job
       WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data->>'jobId' = ANY($2::text[])`,
      [TRAINING_QUEUE, [...jobIds]],
    );
    return new Set(rows.map((row) => row.job_id));
  }

  async work(handlers: QueueHandlers, options: WorkOptions = {}): Promise<void> {
    if (!this.started) throw new Error('JobQueue.work: call start() first.');
    if (this.loops.length > 0)
      throw new Error('JobQueue.work: already working; register every handler in one call.');
    const missing = QUEUE_NAMES.filter((name) => typeof handlers[name] !== 'function');
    if (missing.length > 0) {
      throw new Error(
        `JobQueue.work: no handler for queue(s) ${missing.join(', ')}; refusing to start.`,
      );
    }
    const concurrency = options.concurrency ?? 1;
    const pollIntervalMs = options.pollIntervalMs ?? 5_000;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`JobQueue.work: concurrency must be a positive integer, got ${concurrency}.`);
    }
    if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 100) {
      throw new Error(`JobQueue.work: pollIntervalMs must be at least 100, got ${pollIntervalMs}.`);
    }
    this.bus =
      this.settings.bus ??
      new EventBus({
        url: this.settings.databaseUrl,
        applicationName: 'maas-queue-wakeup',
        onError: (err) => this.logger.warn({ err }, 'queue wake-up listener error'),
      });
    // Listen before the first fetch, so nothing enqueued in between is waited out.
    this.unlisten = await this.bus.subscribe<{ queue?: string }>(
      QUEUE_WAKEUP_CHANNEL,
      (payload) => {
        for (const loop of this.loops) if (loop.queue === payload?.queue) loop.wake();
      },
      { onReconnect: () => this.loops.forEach((loop) => loop.wake()) },
    );
    for (const name of QUEUE_NAMES) {
      for (let i = 0; i < concurrency; i++) {
        const loop = new FetchLoop(
          this.boss,
          name,
          handlers[name] as JobHandler<unknown>,
          pollIntervalMs,
          this.abort.signal,
          this.logger,
        );
        this.loops.push(loop);
        loop.run();
      }
    }
  }

  async stopFetching(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stopFetching()));
  }

  async size(queue: QueueName): Promise<number> {
    return this.boss.getQueueSize(queue);
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const graceful = options.graceful ?? true;
    const timeoutMs = options.timeoutMs ?? 10_000;
    await this.stopFetching();
    this.abort.abort();
    if (graceful) {
      const idle = Promise.all(this.loops.map((loop) => loop.idle()));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
      );
      if ((await Promise.race([idle, timeout])) === 'timeout') {
        this.logger.warn({ timeoutMs }, 'job handlers still running at shutdown');
      }
      clearTimeout(timer);
    }
    await this.unlisten?.().catch(() => undefined);
    if (this.bus && this.bus !== this.settings.bus) await this.bus.close();
    if (this.started) await this.boss.stop({ graceful: false, close: true, wait: true });
  }
}

/** Fetches one message at a time from one queue and runs its handler. */
class FetchLoop {
  private fetching = true;
  private woken = false;
  private wakeSleep: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  private fetch: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly boss: PgBoss,
    readonly queue: QueueName,
    private readonly handler: JobHandler<unknown>,
    private readonly pollIntervalMs: number,
    private readonly signal: AbortSignal,
    private readonly logger: JobQueueLogger,
  ) {}

  run(): void {
    this.running = this.loop();
  }

  /** Fetch now instead of at the next poll (also remembered while a fetch or handler runs). */
  wake(): void {
    this.woken = true;
    this.wakeSleep?.();
  }

  /** Resolves once no fetch is in flight; a running handler goes on. */
  async stopFetching(): Promise<void> {
    this.fetching = false;
    this.wakeSleep?.();
    await this.fetch.catch(() => undefined);
  }

  /** Resolves once the loop exited (its last handler returned). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.fetching) {
      this.woken = false;
      let jobs: PgBoss.Job<unknown>[];
      try {
        const fetch = this.boss.fetch<unknown>(this.queue, { batchSize: 1 });
        this.fetch = fetch;
        jobs = await fetch;
        failures = 0;
      } catch (err) {
        failures++;
        this.logger.warn({ err, queue: this.queue }, 'fetching from the queue failed');
        await this.sleep(Math.min(this.pollIntervalMs, 250 * 2 ** Math.min(failures, 5)));
        continue;
      }
      const job = jobs[0];
      if (!job) {
        if (!this.woken) await this.sleep(this.pollIntervalMs);
        continue;
      }
      // Stop fetching? The message was taken already: it still gets handled (or handed back).
      await this.handle(job);
    }
  }

  private async handle(job: PgBoss.Job<unknown>): Promise<void> {
    let settled = false;
    const queued: QueuedJob<unknown> = {
      id: job.id,
      queue: this.queue,
      data: job.data,
      signal: this.signal,
      complete: async () => {
        if (settled) return;
        settled = true;
        await this.boss.complete(this.queue, job.id);
      },
    };
    try {
      await this.handler(queued);
      await queued.complete();
    } catch (err) {
      this.logger.error({ err, queue: this.queue, messageId: job.id }, 'job handler failed');
      if (!settled) {
        settled = true;
        const message = err instanceof Error ? err.message : String(err);
        await this.boss.fail(this.queue, job.id, { message }).catch((failErr: unknown) => {
          this.logger.error(
            { err: failErr, messageId: job.id },
            'could not fail the queue message',
          );
        });
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.fetching) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = null;
        done();
      };
    });
  }
}
