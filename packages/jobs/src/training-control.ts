import { TRAINING_CONTROL_CHANNEL, type JobStatus } from '@maas/db';
import type { EntityManager } from 'typeorm';
import type { JobQueue } from './job-queue';
import type { TrainingJobEvent } from './training-events';
import {
  cancelTrainingJob,
  retryTrainingJob,
  trainingJobStatus,
  type JobScope,
} from './training-job-store';

/** What {@link requestCancel} did. */
export type CancelResult =
  /** The job was QUEUED: it is CANCELLED now (no worker will run it). */
  | { outcome: 'CANCELLED'; event: TrainingJobEvent }
  /** The job is RUNNING: its worker stops the thread and marks it CANCELLED within seconds. */
  | { outcome: 'CANCEL_REQUESTED'; event: TrainingJobEvent }
  | { outcome: 'NOT_FOUND' }
  /** SUCCEEDED, FAILED or CANCELLED already: nothing changed. */
  | { outcome: 'ALREADY_FINISHED'; status: JobStatus };

/** What {@link retryJob} did. */
export type RetryResult =
  /** Re-queued as a new attempt; the event is the first of its new stream. */
  | { outcome: 'QUEUED'; event: TrainingJobEvent }
  | { outcome: 'NOT_FOUND' }
  /** Only FAILED and CANCELLED jobs can be retried. */
  | { outcome: 'NOT_RETRYABLE'; status: JobStatus };

/**
 * Asks for training job `jobId` to stop, inside the caller's transaction (the transition is the
 * store's `cancelTrainingJob`). A QUEUED job becomes CANCELLED at once (a worker that later takes
 * its queue message skips it). A RUNNING job gets `cancel_requested_at`, and its worker is told on
 * {@link TRAINING_CONTROL_CHANNEL} (or reads it at its next lease renewal, every few seconds): it
 * terminates the training thread and marks the job CANCELLED; a job whose worker died is
 * CANCELLED by the reaper when the lease lapses. Idempotent for a job already asked to stop.
 */
export async function requestCancel(
  manager: EntityManager,
  jobId: string,
  scope?: JobScope,
): Promise<CancelResult> {
  const event = await cancelTrainingJob(manager, jobId, scope);
  if (!event) {
    const status = await trainingJobStatus(manager, jobId, scope);
    return status ? { outcome: 'ALREADY_FINISHED', status } : { outcome: 'NOT_FOUND' };
  }
  if (event.status === 'RUNNING') {
    await manager.query('SELECT pg_notify($1, $2)', [
      TRAINING_CONTROL_CHANNEL,
      JSON.stringify({ jobId, action: 'cancel' }),
    ]);
    return { outcome: 'CANCEL_REQUESTED', event };
  }
  return { outcome: 'CANCELLED', event };
}

/**
 * Re-queues a FAILED or CANCELLED training job as a new attempt, inside the caller's transaction
 * (the store's `retryTrainingJob`): epoch 0, error, times, checkpoint and epochs cleared, enqueued
 * on `queue`. The worker that takes it increments `attempt` (2 for a first retry). Subscribers
 * treat its `status` event as the start of a new stream.
 */
export async function retryJob(
  manager: EntityManager,
  jobId: string,
  queue: Pick<JobQueue, 'enqueueTraining'>,
  scope?: JobScope,
): Promise<RetryResult> {
  const event = await retryTrainingJob(manager, jobId, queue, scope);
  if (event) return { outcome: 'QUEUED', event };
  const status = await trainingJobStatus(manager, jobId, scope);
  return status ? { outcome: 'NOT_RETRYABLE', status } : { outcome: 'NOT_FOUND' };
}
