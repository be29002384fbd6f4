/**
 * The training-job store: the only code that changes `training_jobs` rows (and their
 * `training_epochs`). This file holds the transitions that join the caller's transaction (the API's
 * start, cancel and retry); `training-job-lease-store.ts` ({@link TrainingJobLeaseStore}) holds the
 * worker's, made under a lease and fenced by the attempt, and the sweep that ends lapsed leases.
 *
 * Every transition increments `seq` and publishes a {@link TrainingJobEvent} in the same
 * transaction (delivered when it commits). A job is in a final state once SUCCEEDED, FAILED or
 * CANCELLED; only a retry leaves FAILED or CANCELLED, and nothing leaves SUCCEEDED.
 *
 * **The fair queue.** `training_jobs` itself is the queue: a worker with a free slot claims the
 * next job with `claimNext`, which picks, among workspaces that have a QUEUED job and fewer RUNNING
 * jobs (on every worker) than their `workspaces.max_concurrent_jobs` (null: unlimited), the one
 * served least recently (its newest `attempt_started_at` is the oldest; never served first), and
 * its oldest QUEUED job. Claims run in one transaction under one advisory lock shared by every
 * worker, so the RUNNING count a claim reads cannot change before it commits: two workers never
 * push a workspace past its quota. A workspace at its quota is skipped (its jobs stay QUEUED), so
 * it blocks nobody. pg-boss stays the transport of "a job was enqueued" (every transition that
 * makes a job QUEUED still sends a message and a NOTIFY on QUEUE_WAKEUP_CHANNEL), but a worker
 * drains those messages as wake-ups: the fair pick, not the message order, decides what runs, so a
 * message lost or used up can no longer strand a job (no orphan sweep). Every end of an attempt
 * also NOTIFYs QUEUE_WAKEUP_CHANNEL, so a job a finishing job unblocks starts at once.
 *
 * **Training seconds.** Every end of an attempt (succeeded, failed, cancelled, handed back,
 * reaped) adds that attempt's wall-clock seconds (`attempt_started_at` to now; a reaped attempt to
 * its last lease renewal) to `usage_counters` by workspace, model and `started_by_key_id`, with
 * `recordUsage`, in the transaction of the transition: one write per attempt end, fenced like it
 * (a worker that lost its lease writes none), and nothing lost when a worker crashes (the reaper
 * charges the attempt).
 *
 * | from                       | event                                | to                              | triggered by                          | function                   |
 * | -------------------------- | ------------------------------------ | ------------------------------- | ------------------------------------- | -------------------------- |
 * | (none)                     | start: insert + enqueue              | QUEUED (attempt 0, seq 1)       | API `startTrainingJob`                | `insertTrainingJob`        |
 * | QUEUED, fair pick, workspace below its quota | claim: attempt + 1, lease taken, `attempt_started_at` | RUNNING | worker with a free slot | `claimNext`       |
 * | RUNNING                    | renew the lease                      | RUNNING                         | worker (its attempt), every few s     | `renew`                    |
 * | RUNNING                    | epochs finished (+ checkpoint)       | RUNNING                         | worker (its attempt)                  | `recordEpochs`             |
 * | RUNNING                    | checkpoint before a hand-back        | RUNNING                         | worker (its attempt)                  | `saveCheckpoint`           |
 * | RUNNING                    | trained: version committed           | SUCCEEDED (`result_version_id`) | worker (its attempt)                  | `completeWithVersion`      |
 * | RUNNING, cancel requested  | trained                              | CANCELLED, no version           | worker (its attempt)                  | `completeWithVersion`      |
 * | RUNNING                    | training or input error              | FAILED (`error`)                | worker (its attempt)                  | `fail`                     |
 * | RUNNING, cancel requested  | cancel heard (NOTIFY or renewal)     | CANCELLED                       | worker (its attempt)                  | `cancel`                   |
 * | RUNNING                    | shutdown: hand back                  | QUEUED + enqueued (CANCELLED if a cancel was requested) | worker (its attempt) | `handBack`        |
 * | RUNNING, lease lapsed      | reap                                 | QUEUED + enqueued (CANCELLED if a cancel was requested) | any worker's reaper  | `reapLapsed`      |
 * | RUNNING, lease lapsed      | reap, lapsed attempts reach the cap  | FAILED (`error`: attempts exhausted) | any worker's reaper             | `reapLapsed`      |
 * | QUEUED                     | cancel                               | CANCELLED                       | API `cancelTrainingJob`               | `cancelTrainingJob`        |
 * | RUNNING                    | cancel                               | RUNNING, `cancel_requested_at`  | API `cancelTrainingJob`               | `cancelTrainingJob`        |
 * | FAILED, CANCELLED          | retry: reset, epochs deleted         | QUEUED + enqueued               | API `retryTrainingJob`                | `retryTrainingJob`         |
 *
 * Every row leaving RUNNING (the worker's ends, hand-back, reap) records the attempt's training
 * seconds and wakes idle workers, as above.
 *
 * "Its attempt": the statement's WHERE is `id = $job AND attempt = $mine AND status = 'RUNNING'`,
 * so a worker that lost its lease (paused past it, partitioned, reaped, its job taken over by a
 * newer attempt) changes nothing. A claim needs a QUEUED job with no cancel request and no result;
 * a RUNNING job whose lease lapsed is claimable again once the reaper has re-queued it.
 *
 * `lapsed_attempts` counts attempts that ended without a word from their worker (reaped); at
 * `MAAS_MAX_ATTEMPTS` (default 3) the reaper fails the job instead of re-queueing it. Hand-backs
 * at shutdown do not count; a retry resets it.
 */
