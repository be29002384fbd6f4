import {
  TRAINING_EVENTS_CHANNEL,
  VERSION_TRAIN_ACTION,
  commitModelVersion,
  recordAuditEvent,
  type AlgorithmName,
  type JobStatus,
} from '@maas/db';
import type { DataSource, EntityManager } from 'typeorm';
import type { JobQueue } from './job-queue';
import { LEASE_MS, MAX_ATTEMPTS } from './lease';
import { queryRows } from './sql';
import {
  eventFromRow,
  publishRowEvent,
  type JobEventRow,
  type TrainingJobEvent,
} from './training-events';
import type { EpochRecord, LeaseState, LeasedJob, SuccessRecord } from './training-job-store';

interface ClaimRow extends JobEventRow {
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

/** The attempt fence: `$1` the job, `$2` the attempt that must still hold it. */
const FENCE = `t.id = $1 AND t.attempt = $2 AND t.status = 'RUNNING'`;
const EVENT_COLUMNS = 't.id, t.workspace_id, t.seq, t.status, t.epoch';
/** What every final state clears. */
const ENDED = `finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, checkpoint = NULL`;

/** The error of a job whose attempts kept ending without a word from their workers. */
const ATTEMPTS_EXHAUSTED =
  'Gave up after {n} attempts: each time, the worker running this job stopped without finishing ' +
  'it (it crashed, was killed, ran out of memory or hung). Check the worker logs; smaller ' +
  'hiddenLayers, batchSize or dataset need less memory. retryTrainingJob starts it again.';

/** This attempt no longer holds the job: rolls the transaction back, answered as "lost". */
class LeaseLostError extends Error {}

/**
 * The training-job store's transitions under a lease (see the table in `training-job-store.ts`):
 * a worker claims a job (attempt + 1), and every later write is fenced by that attempt, so a
 * worker that lost its lease (paused, partitioned, reaped, taken over) changes nothing. Also the
 * sweeps every worker runs: lapsed leases reaped, orphaned QUEUED jobs re-enqueued. Each method
 * runs its own transaction; each change increments `seq` and publishes its event in it.
 */
export class TrainingJobLeaseStore {
  constructor(
    private readonly db: DataSource,
    private readonly queue: Pick<JobQueue, 'enqueueTraining' | 'liveTrainingJobIds'>,
    private readonly leaseMs: number = LEASE_MS,
    /** Lapsed attempts (crashes, kills, hangs) after which a job is FAILED, not re-queued. */
    private readonly maxAttempts: number = MAX_ATTEMPTS,
  ) {}

