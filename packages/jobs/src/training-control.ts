import { TRAINING_CONTROL_CHANNEL, type JobStatus } from '@maas/db';
import type { EntityManager } from 'typeorm';
import type { JobQueue } from './job-queue';
import { assertJobId } from './queues';
import { assertInTransaction, queryRows } from './sql';
import {
  JOB_EVENT_COLUMNS,
  eventFromRow,
  publishTrainingJobEvent,
  type JobEventRow,
  type TrainingJobEvent,
} from './training-events';

/** Restricts a control call to one workspace's jobs (tenants never touch each other's jobs). */
export interface JobScope {
  workspaceId: string;
}

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
 * Asks for training job `jobId` to stop, inside the caller's transaction. A QUEUED job becomes
 * CANCELLED at once (`finished_at` set; a worker that later takes its queue message skips it). A
 * RUNNING job gets `cancel_requested_at`: its worker hears it through
 * {@link TRAINING_CONTROL_CHANNEL} (or at its next lease renewal, every few seconds), terminates
 * the training thread and marks the job CANCELLED; a job whose worker died is CANCELLED by the
 * reaper when the lease lapses. Either way `seq` is incremented and a `status` event published
 * (delivered on commit). Idempotent for a job already asked to stop.
 */
export async function requestCancel(
  manager: EntityManager,
  jobId: string,
  scope?: JobScope,
): Promise<CancelResult> {
  assertJobId(jobId, 'requestCancel');
  assertInTransaction(manager, 'requestCancel');
  const rows = await queryRows<JobEventRow>(
    manager,
    `UPDATE training_jobs SET
       cancel_requested_at = coalesce(cancel_requested_at, now()),
       status = CASE WHEN status = 'QUEUED' THEN 'CANCELLED'::job_status ELSE status END,
       finished_at = CASE WHEN status = 'QUEUED' THEN now() ELSE finished_at END,
       seq = seq + 1
     WHERE id = $1 AND ($2::uuid IS NULL OR workspace_id = $2) AND status IN ('QUEUED', 'RUNNING')
     RETURNING ${JOB_EVENT_COLUMNS}`,
    [jobId, scope?.workspaceId ?? null],
  );
  const row = rows[0];
  if (!row) {
    const status = await currentStatus(manager, jobId, scope);
    return status ? { outcome: 'ALREADY_FINISHED', status } : { outcome: 'NOT_FOUND' };
  }
  const event = eventFromRow(row, 'status');
  await publishTrainingJobEvent(manager, event);
  if (row.status === 'RUNNING') {
    await manager.query('SELECT pg_notify($1, $2)', [
      TRAINING_CONTROL_CHANNEL,
      JSON.stringify({ jobId, action: 'cancel' }),
    ]);
    return { outcome: 'CANCEL_REQUESTED', event };
  }
  return { outcome: 'CANCELLED', event };
}

/**
 * Re-queues a FAILED or CANCELLED training job as a new attempt, inside the caller's transaction:
 * status QUEUED, epoch 0, error, started/finished times, cancel flag, lease and checkpoint cleared,
 * its `training_epochs` rows deleted (the new run writes its own), the message enqueued on `queue`
 * and a `status` event published. The worker that takes it increments `attempt` (2 for a first
 * retry). Subscribers treat it as a new stream.
 */
export async function retryJob(
  manager: EntityManager,
  jobId: string,
  queue: Pick<JobQueue, 'enqueueTraining'>,
  scope?: JobScope,
): Promise<RetryResult> {
  assertJobId(jobId, 'retryJob');
  assertInTransaction(manager, 'retryJob');
  const rows = await queryRows<JobEventRow>(
    manager,
    `UPDATE training_jobs SET
       status = 'QUEUED', epoch = 0, error = NULL, started_at = NULL, finished_at = NULL,
       cancel_requested_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
       checkpoint = NULL, checkpoint_epoch = NULL, seq = seq + 1
     WHERE id = $1 AND ($2::uuid IS NULL OR workspace_id = $2) AND status IN ('FAILED', 'CANCELLED')
       AND result_version_id IS NULL
     RETURNING ${JOB_EVENT_COLUMNS}`,
    [jobId, scope?.workspaceId ?? null],
  );
  const row = rows[0];
  if (!row) {
    const status = await currentStatus(manager, jobId, scope);
    return status ? { outcome: 'NOT_RETRYABLE', status } : { outcome: 'NOT_FOUND' };
  }
  await manager.query('DELETE FROM training_epochs WHERE job_id = $1', [jobId]);
  await queue.enqueueTraining(manager, jobId);
  const event = eventFromRow(row, 'status');
  await publishTrainingJobEvent(manager, event);
  return { outcome: 'QUEUED', event };
}

async function currentStatus(
  manager: EntityManager,
  jobId: string,
  scope?: JobScope,
): Promise<JobStatus | null> {
  const rows = await queryRows<{ status: JobStatus }>(
    manager,
    'SELECT status FROM training_jobs WHERE id = $1 AND ($2::uuid IS NULL OR workspace_id = $2)',
    [jobId, scope?.workspaceId ?? null],
  );
  return rows[0]?.status ?? null;
}