import {
  EvaluationResult,
  TrainingJob,
  type AlgorithmName,
  type JobKind,
  type JobStatus,
  type SignatureRecord,
} from '@maas/db';
import type { EntityManager } from 'typeorm';
import type { JobQueue } from './job-queue';
import { assertJobId } from './queues';
import { assertInTransaction, queryRows } from './sql';
import {
  JOB_EVENT_COLUMNS,
  publishRowEvent,
  publishTrainingJobEvent,
  type JobEventRow,
  type TrainingJobEvent,
} from './training-events';

/** Restricts a call to one workspace's jobs (tenants never touch each other's jobs). */
export interface JobScope {
  workspaceId: string;
  /** Only jobs of this kind (the training API never touches evaluation jobs, and back). */
  kind?: JobKind;
}

/** What a job trains: the inputs `startTrainingJob` validated, as the row keeps them. */
export interface TrainingJobInputs {
  workspaceId: string;
  modelId: string;
  datasetId: string;
  algorithm: AlgorithmName;
  target: string;
  features: string[];
  /** Resolved, defaults filled in. */
  hyperparameters: Record<string, unknown>;
  warmStartVersionId: string | null;
}

/**
 * A job whose lease a worker holds, at the attempt it took: a training job, or an evaluation job
 * (`kind` EVALUATION: `algorithm` null, `features` the versions' shared features).
 */
export interface LeasedJob extends Omit<TrainingJobInputs, 'algorithm'> {
  id: string;
  kind: JobKind;
  algorithm: AlgorithmName | null;
  /** Every write of `TrainingJobLeaseStore` is fenced by it. */
  attempt: number;
  epoch: number;
  checkpointEpoch: number | null;
}

/** One finished epoch, as the trainer reports it. */
export interface FinishedEpoch {
  epoch: number;
  loss: number;
  validationLoss: number | null;
  metrics: object;
}

/** One epoch to record, and the checkpoint taken right after it, if any. */
export interface EpochRecord {
  result: FinishedEpoch;
  /** When the epoch ended (ms since the Unix epoch), stored as `training_epochs.at`. */
  endedAt: number;
  checkpoint: Uint8Array | null;
}

/** Whether the attempt still holds the job, and whether a cancel was requested. */
export interface LeaseState {
  held: boolean;
  cancelRequested: boolean;
}

