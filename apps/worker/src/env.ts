import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DEFAULT_POOL_TIMEOUTS, type PoolTimeouts } from '@maas/db';
import { LEASE_MS, MAX_ATTEMPTS, REAP_EVERY_MS, RENEW_EVERY_MS } from '@maas/jobs';
import { z } from 'zod';

// The worker's configuration, read and checked once here; nothing else reads process.env.
const intFrom = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** The variables this process reads (docs/configuration.md lists each one). */
export const EnvSchema = z
  .object({
    DATABASE_URL: z
      .string({ error: 'DATABASE_URL is required (npm start sets it)' })
      .min(1, 'DATABASE_URL is required (npm start sets it)'),
    ARTIFACT_STORE_URL: z.string().optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** Identifies this process in `training_jobs.lease_owner`. */
    MAAS_WORKER_ID: z.string().max(128).optional(),
    /** Lease of a running job; another worker resumes it this long after this one stops renewing. */
    MAAS_LEASE_MS: intFrom(LEASE_MS, 500),
    MAAS_LEASE_RENEW_MS: intFrom(RENEW_EVERY_MS, 100),
    MAAS_REAP_INTERVAL_MS: intFrom(REAP_EVERY_MS, 100),
    /** Attempts that may end without a word from their worker (crash, kill, OOM) before the job FAILS. */
    MAAS_MAX_ATTEMPTS: intFrom(MAX_ATTEMPTS, 1),
    /** Heap limit of a training thread (MiB): a runaway job dies alone, the worker lives on. */
    MAAS_TRAINING_THREAD_HEAP_MB: intFrom(2048, 64),
    /** Fallback poll of the queue; NOTIFY normally wakes the worker at once. */
    MAAS_QUEUE_POLL_MS: intFrom(5_000, 100),
    /** Checkpoint weights, optimizer and random state every this many epochs... */
    MAAS_CHECKPOINT_EVERY_EPOCHS: intFrom(5, 1),
    /** ...but not more often than this (tiny fast jobs would otherwise write one per few ms). */
    MAAS_CHECKPOINT_MIN_INTERVAL_MS: intFrom(1_000, 0),
    /** Training jobs run at once by this process (each takes a core). */
    MAAS_WORKER_CONCURRENCY: intFrom(1, 1),
    /** How long SIGTERM waits for the running job to be handed back. */
    SHUTDOWN_TIMEOUT_MS: intFrom(10_000, 0),
    DB_POOL_SIZE: intFrom(4, 2),
    DB_STATEMENT_TIMEOUT_MS: intFrom(DEFAULT_POOL_TIMEOUTS.statementTimeoutMs),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: intFrom(DEFAULT_POOL_TIMEOUTS.idleInTransactionTimeoutMs),
    DB_CONNECT_TIMEOUT_MS: intFrom(DEFAULT_POOL_TIMEOUTS.connectTimeoutMs),
  })
  .refine((env) => env.MAAS_LEASE_RENEW_MS * 2 <= env.MAAS_LEASE_MS, {
    message:
      'MAAS_LEASE_RENEW_MS must be at most half of MAAS_LEASE_MS, or a lease could lapse between renewals',
    path: ['MAAS_LEASE_RENEW_MS'],
  });

/** What the worker runs with. */
export interface WorkerConfig {
  databaseUrl: string;
  artifactStoreUrl?: string;
  logLevel: string;
  workerId: string;
  leaseMs: number;
  maxAttempts: number;
  trainingThreadHeapMb: number;
  renewEveryMs: number;
  reapEveryMs: number;
  pollIntervalMs: number;
  checkpointEveryEpochs: number;
  checkpointMinIntervalMs: number;
  concurrency: number;
  shutdownTimeoutMs: number;
  dbPoolSize: number;
  /** Of every pool: the DataSource, the artifact store's, pg-boss's. */
  dbTimeouts: PoolTimeouts;
}

/** Reads and checks the environment; throws one error listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    artifactStoreUrl: c.ARTIFACT_STORE_URL,
    logLevel: c.LOG_LEVEL,
    workerId: c.MAAS_WORKER_ID ?? defaultWorkerId(),
    leaseMs: c.MAAS_LEASE_MS,
    maxAttempts: c.MAAS_MAX_ATTEMPTS,
    trainingThreadHeapMb: c.MAAS_TRAINING_THREAD_HEAP_MB,
    renewEveryMs: c.MAAS_LEASE_RENEW_MS,
    reapEveryMs: c.MAAS_REAP_INTERVAL_MS,
    pollIntervalMs: c.MAAS_QUEUE_POLL_MS,
    checkpointEveryEpochs: c.MAAS_CHECKPOINT_EVERY_EPOCHS,
    checkpointMinIntervalMs: c.MAAS_CHECKPOINT_MIN_INTERVAL_MS,
    concurrency: c.MAAS_WORKER_CONCURRENCY,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    dbPoolSize: c.DB_POOL_SIZE,
    dbTimeouts: {
      statementTimeoutMs: c.DB_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: c.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      connectTimeoutMs: c.DB_CONNECT_TIMEOUT_MS,
    },
  };
}

function defaultWorkerId(): string {
  return `${hostname().slice(0, 80)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