  /**
   * Takes the lease of a QUEUED job, or of a RUNNING one whose lease lapsed (its worker died):
   * `attempt + 1`, status RUNNING. `null` when the job is finished, cancelled, or leased by a live
   * worker (a duplicate queue message).
   */
  async claim(jobId: string, owner: string): Promise<LeasedJob | null> {
    return this.db.transaction(async (m) => {
      const rows = await queryRows<ClaimRow>(
        m,
        `UPDATE training_jobs t SET
           attempt = attempt + 1, status = 'RUNNING', lease_owner = $2,
           lease_expires_at = now() + $3 * interval '1 millisecond',
           started_at = coalesce(started_at, now()), seq = seq + 1,
           lapsed_attempts = lapsed_attempts + CASE WHEN status = 'RUNNING' THEN 1 ELSE 0 END
         WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND cancel_requested_at IS NULL
           AND result_version_id IS NULL AND (lease_expires_at IS NULL OR lease_expires_at < now())
           -- A lapsed attempt that uses up the budget is the reaper's to fail, not to retry.
           AND (status = 'QUEUED' OR lapsed_attempts + 1 < $4)
         RETURNING ${EVENT_COLUMNS}, model_id, dataset_id, algorithm, target, features,
           hyperparameters, warm_start_version_id, attempt, checkpoint_epoch`,
        [jobId, owner, this.leaseMs, this.maxAttempts],
      );
      const row = rows[0];
      if (!row) return null;
      await publishRowEvent(m, row, 'started');
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
      `SELECT checkpoint FROM training_jobs t WHERE ${FENCE}`,
      [job.id, job.attempt],
    );
    return rows[0]?.checkpoint ?? null;
  }

  /** Extends the lease; also reports a cancel request (polled here as a fallback to NOTIFY). */
  async renew(job: LeasedJob): Promise<LeaseState> {
    const rows = await queryRows<{ cancel_requested: boolean }>(
      this.db.manager,
      `UPDATE training_jobs t SET lease_expires_at = now() + $3 * interval '1 millisecond'
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
   * `seq + n` and one `epoch` event per epoch, in order; the batch's newest checkpoint, if any,
   * also writes `checkpoint`/`checkpoint_epoch` with a `checkpoint` event. Nothing is written when
   * the lease was lost.
   */
  async recordEpochs(job: LeasedJob, epochs: EpochRecord[]): Promise<LeaseState> {
    const last = epochs.at(-1);
    if (!last) return { held: true, cancelRequested: false };
    return this.fenced<LeaseState>({ held: false, cancelRequested: false }, async (m) => {
      // The self-join reads the row as it was before the UPDATE (its epoch before this batch).
      const rows = await queryRows<
        JobEventRow & { epoch_before: number; cancel_requested: boolean }
      >(
        m,
        `UPDATE training_jobs t SET epoch = GREATEST(t.epoch, $3), seq = t.seq + $4
         FROM training_jobs before
         WHERE before.id = t.id AND ${FENCE}
         RETURNING ${EVENT_COLUMNS}, before.epoch AS epoch_before,
           t.cancel_requested_at IS NOT NULL AS cancel_requested`,
        [job.id, job.attempt, last.result.epoch, epochs.length],
      );
      const row = rows[0];
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
    });
  }

  /** Stores a checkpoint taken after `epoch`; `false` when the lease was lost. */
  async saveCheckpoint(job: LeasedJob, epoch: number, checkpoint: Uint8Array): Promise<boolean> {
    return this.fenced<boolean>(false, async (m) => {
      await this.writeCheckpoint(m, job, epoch, checkpoint);
      return true;
    });
  }

  /** Marks the job FAILED with `error`; `false` when the lease was lost. */
  async fail(job: LeasedJob, error: string): Promise<boolean> {
    return this.db.transaction((m) => this.end(m, job, 'FAILED', error));
  }

  /** Marks the job CANCELLED (its cancel request was heard); `false` when the lease was lost. */
  async cancel(job: LeasedJob): Promise<boolean> {
    return this.db.transaction((m) => this.end(m, job, 'CANCELLED', null));
  }

  /**
   * Gives the job back (this worker is shutting down): QUEUED again and re-enqueued, so another
   * worker resumes it from its checkpoint at once; CANCELLED instead if a cancel was requested.
   * `null` when the lease was lost.
   */
  async handBack(job: LeasedJob): Promise<JobStatus | null> {
    return this.db.transaction(async (m) => {
      const [event] = await this.release(m, FENCE, [job.id, job.attempt]);
      return event?.status ?? null;
    });
  }

  /**
   * Commits the trained version and the job's success in one transaction, only if this attempt
   * still holds the job and it has no result yet (exactly one version per job). A cancel that
   * arrived meanwhile wins: the job becomes CANCELLED and no version is made.
   */
  async completeWithVersion(
    job: LeasedJob,
    record: SuccessRecord,
  ): Promise<'SUCCEEDED' | 'CANCELLED' | 'LOST'> {
    return this.db.transaction(async (m) => {
      const locked = await queryRows<{ cancel_requested: boolean }>(
        m,
        `SELECT cancel_requested_at IS NOT NULL AS cancel_requested FROM training_jobs t
         WHERE ${FENCE} AND t.result_version_id IS NULL FOR UPDATE`,
        [job.id, job.attempt],
      );
      const current = locked[0];
      if (!current) return 'LOST';
      if (current.cancel_requested) {
        await this.end(m, job, 'CANCELLED', null);
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
      // The audit row, in the same transaction: the actor is the key that started the job (from
      // its `trainingJob.start` row, while retention keeps it), else the platform (null).
      const [started] = await queryRows<{ api_key_id: string | null }>(
        m,
        `SELECT api_key_id FROM audit_events
         WHERE target_id = $1 AND target_type = 'training_job' AND action = 'trainingJob.start'
         ORDER BY created_at LIMIT 1`,
        [job.id],
      );
      await recordAuditEvent(m, {
        workspaceId: job.workspaceId,
        apiKeyId: started?.api_key_id ?? null,
        sourceAddress: null,
        action: VERSION_TRAIN_ACTION,
        targetType: 'model_version',
        targetId: version.id,
        details: { modelId: job.modelId, version: version.version, trainingJobId: job.id },
      });
      const rows = await queryRows<JobEventRow>(
        m,
        `UPDATE training_jobs t SET status = 'SUCCEEDED', result_version_id = $3, error = NULL,
           ${ENDED}, seq = t.seq + 1
         WHERE ${FENCE} RETURNING ${EVENT_COLUMNS}`,
        [job.id, job.attempt, version.id],
      );
      if (!(await publishRowEvent(m, rows[0], 'status')))
        throw new Error(`training job ${job.id} changed while its row was locked`);
      return 'SUCCEEDED';
    });
  }

  /**
   * The reaper: RUNNING jobs whose lease lapsed (their worker died or hung) become QUEUED and are
   * re-enqueued, so an idle worker resumes them from their checkpoint; those with a cancel request
   * become CANCELLED; those whose lapsed attempts reach `maxAttempts` become FAILED with the
   * reason (a poison job, e.g. one that kills its worker, must not loop forever). SKIP LOCKED lets
   * every worker run it at once without waiting on each other.
   */
  async reapLapsed(): Promise<TrainingJobEvent[]> {
    return this.db.transaction(async (m) => {
      const lapsed = await queryRows<{ id: string }>(
        m,
        `SELECT id FROM training_jobs WHERE status = 'RUNNING' AND lease_expires_at < now()
         ORDER BY lease_expires_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
      );
      if (lapsed.length === 0) return [];
      return this.release(m, 't.id = ANY($1::uuid[])', [lapsed.map((r) => r.id)], true);
    });
  }