/** What `TrainingJobLeaseStore.completeWithVersion` records. */
export interface SuccessRecord {
  signature: SignatureRecord;
  sha256: string;
  sizeBytes: number;
  metrics: Record<string, unknown>;
  hyperparameters: Record<string, unknown>;
  featureImportance?: { feature: string; importance: number }[] | null;
}

/** One version's scores, as `TrainingJobLeaseStore.completeEvaluation` records them. */
export interface VersionScore {
  versionId: string;
  metrics: Record<string, unknown>;
  details: Record<string, unknown>;
  /** Permutation importance on the job's rows, most important first. */
  featureImportance: { feature: string; importance: number }[];
}

/** An evaluation job to start, its inputs already validated (see the API's `startEvaluationJob`). */
export interface NewEvaluationJob {
  workspaceId: string;
  /** The model whose versions are scored (they all belong to it). */
  modelId: string;
  datasetId: string;
  target: string;
  /** The features the versions share. */
  features: string[];
  /** In order; the first is the comparison's baseline. */
  versionIds: string[];
  startedByKeyId?: string | null;
}

/** A job to start, its inputs already validated (see the API's `startTrainingJob`). */
export interface NewTrainingJob extends TrainingJobInputs {
  epochs: number;
  /** The API key that starts it: its training seconds are metered against that key. */
  startedByKeyId?: string | null;
}

/** The state of a job that was just created: queued, never attempted. */
const QUEUED_JOB_STATE = {
  attemptStartedAt: null,
  status: 'QUEUED',
  epoch: 0,
  resultVersionId: null,
  attempt: 0,
  leaseOwner: null,
  leaseExpiresAt: null,
  checkpoint: null,
  checkpointEpoch: null,
  cancelRequestedAt: null,
  seq: 1,
  error: null,
  startedAt: null,
  finishedAt: null,
} as const;

/** Enqueues a just-inserted job on the training queue and publishes its `created` event. */
async function enqueueCreated(
  manager: EntityManager,
  queue: Pick<JobQueue, 'enqueueTraining'>,
  saved: TrainingJob,
): Promise<TrainingJob> {
  await queue.enqueueTraining(manager, saved.id);
  await publishTrainingJobEvent(manager, {
    jobId: saved.id,
    workspaceId: saved.workspaceId,
    seq: saved.seq,
    status: saved.status,
    epoch: saved.epoch,
    change: 'created',
  });
  return saved;
}

/**
 * Inserts a QUEUED job (attempt 0, seq 1), enqueues it and publishes its `created` event, inside
 * the caller's transaction: the job and its message exist only if that commits. Returns the row.
 */
export async function insertTrainingJob(
  manager: EntityManager,
  queue: Pick<JobQueue, 'enqueueTraining'>,
  job: NewTrainingJob,
): Promise<TrainingJob> {
  assertInTransaction(manager, 'insertTrainingJob');
  const saved = await manager.save(
    manager.create(TrainingJob, {
      ...job,
      kind: 'TRAINING',
      startedByKeyId: job.startedByKeyId ?? null,
      ...QUEUED_JOB_STATE,
    }),
  );
  return enqueueCreated(manager, queue, saved);
}

/**
 * Inserts a QUEUED evaluation job (kind EVALUATION, one `evaluation_results` row per version, in
 * order) on the training queue, enqueues it and publishes its `created` event, inside the
 * caller's transaction. The fair claim, lease, reaper and cancel treat it as any job.
 */
export async function insertEvaluationJob(
  manager: EntityManager,
  queue: Pick<JobQueue, 'enqueueTraining'>,
  job: NewEvaluationJob,
): Promise<TrainingJob> {
  assertInTransaction(manager, 'insertEvaluationJob');
  const saved = await manager.save(
    manager.create(TrainingJob, {
      workspaceId: job.workspaceId,
      modelId: job.modelId,
      datasetId: job.datasetId,
      kind: 'EVALUATION',
      algorithm: null,
      target: job.target,
      features: job.features,
      hyperparameters: {},
      epochs: 1,
      warmStartVersionId: null,
      startedByKeyId: job.startedByKeyId ?? null,
      ...QUEUED_JOB_STATE,
    }),
  );
  await manager.getRepository(EvaluationResult).insert(
    job.versionIds.map((versionId, position) => ({
      jobId: saved.id,
      position,
      workspaceId: job.workspaceId,
      versionId,
      metrics: null,
      details: null,
    })),
  );
  return enqueueCreated(manager, queue, saved);
}

