import {
  Dataset,
  FINAL_JOB_STATUSES,
  Model,
  TrainingEpoch,
  TrainingJob as JobRow,
  type AlgorithmName,
  type JobStatus,
} from '@maas/db';
import { insertTrainingJob, requestCancel, retryJob, type JobQueue } from '@maas/jobs';
import { resolveHyperparameters, resolveWarmStart, type Hyperparameters } from '@maas/training';
import { MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, conflict, notFound } from '../../common/errors';
import {
  HISTORY_PAGE,
  MAX_HISTORY_PAGE,
  newestFirstPage,
  type Page,
} from '../../common/pagination';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import {
  assertIdempotencyKey,
  findIdempotentResult,
  idempotent,
  requestSha256,
  resultGone,
  type IdempotentRequest,
} from '../idempotency/idempotency';
import { WorkspaceQuotaCheck } from '../quotas/quota-rules';
import type { EpochMetrics, TrainingJob } from './training.types';
import { findWarmStartVersion, trainingInputError } from './warm-start-parent';

export interface StartJobArgs {
  modelId: string;
  datasetId: string;
  algorithm: AlgorithmName;
  target: string;
  features?: string[] | null;
  hyperparameters?: unknown;
  warmStartVersionId?: string | null;
  idempotencyKey?: string | null;
}

export function mapJob(row: JobRow): TrainingJob {
  if (!row.algorithm) throw new Error(`job ${row.id} is an evaluation job, not a training job`);
  const progress =
    row.status === 'SUCCEEDED' ? 1 : row.epochs > 0 ? Math.min(1, row.epoch / row.epochs) : 0;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    modelId: row.modelId,
    datasetId: row.datasetId,
    algorithm: row.algorithm,
    target: row.target,
    features: row.features,
    hyperparameters: row.hyperparameters,
    status: row.status,
    epoch: row.epoch,
    epochs: row.epochs,
    progress,
    attempts: row.attempt,
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    seq: row.seq,
    resultVersionId: row.resultVersionId,
    warmStartVersionId: row.warmStartVersionId,
  };
}

export const isFinal = (status: JobStatus) => FINAL_JOB_STATUSES.includes(status);