  /**
   * QUEUED jobs whose queue message is gone (the queue used up its retries on a claim that kept
   * failing, or the message was purged) would wait forever: enqueue them again. `orphanAfterMs`
   * leaves time for the enqueuing transaction's message to become visible. Returns their ids.
   */
  async requeueOrphans(orphanAfterMs: number): Promise<string[]> {
    return this.db.transaction(async (m) => {
      const queued = await queryRows<{ id: string }>(
        m,
        `SELECT id FROM training_jobs
         WHERE status = 'QUEUED' AND cancel_requested_at IS NULL
           AND created_at < now() - make_interval(secs => $1::double precision / 1000)
         ORDER BY created_at LIMIT 50 FOR UPDATE SKIP LOCKED`,
        [orphanAfterMs],
      );
      if (queued.length === 0) return [];
      const live = await this.queue.liveTrainingJobIds(
        m,
        queued.map((r) => r.id),
      );
      const orphans = queued.map((r) => r.id).filter((id) => !live.has(id));
      for (const id of orphans) await this.queue.enqueueTraining(m, id);
      return orphans;
    });
  }

  /**
   * The one statement that ends a lease without ending the job (hand-back, reap): QUEUED and
   * re-enqueued, or CANCELLED when a cancel was requested. `where` selects the rows (alias `t`).
   */
  private async release(
    m: EntityManager,
    where: string,
    params: unknown[],
    lapsed = false,
  ): Promise<TrainingJobEvent[]> {
    // A lapsed lease counts against the job's attempts; a hand-back (graceful shutdown) does not.
    const counted = lapsed ? 't.lapsed_attempts + 1' : 't.lapsed_attempts';
    const limit = `$${params.length + 1}`;
    const reason = `$${params.length + 2}`;
    const rows = await queryRows<JobEventRow>(
      m,
      `UPDATE training_jobs t SET
         status = (CASE WHEN t.cancel_requested_at IS NOT NULL THEN 'CANCELLED'
                        WHEN ${counted} >= ${limit} THEN 'FAILED'
                        ELSE 'QUEUED' END)::job_status,
         error = CASE WHEN t.cancel_requested_at IS NULL AND ${counted} >= ${limit}
                      THEN replace(${reason}, '{n}', (${counted})::text) ELSE t.error END,
         finished_at = CASE WHEN t.cancel_requested_at IS NULL AND ${counted} < ${limit}
                            THEN NULL ELSE now() END,
         checkpoint = CASE WHEN t.cancel_requested_at IS NULL AND ${counted} < ${limit}
                           THEN t.checkpoint ELSE NULL END,
         lapsed_attempts = ${counted},
         lease_owner = NULL, lease_expires_at = NULL, seq = t.seq + 1
       WHERE ${where} RETURNING ${EVENT_COLUMNS}`,
      [...params, this.maxAttempts, ATTEMPTS_EXHAUSTED],
    );
    const events: TrainingJobEvent[] = [];
    for (const row of rows) {
      if (row.status === 'QUEUED') await this.queue.enqueueTraining(m, row.id);
      const event = await publishRowEvent(m, row, 'status');
      if (event) events.push(event);
    }
    return events;
  }

  private async writeCheckpoint(
    m: EntityManager,
    job: LeasedJob,
    epoch: number,
    checkpoint: Uint8Array,
  ): Promise<void> {
    const rows = await queryRows<JobEventRow>(
      m,
      `UPDATE training_jobs t SET checkpoint = $3, checkpoint_epoch = $4, seq = t.seq + 1
       WHERE ${FENCE} RETURNING ${EVENT_COLUMNS}`,
      [
        job.id,
        job.attempt,
        Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength),
        epoch,
      ],
    );
    if (!(await publishRowEvent(m, rows[0], 'checkpoint'))) throw new LeaseLostError();
  }

  private async end(
    m: EntityManager,
    job: LeasedJob,
    status: 'FAILED' | 'CANCELLED',
    error: string | null,
  ): Promise<boolean> {
    const rows = await queryRows<JobEventRow>(
      m,
      `UPDATE training_jobs t SET status = $3, error = $4, ${ENDED}, seq = t.seq + 1
       WHERE ${FENCE} RETURNING ${EVENT_COLUMNS}`,
      [job.id, job.attempt, status, error],
    );
    return (await publishRowEvent(m, rows[0], 'status')) !== null;
  }

  /** Runs `write` in a transaction; a lost lease inside it rolls everything back and answers `lost`. */
  private async fenced<T>(lost: T, write: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(write).catch((err: unknown) => {
      if (err instanceof LeaseLostError) return lost;
      throw err;
    });
  }
}