/**
 * Asks job `jobId` to stop, inside the caller's transaction: a QUEUED job becomes CANCELLED at
 * once (`finished_at` set), a RUNNING one gets `cancel_requested_at` (its worker, or the reaper,
 * makes it CANCELLED). Returns the `status` event, or `null` when no QUEUED or RUNNING job matched.
 * Idempotent for a job already asked to stop.
 */
export async function cancelTrainingJob(
  manager: EntityManager,
  jobId: string,
  scope?: JobScope,
): Promise<TrainingJobEvent | null> {
  assertJobId(jobId, 'cancelTrainingJob');
  assertInTransaction(manager, 'cancelTrainingJob');
  const rows = await queryRows<JobEventRow>(
    manager,
    `UPDATE training_jobs SET
       cancel_requested_at = coalesce(cancel_requested_at, now()),
       status = CASE WHEN status = 'QUEUED' THEN 'CANCELLED'::job_status ELSE status END,
       finished_at = CASE WHEN status = 'QUEUED' THEN now() ELSE finished_at END,
       seq = seq + 1
     WHERE id = $1 AND ($2::uuid IS NULL OR workspace_id = $2) AND status IN ('QUEUED', 'RUNNING')
       AND ($3::job_kind IS NULL OR kind = $3)
     RETURNING ${JOB_EVENT_COLUMNS}`,
    [jobId, scope?.workspaceId ?? null, scope?.kind ?? null],
  );
  return publishRowEvent(manager, rows[0], 'status');
}

/**
 * Re-queues a FAILED or CANCELLED job without a result as a new attempt, inside the caller's
 * transaction: status QUEUED, epoch 0, error, times, cancel flag, lease and checkpoint cleared, its
 * `training_epochs` deleted, enqueued. Returns the `status` event, or `null` when no such job matched.
 */
export async function retryTrainingJob(
  manager: EntityManager,
  jobId: string,
  queue: Pick<JobQueue, 'enqueueTraining'>,
  scope?: JobScope,
): Promise<TrainingJobEvent | null> {
  assertJobId(jobId, 'retryTrainingJob');
  assertInTransaction(manager, 'retryTrainingJob');
  const rows = await queryRows<JobEventRow>(
    manager,
    `UPDATE training_jobs SET
       status = 'QUEUED', epoch = 0, error = NULL, started_at = NULL, finished_at = NULL,
       cancel_requested_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
       checkpoint = NULL, checkpoint_epoch = NULL, lapsed_attempts = 0, seq = seq + 1
     WHERE id = $1 AND ($2::uuid IS NULL OR workspace_id = $2) AND status IN ('FAILED', 'CANCELLED')
       AND result_version_id IS NULL AND ($3::job_kind IS NULL OR kind = $3)
     RETURNING ${JOB_EVENT_COLUMNS}`,
    [jobId, scope?.workspaceId ?? null, scope?.kind ?? null],
  );
  if (!rows[0]) return null;
  await manager.query('DELETE FROM training_epochs WHERE job_id = $1', [jobId]);
  await queue.enqueueTraining(manager, jobId);
  return publishRowEvent(manager, rows[0], 'status');
}

/** The job's status, or `null` when it does not exist (in `scope`). */
export async function trainingJobStatus(
  manager: EntityManager,
  jobId: string,
  scope?: JobScope,
): Promise<JobStatus | null> {
  const rows = await queryRows<{ status: JobStatus }>(
    manager,
    `SELECT status FROM training_jobs WHERE id = $1 AND ($2::uuid IS NULL OR workspace_id = $2)
       AND ($3::job_kind IS NULL OR kind = $3)`,
    [jobId, scope?.workspaceId ?? null, scope?.kind ?? null],
  );
  return rows[0]?.status ?? null;
}