/** Training jobs: validated at the edge, queued in the same transaction as their row. */
export class TrainingService {
  constructor(
    private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  /** The job an earlier request with the same idempotency key created. */
  private async loadJob(m: EntityManager, id: string, req: IdempotentRequest): Promise<JobRow> {
    const row = await m
      .getRepository(JobRow)
      .findOne({ where: { id, workspaceId: req.workspaceId, kind: 'TRAINING' } });
    if (!row) throw resultGone('training job', req);
    return row;
  }

  async start(auth: AuthInfo, input: StartJobArgs): Promise<TrainingJob> {
    requireRole(auth, 'EDITOR');
    const key = assertIdempotencyKey(input.idempotencyKey);
    const { idempotencyKey: _key, ...request } = input;
    const req: IdempotentRequest | null = key
      ? {
          workspaceId: auth.workspaceId,
          scope: 'trainingJob.start',
          key,
          requestSha256: requestSha256(request),
        }
      : null;
    const first = req ? await findIdempotentResult(this.db.manager, req) : null;
    if (first && req) return mapJob(await this.loadJob(this.db.manager, first, req));
    const repoModel = this.db.getRepository(Model);
    const model = await repoModel.findOne({
      where: { id: assertId(input.modelId, 'modelId'), workspaceId: auth.workspaceId },
    });
    if (!model) throw notFound(`Model ${input.modelId} does not exist`);
    const dataset = await this.db.getRepository(Dataset).findOne({
      where: { id: assertId(input.datasetId, 'datasetId'), workspaceId: auth.workspaceId },
    });
    if (!dataset || dataset.deletedAt) throw notFound(`Dataset ${input.datasetId} does not exist`);

    const columns = new Map(dataset.columns.map((c) => [c.name, c]));
    const target = columns.get(input.target);
    if (!target) {
      throw badInput(
        `Dataset "${dataset.name}" has no column "${input.target}"; its columns are ${[...columns.keys()].join(', ')}`,
        { field: 'target' },
      );
    }
    if (input.algorithm === 'LINEAR_REGRESSION' && target.type !== 'numeric') {
      throw badInput(
        `LINEAR_REGRESSION needs a numeric target; "${target.name}" is ${target.type}`,
        { field: 'target' },
      );
    }
    if (
      input.algorithm === 'LOGISTIC_REGRESSION' &&
      target.distinct !== null &&
      target.distinct !== 2
    ) {
      throw badInput(
        `LOGISTIC_REGRESSION needs a target with two classes; "${target.name}" has ${target.distinct}: use SOFTMAX_REGRESSION`,
        { field: 'target' },
      );
    }
    // A model update follows the warm-start rules of @maas/training, as the trainer will.
    const parent = input.warmStartVersionId
      ? await findWarmStartVersion(this.db, auth, model, input.warmStartVersionId)
      : null;
    const warmStartVersionId = parent?.id ?? null;
    let features: string[];
    let hyperparameters: Hyperparameters;
    try {
      if (parent) {
        ({ features, hyperparameters } = resolveWarmStart(parent.spec, {
          algorithm: input.algorithm,
          target: target.name,
          features: input.features,
          hyperparameters: input.hyperparameters,
          columns: dataset.columns,
        }));
      } else {
        hyperparameters = resolveHyperparameters(input.algorithm, input.hyperparameters);
        features =
          input.features ??
          dataset.columns
            .filter((c) => c.name !== target.name && c.type === 'numeric')
            .map((c) => c.name);
      }
    } catch (err) {
      throw trainingInputError(err, parent);
    }
    if (features.length === 0)
      throw badInput('No features: pass "features" (the dataset has no other numeric column)', {
        field: 'features',
      });
    if (new Set(features).size !== features.length)
      throw badInput('"features" lists a column twice', { field: 'features' });
    for (const f of features) {
      if (!columns.has(f))
        throw badInput(`Dataset "${dataset.name}" has no column "${f}"`, { field: 'features' });
      if (f === target.name)
        throw badInput(`"${f}" is the target; it cannot also be a feature`, { field: 'features' });
    }

    const row = await this.db.transaction((m) =>
      idempotent(
        m,
        req,
        (id) => this.loadJob(m, id, req as IdempotentRequest),
        async () => {
          // Under the workspace's lock: concurrent starts are counted one after the other.
          const quota = await WorkspaceQuotaCheck.lock(m, auth.workspaceId);
          await quota.queuedJobs();
          await quota.versions(model.id);
          const saved = await insertTrainingJob(m, this.queue, {
            workspaceId: auth.workspaceId,
            modelId: model.id,
            datasetId: dataset.id,
            algorithm: input.algorithm,
            target: target.name,
            features,
            hyperparameters: hyperparameters as unknown as Record<string, unknown>,
            epochs: hyperparameters.epochs,
            warmStartVersionId,
            startedByKeyId: auth.apiKeyId,
          });
          await audit(m, auth, auth.workspaceId, 'trainingJob.start', 'training_job', saved.id, {
            model: model.name,
            dataset: dataset.name,
            algorithm: input.algorithm,
          });
          return { id: saved.id, result: saved };
        },
      ),
    );
    return mapJob(row);
  }

  async cancel(auth: AuthInfo, id: string): Promise<TrainingJob> {
    requireRole(auth, 'EDITOR');
    const jobId = assertId(id);
    await this.db.transaction(async (m) => {
      const result = await requestCancel(m, jobId, {
        workspaceId: auth.workspaceId,
        kind: 'TRAINING',
      });
      if (result.outcome === 'NOT_FOUND') throw notFound(`Training job ${id} does not exist`);
      if (result.outcome === 'ALREADY_FINISHED')
        throw conflict(`Training job ${id} is already ${result.status}`);
      await audit(m, auth, auth.workspaceId, 'trainingJob.cancel', 'training_job', jobId, null);
    });
    return this.getOrFail(auth, jobId);
  }

  async retry(auth: AuthInfo, id: string): Promise<TrainingJob> {
    requireRole(auth, 'EDITOR');
    const jobId = assertId(id);
    await this.db.transaction(async (m) => {
      const job = await m
        .getRepository(JobRow)
        .findOne({ where: { id: jobId, workspaceId: auth.workspaceId, kind: 'TRAINING' } });
      if (!job) throw notFound(`Training job ${id} does not exist`);
      const dataset = await m.getRepository(Dataset).findOne({ where: { id: job.datasetId } });
      if (!dataset || dataset.deletedAt)
        throw conflict(`Dataset of training job ${id} was deleted: start a new job`);
      const quota = await WorkspaceQuotaCheck.lock(m, auth.workspaceId);
      if (job.status === 'FAILED' || job.status === 'CANCELLED') {
        await quota.queuedJobs();
        await quota.versions(job.modelId);
      }
      const result = await retryJob(m, jobId, this.queue, {
        workspaceId: auth.workspaceId,
        kind: 'TRAINING',
      });
      if (result.outcome === 'NOT_FOUND') throw notFound(`Training job ${id} does not exist`);
      if (result.outcome === 'NOT_RETRYABLE')
        throw conflict(
          `Only FAILED or CANCELLED jobs can be retried; this one is ${result.status}`,
        );
      await audit(m, auth, auth.workspaceId, 'trainingJob.retry', 'training_job', jobId, null);
    });
    return this.getOrFail(auth, jobId);
  }

  async find(auth: AuthInfo, id: string): Promise<TrainingJob | null> {
    const row = await this.db
      .getRepository(JobRow)
      .findOne({ where: { id: assertId(id), workspaceId: auth.workspaceId, kind: 'TRAINING' } });
    return row ? mapJob(row) : null;
  }

  async getOrFail(auth: AuthInfo, id: string): Promise<TrainingJob> {
    const job = await this.find(auth, id);
    if (!job) throw notFound(`Training job ${id} does not exist`);
    return job;
  }

  async list(
    auth: AuthInfo,
    args: {
      first?: number | null;
      after?: string | null;
      status?: JobStatus | null;
      modelId?: string | null;
    },
  ): Promise<Page<TrainingJob>> {
    const qb = this.db
      .getRepository(JobRow)
      .createQueryBuilder('j')
      .where('j.workspaceId = :ws', { ws: auth.workspaceId })
      .andWhere("j.kind = 'TRAINING'");
    if (args.status) qb.andWhere('j.status = :status', { status: args.status });
    if (args.modelId)
      qb.andWhere('j.modelId = :modelId', { modelId: assertId(args.modelId, 'modelId') });
    return newestFirstPage(qb, 'j', args, mapJob);
  }

  /** Finished epochs oldest first, at most `first` after `afterEpoch` (a LIMIT in SQL). */
  async history(
    jobId: string,
    afterEpoch: number | null | undefined,
    first: number | null | undefined,
  ): Promise<EpochMetrics[]> {
    const take = first ?? HISTORY_PAGE;
    if (!Number.isInteger(take) || take < 1 || take > MAX_HISTORY_PAGE) {
      throw badInput(`"first" must be between 1 and ${MAX_HISTORY_PAGE}, got ${String(first)}`, {
        field: 'first',
      });
    }
    const rows = await this.db.getRepository(TrainingEpoch).find({
      where: { jobId, ...(afterEpoch != null ? { epoch: MoreThan(afterEpoch) } : {}) },
      order: { epoch: 'ASC' },
      take,
    });
    return rows.map((r) => ({
      epoch: r.epoch,
      loss: r.loss,
      validationLoss: r.validationLoss,
      metrics: r.metrics,
      at: r.at,
    }));
  }
}
