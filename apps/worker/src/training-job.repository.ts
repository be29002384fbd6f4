import {
  commitModelVersion,
  type AlgorithmName,
  type JobStatus,
  type SignatureRecord,
  TRAINING_EVENTS_CHANNEL,
} from '@maas/db';
import {
  JOB_EVENT_COLUMNS,
  TRAINING_QUEUE,
  eventFromRow,
  publishTrainingJobEvent,
  queryRows,
  type JobEventRow,
  type JobQueue,
  type TrainingJobChange,
  type TrainingJobEvent,
} from '@maas/jobs';
import type { EpochResult } from '@maas/training';
import type { DataSource, EntityManager } from 'typeorm';

/** A training job this worker holds the lease of, at the attempt it took. */
export interface LeasedJob {
  id: string;
  workspaceId: string;
  modelId: string;
  datasetId: string;
  algorithm: AlgorithmName;
  target: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
  warmStartVersionId: string | null;
  /** Every write below is fenced by it: `WHERE id = $1 AND attempt = $mine AND status = 'RUNNING'`. */
  attempt: number;
  epoch: number;
  checkpointEpoch: number | null;
}

/** One epoch to record, and the checkpoint taken right after it, if any. */
export interface EpochRecord {
  result: EpochResult;
  /** When the epoch ended (ms since the Unix epoch), stored as `training_epochs.at`. */
  endedAt: number;
  checkpoint: Uint8Array | null;
}

/** Whether this worker still holds the job, and whether a cancel was requested. */
export interface LeaseState {
  held: boolean;
  cancelRequested: boolean;
}

/** What {@link TrainingJobRepository.commitSuccess} records. */
export interface SuccessRecord {
  signature: SignatureRecord;
  sha256: string;
  sizeBytes: number;
  metrics: Record<string, unknown>;
  hyperparameters: Record<string, unknown>;
}

interface LeaseRow extends JobEventRow {
  model_id: string;
  dataset_id: string;
  algorithm: AlgorithmName;
  target: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
  warm_start_version_id: string | null;
  attempt: number;
  checkpoint_epoch: number | null;
}

const FENCE = `id = $1 AND attempt = $2 AND status = 'RUNNING'`;

/**
 * The worker's writes to `training_jobs` and `training_epochs`. Every write after the lease is
 * taken is fenced by the attempt (and status RUNNING), so a worker that lost its lease (paused,
 * partitioned, reaped) changes nothing; each change increments `seq` and publishes a
 * TrainingJobEvent in the same transaction.
 */
export class TrainingJobRepository {
  constructor(
    private readonly db: DataSource,
    private readonly leaseMs: number,
  ) {}

