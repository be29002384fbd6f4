import {
  QUEUE_WAKEUP_CHANNEL,
  TRAINING_EVENTS_CHANNEL,
  EVALUATION_FINISH_ACTION,
  VERSION_TRAIN_ACTION,
  commitModelVersion,
  QuotaExceededError,
  recordAuditEvent,
  recordUsage,
  type AlgorithmName,
  type JobKind,
  type JobStatus,
} from '@maas/db';
import type { DataSource, EntityManager } from 'typeorm';
import type { JobQueue } from './job-queue';
import { LEASE_MS, MAX_ATTEMPTS } from './lease';
import { TRAINING_QUEUE } from './queues';
import { queryRows } from './sql';
import {
  eventFromRow,
  publishRowEvent,
  type JobEventRow,
  type TrainingJobEvent,
} from './training-events';
import type {
  EpochRecord,
  LeaseState,
  LeasedJob,
  SuccessRecord,
  VersionScore,
} from './training-job-store';

interface ClaimRow extends JobEventRow {
  kind: JobKind;
  model_id: string;
  dataset_id: string;
  algorithm: AlgorithmName | null;
  target: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
  warm_start_version_id: string | null;
  attempt: number;
  checkpoint_epoch: number | null;
}

/** Serialises every worker's claims (see `claimNext`). */
const CLAIM_LOCK = 'maas.training-claim';

/**
 * The next job to run, fairly: among workspaces with a QUEUED job and fewer RUNNING jobs (on any
 * worker) than their `max_concurrent_jobs` (null: no limit), the one served least recently (its
 * newest attempt start is the oldest; never served comes first), and its oldest waiting job. A
 * workspace at its quota is skipped, not waited on, so it blocks nobody else.
 */
const FAIR_PICK = `
  SELECT q.id
    FROM (SELECT DISTINCT workspace_id FROM training_jobs WHERE status = 'QUEUED') waiting
    JOIN workspaces w ON w.id = waiting.workspace_id
   CROSS JOIN LATERAL (SELECT count(*) AS n FROM training_jobs r
                        WHERE r.workspace_id = w.id AND r.status = 'RUNNING') running
   CROSS JOIN LATERAL (SELECT max(s.attempt_started_at) AS at FROM training_jobs s
                        WHERE s.workspace_id = w.id) served
   CROSS JOIN LATERAL (SELECT j.id, j.created_at FROM training_jobs j
                        WHERE j.workspace_id = w.id AND j.status = 'QUEUED'
                          AND j.cancel_requested_at IS NULL AND j.result_version_id IS NULL
                        ORDER BY j.created_at, j.id LIMIT 1) q
   WHERE w.max_concurrent_jobs IS NULL OR running.n < w.max_concurrent_jobs
   ORDER BY served.at ASC NULLS FIRST, q.created_at, q.id
   LIMIT 1`;

/** What an attempt's end returns besides its event: what its training seconds are metered by. */
const ATTEMPT_USAGE_COLUMNS = 't.model_id, t.started_by_key_id';

interface EndedAttemptRow extends JobEventRow {
  model_id: string;
  started_by_key_id: string | null;
  /** Wall-clock seconds of the attempt that just ended. */
  seconds: number | null;
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

/** Seconds since the attempt took its lease, as an attempt ends now (RETURNING of a fenced UPDATE). */
const ATTEMPT_SECONDS = `extract(epoch FROM now() - t.attempt_started_at)::float8 AS seconds`;

/**
 * After attempts ended (in their transaction): one `recordUsage` write with each attempt's
 * training seconds, by workspace, model and the key that started the job, and one wake-up, since
 * each freed a slot of its workspace's concurrency quota that an idle worker may now fill.
 */
async function attemptsEnded(m: EntityManager, rows: readonly EndedAttemptRow[]): Promise<void> {
  if (rows.length === 0) return;
  await recordUsage(
    m,
    rows.map((row) => ({
      workspaceId: row.workspace_id,
      modelId: row.model_id,
      apiKeyId: row.started_by_key_id,
      trainingSeconds: Math.max(0, Number(row.seconds ?? 0)),
    })),
  );
  await m.query('SELECT pg_notify($1, $2)', [
    QUEUE_WAKEUP_CHANNEL,
    JSON.stringify({ queue: TRAINING_QUEUE }),
  ]);
}

/** This attempt no longer holds the job: rolls the transaction back, answered as "lost". */
class LeaseLostError extends Error {}

/**
 * The training-job store's transitions under a lease (see the table in `training-job-store.ts`):
 * a worker claims a job (attempt + 1), and every later write is fenced by that attempt, so a
 * worker that lost its lease (paused, partitioned, reaped, taken over) changes nothing. Also the
 * sweep every worker runs: lapsed leases reaped. Each method runs its own transaction; each change
 * increments `seq` and publishes its event in it. Every end of an attempt (finished, handed back,
 * reaped) adds the attempt's wall-clock seconds to `usage_counters` and wakes idle workers (a slot
 * of its workspace's quota is free) in that same transaction.
 */
export class TrainingJobLeaseStore {
  constructor(
    private readonly db: DataSource,
    private readonly queue: Pick<JobQueue, 'enqueueTraining'>,
    private readonly leaseMs: number = LEASE_MS,
    /** Lapsed attempts (crashes, kills, hangs) after which a job is FAILED, not re-queued. */
    private readonly maxAttempts: number = MAX_ATTEMPTS,
  ) {}

