import type { EntityManager } from 'typeorm';
import type { QueueName, QueuePayloads } from './queues';

/** A message taken from a queue, handed to its {@link JobHandler}. */
export interface QueuedJob<T> {
  /** The queue message's id (not the training job's id). */
  readonly id: string;
  readonly queue: QueueName;
  readonly data: T;
  /** Aborted when the queue stops (SIGTERM): hand the work back and return promptly. */
  readonly signal: AbortSignal;
  /**
   * Acknowledges the message now, before the handler returns (e.g. once a training job's lease is
   * taken, so the queue's own expiry never races the lease). Idempotent; otherwise the message is
   * completed when the handler resolves, and failed (then retried by the queue) when it throws.
   */
  complete(): Promise<void>;
}

/** Handles one message. */
export type JobHandler<T> = (job: QueuedJob<T>) => Promise<void>;

/** One handler per queue: the type makes a missing one a compile error, `work` a runtime one. */
export type QueueHandlers = { [Q in QueueName]: JobHandler<QueuePayloads[Q]> };

/** Options of {@link JobQueue.work}. */
export interface WorkOptions {
  /** Messages handled at once per queue. Default 1 (a training job uses a whole core). */
  concurrency?: number;
  /**
   * Fallback poll when no wake-up notification arrives (a lost NOTIFY, a listener reconnecting).
   * Default 5000 ms; pickup normally happens within milliseconds of the enqueuing commit.
   */
  pollIntervalMs?: number;
}

/** Options of {@link JobQueue.stop}. */
export interface StopOptions {
  /** Abort running handlers' signals and wait (up to `timeoutMs`) for them to return. Default true. */
  graceful?: boolean;
  /** Default 10000. */
  timeoutMs?: number;
}

/**
 * The job queue behind a small interface (pg-boss today, see `createJobQueue`). The API only
 * enqueues; a worker also calls {@link work} once with a handler for every queue.
 */
export interface JobQueue {
  /** Installs/updates the queue schema and creates the queues. Call once before anything else. */
  start(): Promise<void>;
  /**
   * Sends a message inside the caller's transaction (it exists only if that commits) and NOTIFYs
   * idle workers, who fetch it as soon as the transaction commits. Returns the message id.
   */
  enqueue<Q extends QueueName>(
    manager: EntityManager,
    queue: Q,
    data: QueuePayloads[Q],
  ): Promise<string>;
  /**
   * Enqueues training job `jobId` inside the caller's TypeORM transaction, the one that inserted
   * or re-queued its row (the training-job store's transitions call it).
   */
  enqueueTraining(manager: EntityManager, jobId: string): Promise<void>;
  /**
   * Of training jobs `jobIds`, those with a message still waiting or being handled on the training
   * queue (pg-boss: created, retry or active), read through `manager` (so inside the caller's
   * transaction when it has one). Training no longer depends on it (the fair claim reads
   * `training_jobs`); it tells operators and tests which messages are still live.
   */
  liveTrainingJobIds(manager: EntityManager, jobIds: readonly string[]): Promise<Set<string>>;
  /**
   * Starts consuming every queue: `handlers` must name one for each queue in `QUEUE_NAMES`, else
   * this throws and nothing starts. Wakes on NOTIFY, polls as a fallback. Call once, after `start`.
   */
  work(handlers: QueueHandlers, options?: WorkOptions): Promise<void>;
  /** Stops fetching new messages (running handlers go on). Resolves when the fetch loops exited. */
  stopFetching(): Promise<void>;
  /** Messages of `queue` waiting to be handled (created or retry). */
  size(queue: QueueName): Promise<number>;
  /** Stops fetching, then (graceful) aborts handlers' signals and waits for them; closes connections. */
  stop(options?: StopOptions): Promise<void>;
}