  /**
   * Takes the lease of a QUEUED job, or of a RUNNING one whose lease lapsed (its worker died):
   * `attempt + 1`, status RUNNING. `null` when the job is finished, cancelled, or leased by a live
   * worker (a duplicate queue message).
   */
  async takeLease(jobId: string, owner: string): Promise<LeasedJob | null> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<LeaseRow>(
        m,
        `UPDATE training_jobs SET
           attempt = attempt + 1, status = 'RUNNING', lease_owner = $2,
           lease_expires_at = now() + $3 * interval '1 millisecond',
           started_at = coalesce(started_at, now()), seq = seq + 1
         WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND cancel_requested_at IS NULL
           AND result_version_id IS NULL AND (lease_expires_at IS NULL OR lease_expires_at < now())
         RETURNING ${JOB_EVENT_COLUMNS}, model_id, dataset_id, algorithm, target, features,
           hyperparameters, warm_start_version_id, attempt, checkpoint_epoch`,
        [jobId, owner, this.leaseMs],
      );
      const row = rows[0];
      if (!row) return null;
      await publishTrainingJobEvent(m, eventFromRow(row, 'started'));
      return {
        id: row.id,
        workspaceId: row.workspace_id,
        modelId: row.model_id,
        datasetId: row.dataset_id,
        algorithm: row.algorithm,
        target: row.target,
        features: row.features,
        hyperparameters: row.hyperparameters,
        warmStartVersionId: row.warm_start_version_id,
        attempt: row.attempt,
        epoch: row.epoch,
        checkpointEpoch: row.checkpoint_epoch,
      };
    });
  }

  /** The checkpoint an earlier attempt left (fenced: `null` if the lease was lost meanwhile). */
  async loadCheckpoint(job: LeasedJob): Promise<Buffer | null> {
    const rows = await queryRows<{ checkpoint: Buffer | null }>(
      this.db.manager,
      `SELECT checkpoint FROM training_jobs WHERE ${FENCE}`,
      [job.id, job.attempt],
    );
    return rows[0]?.checkpoint ?? null;
  }

  /** The dataset's columns artifact, or `null` when the dataset is gone. */
  async datasetColumns(job: LeasedJob): Promise<string | null> {
    const rows = await queryRows<{ columns_sha256: string }>(
      this.db.manager,
      'SELECT columns_sha256 FROM datasets WHERE id = $1 AND workspace_id = $2',
      [job.datasetId, job.workspaceId],
    );
    return rows[0]?.columns_sha256 ?? null;
  }

  /** The warm-start version's artifact, or `null` when that version is gone. */
  async versionArtifact(job: LeasedJob, versionId: string): Promise<string | null> {
    const rows = await queryRows<{ sha256: string }>(
      this.db.manager,
      'SELECT sha256 FROM model_versions WHERE id = $1 AND workspace_id = $2',
      [versionId, job.workspaceId],
    );
    return rows[0]?.sha256 ?? null;
  }

  /** Extends the lease; also reports a cancel request (polled here as a fallback to NOTIFY). */
  async renewLease(job: LeasedJob): Promise<LeaseState> {
    const rows = await queryRows<{ cancel_requested: boolean }>(
      this.db.manager,
      `UPDATE training_jobs SET lease_expires_at = now() + $3 * interval '1 millisecond'
       WHERE ${FENCE} RETURNING cancel_requested_at IS NOT NULL AS cancel_requested`,
      [job.id, job.attempt, this.leaseMs],
    );
    const row = rows[0];
    return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
  }

  /**
   * Records finished epochs (in order) in one transaction of a few statements, whatever their
   * number: a `training_epochs` row each (an epoch re-run after a resume overwrites its earlier
   * row: same job, same epoch, same deterministic values), `training_jobs.epoch` (never lowered),
   * `seq + n` and one `epoch` event per epoch, in order; the batch's checkpoint, if any, also
   * writes `checkpoint`/`checkpoint_epoch` with a `checkpoint` event. Nothing is written when the
   * lease was lost.
   */
  async recordEpochs(job: LeasedJob, epochs: EpochRecord[]): Promise<LeaseState> {
    const last = epochs.at(-1);
    if (!last) return { held: true, cancelRequested: false };
    return this.db
      .transaction(async (m) => {
        // The self-join reads the row as it was before the UPDATE (its epoch before this batch).
        const rows = await queryRows<
          JobEventRow & { epoch_before: number; cancel_requested: boolean }
        >(
          m,
          `UPDATE training_jobs t SET epoch = GREATEST(t.epoch, $3), seq = t.seq + $4
           FROM training_jobs before
           WHERE before.id = t.id AND t.id = $1 AND t.attempt = $2 AND t.status = 'RUNNING'
           RETURNING t.id, t.workspace_id, t.seq, t.status, t.epoch, before.epoch AS epoch_before,
             t.cancel_requested_at IS NOT NULL AS cancel_requested`,
          [job.id, job.attempt, last.result.epoch, epochs.length],
        );
        const row = rows[0];
        // Lost the lease: write nothing.
        if (!row) throw new LeaseLostError();
        await m.query(
          `INSERT INTO training_epochs (job_id, epoch, workspace_id, loss, validation_loss, metrics, at)
           SELECT $1, e.epoch, $2, e.loss, e.validation_loss, e.metrics, to_timestamp(e.ended_at / 1000)
           FROM jsonb_to_recordset($3::jsonb)
             AS e(epoch integer, loss double precision, validation_loss double precision, metrics jsonb, ended_at double precision)
           ON CONFLICT (job_id, epoch) DO UPDATE SET loss = EXCLUDED.loss,
             validation_loss = EXCLUDED.validation_loss, metrics = EXCLUDED.metrics, at = EXCLUDED.at`,
          [
            job.id,
            job.workspaceId,
            JSON.stringify(
              epochs.map(({ result, endedAt }) => ({
                epoch: result.epoch,
                loss: result.loss,
                validation_loss: result.validationLoss,
                metrics: result.metrics,
                ended_at: endedAt,
              })),
            ),
          ],
        );
        const firstSeq = Number(row.seq) - epochs.length + 1;
        const events = epochs.map(({ result }, i) =>
          eventFromRow(
            { ...row, seq: firstSeq + i, epoch: Math.max(row.epoch_before, result.epoch) },
            'epoch',
          ),
        );
        // One statement; a target list is evaluated left to right, so NOTIFYs go out in order.
        await m.query(`SELECT ${events.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`, [
          TRAINING_EVENTS_CHANNEL,
          ...events.map((event) => JSON.stringify(event)),
        ]);
        const checkpointed = [...epochs].reverse().find((e) => e.checkpoint);
        if (checkpointed?.checkpoint) {
          await this.writeCheckpoint(m, job, checkpointed.result.epoch, checkpointed.checkpoint);
        }
        return { held: true, cancelRequested: row.cancel_requested };
      })
      .catch((err: unknown) => {
        if (err instanceof LeaseLostError) return { held: false, cancelRequested: false };
        throw err;
      });
  }

  /** Stores a checkpoint taken after `epoch` (fenced). */
  async saveCheckpoint(job: LeasedJob, epoch: number, checkpoint: Uint8Array): Promise<boolean> {
    return this.db
      .transaction((m) => this.writeCheckpoint(m, job, epoch, checkpoint))
      .then(() => true)
      .catch((err: unknown) => {
        if (err instanceof LeaseLostError) return false;
        throw err;
      });
  }

  /** Marks the job FAILED (with `error`) or CANCELLED; `false` when the lease was lost. */
  async finish(
    job: LeasedJob,
    status: 'FAILED' | 'CANCELLED',
    error: string | null = null,
  ): Promise<boolean> {
    return this.db.transaction((m) => this.finishIn(m, job, status, error));
  }

  /**
   * Gives the job back (this worker is shutting down): QUEUED again and re-enqueued, so another
   * worker resumes it from its checkpoint at once; CANCELLED instead if a cancel was requested.
   */
  async handBack(job: LeasedJob, queue: JobQueue): Promise<JobStatus | null> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<JobEventRow>(
        m,
        `UPDATE training_jobs SET
           status = CASE WHEN cancel_requested_at IS NULL THEN 'QUEUED' ELSE 'CANCELLED' END::job_status,
           finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE now() END,
           lease_owner = NULL, lease_expires_at = NULL, seq = seq + 1
         WHERE ${FENCE} RETURNING ${JOB_EVENT_COLUMNS}`,
        [job.id, job.attempt],
      );
      const row = rows[0];
      if (!row) return null;
      if (row.status === 'QUEUED') await queue.enqueueTraining(m, job.id);
      await publishTrainingJobEvent(m, eventFromRow(row, 'status'));
      return row.status;
    });
  }

  /**
   * Commits the trained version and the job's success in one transaction, only if this attempt
   * still holds the job and it has no result yet (exactly one version per job). A cancel that
   * arrived meanwhile wins: the job becomes CANCELLED and no version is made.
   */
  async commitSuccess(
    job: LeasedJob,
    record: SuccessRecord,
  ): Promise<'SUCCEEDED' | 'CANCELLED' | 'LOST'> {
    return this.db.transaction(async (m) => {
      const locked = await queryRows<{ cancel_requested: boolean }>(
        m,
        `SELECT cancel_requested_at IS NOT NULL AS cancel_requested FROM training_jobs
         WHERE ${FENCE} AND result_version_id IS NULL FOR UPDATE`,
        [job.id, job.attempt],
      );
      const current = locked[0];
      if (!current) return 'LOST';
      if (current.cancel_requested) {
        await this.finishIn(m, job, 'CANCELLED', null);
        return 'CANCELLED';
      }
      const version = await commitModelVersion(m, {
        workspaceId: job.workspaceId,
        modelId: job.modelId,
        source: 'TRAINING',
        signature: record.signature,
        sha256: record.sha256,
        sizeBytes: record.sizeBytes,
        metrics: record.metrics,
        hyperparameters: record.hyperparameters,
        trainingJobId: job.id,
        parentVersionId: job.warmStartVersionId,
      });
      const rows = await queryRows<JobEventRow>(
        m,
        `UPDATE training_jobs SET status = 'SUCCEEDED', result_version_id = $3, finished_at = now(),
           lease_owner = NULL, lease_expires_at = NULL, checkpoint = NULL, error = NULL, seq = seq + 1
         WHERE ${FENCE} RETURNING ${JOB_EVENT_COLUMNS}`,
        [job.id, job.attempt, version.id],
      );
      const row = rows[0];
      if (!row) throw new Error(`training job ${job.id} changed while its row was locked`);
      await publishTrainingJobEvent(m, eventFromRow(row, 'status'));
      return 'SUCCEEDED';
    });
  }

  /**
   * The reaper: RUNNING jobs whose lease lapsed (their worker died or hung) become QUEUED and are
   * re-enqueued, so an idle worker resumes them from their checkpoint; those with a cancel request
   * become CANCELLED. SKIP LOCKED lets every worker run it at once without waiting on each other.
   */
  async reapLapsed(queue: JobQueue): Promise<TrainingJobEvent[]> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<JobEventRow>(
        m,
        `WITH lapsed AS (
           SELECT id FROM training_jobs
           WHERE status = 'RUNNING' AND lease_expires_at < now()
           ORDER BY lease_expires_at LIMIT 100 FOR UPDATE SKIP LOCKED
         )
         UPDATE training_jobs t SET
           status = CASE WHEN t.cancel_requested_at IS NULL THEN 'QUEUED' ELSE 'CANCELLED' END::job_status,
           finished_at = CASE WHEN t.cancel_requested_at IS NULL THEN NULL ELSE now() END,
           lease_owner = NULL, lease_expires_at = NULL, seq = t.seq + 1
         FROM lapsed WHERE t.id = lapsed.id
         RETURNING t.id, t.workspace_id, t.seq, t.status, t.epoch`,
      );
      const events: TrainingJobEvent[] = [];
      for (const row of rows) {
        if (row.status === 'QUEUED') await queue.enqueueTraining(m, row.id);
        const event = eventFromRow(row, 'status');
        await publishTrainingJobEvent(m, event);
        events.push(event);
      }
      return events;
    });
  }

  /**
   * QUEUED jobs whose queue message is gone (pg-boss used up its retries on a claim that kept
   * failing, or the message was purged) would wait forever: enqueue them again. `orphanAfterMs`
   * leaves time for the enqueuing transaction's message to become visible.
   */
  async requeueOrphans(
    queue: JobQueue,
    orphanAfterMs: number,
    bossSchema = 'pgboss',
  ): Promise<string[]> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<{ id: string }>(
        m,
        `SELECT t.id FROM training_jobs t
         WHERE t.status = 'QUEUED' AND t.cancel_requested_at IS NULL
           AND t.created_at < now() - make_interval(secs => $1::double precision / 1000)
           AND NOT EXISTS (
             SELECT 1 FROM ${bossSchema}.job j
             WHERE j.name = $2 AND j.data->>'jobId' = t.id::text AND j.state IN ('created', 'retry', 'active')
           )
         ORDER BY t.created_at LIMIT 50 FOR UPDATE OF t SKIP LOCKED`,
        [orphanAfterMs, TRAINING_QUEUE],
      );
      for (const row of rows) await queue.enqueueTraining(m, row.id);
      return rows.map((r) => r.id);
    });
  }

  private async writeCheckpoint(
    m: EntityManager,
    job: LeasedJob,
    epoch: number,
    checkpoint: Uint8Array,
  ): Promise<void> {
    const rows = await queryRows<JobEventRow>(
      m,
      `UPDATE training_jobs SET checkpoint = $3, checkpoint_epoch = $4, seq = seq + 1
       WHERE ${FENCE} RETURNING ${JOB_EVENT_COLUMNS}`,
      [
        job.id,
        job.attempt,
        Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength),
        epoch,
      ],
    );
    const row = rows[0];
    if (!row) throw new LeaseLostError();
    await publishTrainingJobEvent(m, eventFromRow(row, 'checkpoint' satisfies TrainingJobChange));
  }

  private async finishIn(
    m: EntityManager,
    job: LeasedJob,
    status: 'FAILED' | 'CANCELLED',
    error: string | null,
  ): Promise<boolean> {
    const rows = await queryRows<JobEventRow>(
      m,
      `UPDATE training_jobs SET status = $3, error = $4, finished_at = now(), lease_owner = NULL,
         lease_expires_at = NULL, checkpoint = NULL, seq = seq + 1
       WHERE ${FENCE} RETURNING ${JOB_EVENT_COLUMNS}`,
      [job.id, job.attempt, status, error],
    );
    const row = rows[0];
    if (!row) return false;
    await publishTrainingJobEvent(m, eventFromRow(row, 'status'));
    return true;
  }
}

/** This attempt no longer holds the job: another attempt took it, or it was reaped or cancelled. */
export class LeaseLostError extends Error {
  constructor() {
    super('the lease on the training job was lost');
    this.name = 'LeaseLostError';
  }
}