  /**
   * The fair claim: takes the lease of the next QUEUED job by {@link FAIR_PICK} (`attempt + 1`,
   * status RUNNING), or answers `null` when no workspace with waiting jobs is below its
   * `max_concurrent_jobs`. Every worker's claims are serialised by one advisory transaction lock,
   * so the RUNNING count a claim reads cannot change under it: no two workers ever push a
   * workspace past its quota. Claims are one short transaction each, so the lock is held for
   * milliseconds; training runs outside it.
   */
  async claimNext(owner: string): Promise<LeasedJob | null> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CLAIM_LOCK]);
      // A pick that a cancel changed meanwhile (cancels do not take the lock) is picked again.
      for (let tries = 0; tries < 3; tries++) {
        const job = await this.claimPicked(m, owner);
        if (job !== 'changed') return job;
      }
      return null;
    });
  }

  private async claimPicked(
    m: EntityManager,
    owner: string,
  ): Promise<LeasedJob | null | 'changed'> {
    const picked = await queryRows<{ id: string }>(m, FAIR_PICK);
    const jobId = picked[0]?.id;
    if (!jobId) return null;
    const rows = await queryRows<ClaimRow>(
      m,
      `UPDATE training_jobs t SET
           attempt = attempt + 1, status = 'RUNNING', lease_owner = $2,
           lease_expires_at = now() + $3 * interval '1 millisecond',
           started_at = coalesce(started_at, now()), attempt_started_at = now(), seq = seq + 1
         WHERE id = $1 AND status = 'QUEUED' AND cancel_requested_at IS NULL
           AND result_version_id IS NULL
         RETURNING ${EVENT_COLUMNS}, kind, model_id, dataset_id, algorithm, target, features,
           hyperparameters, warm_start_version_id, attempt, checkpoint_epoch`,
      [jobId, owner, this.leaseMs],
    );
    const row = rows[0];
    if (!row) return 'changed';
    await publishRowEvent(m, row, 'started');
    return {
      id: row.id,
      kind: row.kind,
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
   * arrived meanwhile wins: the job becomes CANCELLED and no version is made. A model already at
   * its workspace's maxVersionsPerModel makes the job FAILED with the reason, and no version.
   */
  async completeWithVersion(
    job: LeasedJob,
    record: SuccessRecord,
  ): Promise<'SUCCEEDED' | 'CANCELLED' | 'QUOTA_EXCEEDED' | 'LOST'> {
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
      let version;
      try {
        version = await commitModelVersion(m, {
          workspaceId: job.workspaceId,
          modelId: job.modelId,
          source: 'TRAINING',
          signature: record.signature,
          sha256: record.sha256,
          sizeBytes: record.sizeBytes,
          metrics: record.metrics,
          hyperparameters: record.hyperparameters,
          featureImportance: record.featureImportance ?? null,
          trainingJobId: job.id,
          parentVersionId: job.warmStartVersionId,
        });
      } catch (err) {
        // The model filled up while the job trained: nothing was written, the job fails saying so.
        if (!(err instanceof QuotaExceededError)) throw err;
        await this.end(m, job, 'FAILED', err.message);
        return 'QUOTA_EXCEEDED';
      }
      // The audit row, in the same transaction: the actor is the key that started the job
      // (`started_by_key_id`; null once that key is deleted, or for the platform's own jobs).
      const [started] = await queryRows<{ started_by_key_id: string | null }>(
        m,
        'SELECT started_by_key_id FROM training_jobs WHERE id = $1',
        [job.id],
      );
      await recordAuditEvent(m, {
        workspaceId: job.workspaceId,
        apiKeyId: started?.started_by_key_id ?? null,
        sourceAddress: null,
        action: VERSION_TRAIN_ACTION,
        targetType: 'model_version',
        targetId: version.id,
        details: { modelId: job.modelId, version: version.version, trainingJobId: job.id },
      });
      const rows = await queryRows<EndedAttemptRow>(
        m,
        `UPDATE training_jobs t SET status = 'SUCCEEDED', result_version_id = $3, error = NULL,
           ${ENDED}, seq = t.seq + 1
         WHERE ${FENCE} RETURNING ${EVENT_COLUMNS}, ${ATTEMPT_USAGE_COLUMNS}, ${ATTEMPT_SECONDS}`,
        [job.id, job.attempt, version.id],
      );
      if (!(await publishRowEvent(m, rows[0], 'status')))
        throw new Error(`training job ${job.id} changed while its row was locked`);
      await attemptsEnded(m, rows);
      return 'SUCCEEDED';
    });
  }

  /**
   * Records an evaluation job's scores and its success in one transaction, only if this attempt
   * still holds the job: each version's metrics and details in its `evaluation_results` row, and
   * its permutation importance on a version that has none from training (an uploaded one; the
   * latest evaluation's replaces an earlier evaluation's), an audit row, the attempt's seconds. A
   * cancel that arrived meanwhile wins (CANCELLED, nothing recorded).
   */
  async completeEvaluation(
    job: LeasedJob,
    scores: readonly VersionScore[],
  ): Promise<'SUCCEEDED' | 'CANCELLED' | 'LOST'> {
    return this.db.transaction(async (m) => {
      const locked = await queryRows<{
        cancel_requested: boolean;
        started_by_key_id: string | null;
      }>(
        m,
        `SELECT cancel_requested_at IS NOT NULL AS cancel_requested, started_by_key_id
           FROM training_jobs t WHERE ${FENCE} AND t.kind = 'EVALUATION' FOR UPDATE`,
        [job.id, job.attempt],
      );
      const current = locked[0];
      if (!current) return 'LOST';
      if (current.cancel_requested) {
        await this.end(m, job, 'CANCELLED', null);
        return 'CANCELLED';
      }
      await m.query(
        `UPDATE evaluation_results r SET metrics = s.metrics, details = s.details
           FROM jsonb_to_recordset($2::jsonb) AS s(version_id uuid, metrics jsonb, details jsonb)
          WHERE r.job_id = $1 AND r.version_id = s.version_id`,
        [
          job.id,
          JSON.stringify(
            scores.map((s) => ({
              version_id: s.versionId,
              metrics: s.metrics,
              details: s.details,
            })),
          ),
        ],
      );
      await m.query(
        `UPDATE model_versions v SET feature_importance = s.importance
           FROM jsonb_to_recordset($2::jsonb) AS s(version_id uuid, importance jsonb)
          WHERE v.id = s.version_id AND v.workspace_id = $1 AND v.source = 'UPLOAD'`,
        [
          job.workspaceId,
          JSON.stringify(
            scores.map((s) => ({ version_id: s.versionId, importance: s.featureImportance })),
          ),
        ],
      );
      await recordAuditEvent(m, {
        workspaceId: job.workspaceId,
        apiKeyId: current.started_by_key_id,
        sourceAddress: null,
        action: EVALUATION_FINISH_ACTION,
        targetType: 'evaluation_job',
        targetId: job.id,
        details: { modelId: job.modelId, versions: scores.map((s) => s.versionId) },
      });
      const rows = await queryRows<EndedAttemptRow>(
        m,
        `UPDATE training_jobs t SET status = 'SUCCEEDED', error = NULL, epoch = 1,
           ${ENDED}, seq = t.seq + 1
         WHERE ${FENCE} RETURNING ${EVENT_COLUMNS}, ${ATTEMPT_USAGE_COLUMNS}, ${ATTEMPT_SECONDS}`,
        [job.id, job.attempt],
      );
      if (!(await publishRowEvent(m, rows[0], 'status')))
        throw new Error(`evaluation job ${job.id} changed while its row was locked`);
      await attemptsEnded(m, rows);
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
    const leaseMs = Math.trunc(this.leaseMs);
    const limit = `$${params.length + 1}`;
    const reason = `$${params.length + 2}`;
    // A lapsed attempt is charged up to when its worker was last known alive: its last lease
    // renewal or its last epoch, whichever is later (the self-join reads the lease as it was
    // before this UPDATE clears it).
    const endedAt = lapsed
      ? `GREATEST(b.attempt_started_at, b.lease_expires_at - ${leaseMs} * interval '1 millisecond',
           (SELECT max(e.at) FROM training_epochs e
             WHERE e.job_id = b.id AND e.at >= b.attempt_started_at))`
      : 'now()';
    const rows = await queryRows<EndedAttemptRow>(
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
       FROM training_jobs b
       WHERE b.id = t.id AND ${where}
       RETURNING ${EVENT_COLUMNS}, ${ATTEMPT_USAGE_COLUMNS},
         extract(epoch FROM ${endedAt} - b.attempt_started_at)::float8 AS seconds`,
      [...params, this.maxAttempts, ATTEMPTS_EXHAUSTED],
    );
    const events: TrainingJobEvent[] = [];
    for (const row of rows) {
      if (row.status === 'QUEUED') await this.queue.enqueueTraining(m, row.id);
      const event = await publishRowEvent(m, row, 'status');
      if (event) events.push(event);
    }
    await attemptsEnded(m, rows);
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
    const rows = await queryRows<EndedAttemptRow>(
      m,
      `UPDATE training_jobs t SET status = $3, error = $4, ${ENDED}, seq = t.seq + 1
       WHERE ${FENCE} RETURNING ${EVENT_COLUMNS}, ${ATTEMPT_USAGE_COLUMNS}, ${ATTEMPT_SECONDS}`,
      [job.id, job.attempt, status, error],
    );
    if ((await publishRowEvent(m, rows[0], 'status')) === null) return false;
    await attemptsEnded(m, rows);
    return true;
  }

  /** Runs `write` in a transaction; a lost lease inside it rolls everything back and answers `lost`. */
  private async fenced<T>(lost: T, write: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(write).catch((err: unknown) => {
      if (err instanceof LeaseLostError) return lost;
      throw err;
    });
  }
}
