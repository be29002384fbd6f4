import { Dataset, EvaluationResult, ModelVersion, TrainingJob as JobRow } from '@maas/db';
import { insertEvaluationJob, requestCancel, type JobQueue } from '@maas/jobs';
import { metricRegression } from '@maas/training';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { audit, type AuditActor } from '../../common/audit';
import { badInput, conflict, notFound } from '../../common/errors';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import { WorkspaceQuotaCheck } from '../quotas/quota-rules';
import { candidateVerdict, type CandidateVerdict } from './candidate-verdict';
import type { EvaluationJob, VersionEvaluation } from './evaluation.types';

/** Most versions one evaluation job scores. */
export const MAX_EVALUATION_VERSIONS = 10;
/** Most evaluation jobs `evaluationJobs` lists at once. */
export const MAX_EVALUATION_PAGE = 100;

/** What an evaluation scores: versions of one model, on a dataset's rows, against a target. */
export interface EvaluationRequest {
  versionIds: readonly string[];
  datasetId: string;
  target: string;
}

/**
 * Who starts an evaluation from another module (a promotion, a retraining policy): the workspace,
 * and the key the job's seconds and audit row are recorded against (null: the platform).
 */
export interface EvaluationScope {
  workspaceId: string;
  actor: AuditActor | null;
}

const list = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * Evaluation jobs (docs/api.md, "Evaluation"): validated here, run by the training workers on the
 * training queue (a `training_jobs` row of kind EVALUATION, its versions in `evaluation_results`).
 *
 * Other modules call {@link start} (or {@link evaluateCandidate} for champion/challenger) with an
 * {@link EvaluationScope}, optionally inside their own transaction, and read the outcome with
 * {@link get} (`results[i].metrics[metric]`, `comparison.versions[i].worseBy[metric]`: positive is
 * worse than the first version) or {@link verdict} (PENDING / PASSED / FAILED / ERROR).
 */
export class EvaluationService {
  constructor(
    private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  /** `startEvaluationJob`: EDITOR, like `startTrainingJob`. */
  async startForCaller(auth: AuthInfo, input: EvaluationRequest): Promise<EvaluationJob> {
    requireRole(auth, 'EDITOR');
    return this.start({ workspaceId: auth.workspaceId, actor: auth }, input);
  }

  /**
   * Validates and enqueues an evaluation job in `scope`'s workspace (inside `manager`'s
   * transaction when given, else its own). Another workspace's versions or dataset are NOT_FOUND;
   * what does not fit is BAD_USER_INPUT naming it; a full queue is QUOTA_EXCEEDED (maxQueuedJobs).
   */
  async start(
    scope: EvaluationScope,
    input: EvaluationRequest,
    manager?: EntityManager,
  ): Promise<EvaluationJob> {
    const ids = checkVersionIds(input.versionIds);
    const datasetId = assertId(input.datasetId, 'datasetId');
    const target = checkTarget(input.target);
    const run = async (m: EntityManager): Promise<EvaluationJob> => {
      const dataset = await m
        .getRepository(Dataset)
        .findOne({ where: { id: datasetId, workspaceId: scope.workspaceId } });
      if (!dataset || dataset.deletedAt)
        throw notFound(`Dataset ${input.datasetId} does not exist`);
      const rows = await m
        .getRepository(ModelVersion)
        .find({ where: { id: In(ids), workspaceId: scope.workspaceId } });
      const byId = new Map(rows.map((v) => [v.id, v]));
      const versions = ids.map((id) => {
        const version = byId.get(id);
        if (!version) throw notFound(`Model version ${id} does not exist`);
        return version;
      });
      const features = checkCompatible(versions, dataset, target);
      const quota = await WorkspaceQuotaCheck.lock(m, scope.workspaceId);
      await quota.queuedJobs();
      const first = versions[0] as ModelVersion;
      const saved = await insertEvaluationJob(m, this.queue, {
        workspaceId: scope.workspaceId,
        modelId: first.modelId,
        datasetId: dataset.id,
        target,
        features,
        versionIds: ids,
        startedByKeyId: scope.actor?.apiKeyId ?? null,
      });
      await audit(
        m,
        scope.actor,
        scope.workspaceId,
        'evaluationJob.start',
        'evaluation_job',
        saved.id,
        {
          dataset: dataset.name,
          target,
          versions: versions.map((v) => v.version),
        },
      );
      return mapEvaluation(saved, ids, []);
    };
    return manager ? run(manager) : this.db.transaction(run);
  }

  /**
   * Champion/challenger (guarded promotion, retraining): one evaluation of `[champion, candidate]`
   * on the dataset; read its outcome with {@link verdict}.
   */
  async evaluateCandidate(
    scope: EvaluationScope,
    input: {
      championVersionId: string;
      candidateVersionId: string;
      datasetId: string;
      target: string;
    },
    manager?: EntityManager,
  ): Promise<EvaluationJob> {
    return this.start(
      scope,
      {
        versionIds: [input.championVersionId, input.candidateVersionId],
        datasetId: input.datasetId,
        target: input.target,
      },
      manager,
    );
  }

  /** {@link candidateVerdict} of job `id` in `workspaceId` on `metric`, or null when no such job. */
  async verdict(
    workspaceId: string,
    id: string,
    metric: string,
    maxRegression: number,
  ): Promise<CandidateVerdict | null> {
    const job = await this.get(workspaceId, id);
    return job ? candidateVerdict(job, metric, maxRegression) : null;
  }

  /** `evaluationJob(id)`: the job in the caller's workspace, or null. */
  async find(auth: AuthInfo, id: string): Promise<EvaluationJob | null> {
    return this.get(auth.workspaceId, assertId(id));
  }

  /** The job with its results (for other modules), or null when not in `workspaceId`. */
  async get(workspaceId: string, id: string): Promise<EvaluationJob | null> {
    const row = await this.db
      .getRepository(JobRow)
      .findOne({ where: { id, workspaceId, kind: 'EVALUATION' } });
    if (!row) return null;
    const results = await this.db
      .getRepository(EvaluationResult)
      .find({ where: { jobId: id }, order: { position: 'ASC' } });
    return mapEvaluation(
      row,
      results.map((r) => r.versionId),
      results,
    );
  }

  /** `evaluationJobs(modelId, first)`: newest first. */
  async list(auth: AuthInfo, modelId: string, first: number): Promise<EvaluationJob[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_EVALUATION_PAGE)
      throw badInput(`"first" must be between 1 and ${MAX_EVALUATION_PAGE}, got ${first}`, {
        field: 'first',
      });
    const rows = await this.db.getRepository(JobRow).find({
      where: {
        workspaceId: auth.workspaceId,
        modelId: assertId(modelId, 'modelId'),
        kind: 'EVALUATION',
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: first,
    });
    if (rows.length === 0) return [];
    const results = await this.db
      .getRepository(EvaluationResult)
      .find({ where: { jobId: In(rows.map((r) => r.id)) }, order: { position: 'ASC' } });
    return rows.map((row) => {
      const mine = results.filter((r) => r.jobId === row.id);
      return mapEvaluation(
        row,
        mine.map((r) => r.versionId),
        mine,
      );
    });
  }

  /** `cancelEvaluationJob(id)`: EDITOR; a QUEUED job stops at once, a RUNNING one within seconds. */
  async cancel(auth: AuthInfo, id: string): Promise<EvaluationJob> {
    requireRole(auth, 'EDITOR');
    const jobId = assertId(id);
    await this.db.transaction(async (m) => {
      const result = await requestCancel(m, jobId, {
        workspaceId: auth.workspaceId,
        kind: 'EVALUATION',
      });
      if (result.outcome === 'NOT_FOUND') throw notFound(`Evaluation job ${id} does not exist`);
      if (result.outcome === 'ALREADY_FINISHED')
        throw conflict(`Evaluation job ${id} is already ${result.status}`);
      await audit(m, auth, auth.workspaceId, 'evaluationJob.cancel', 'evaluation_job', jobId, null);
    });
    const job = await this.get(auth.workspaceId, jobId);
    if (!job) throw notFound(`Evaluation job ${id} does not exist`);
    return job;
  }
}

function checkVersionIds(versionIds: readonly string[]): string[] {
  if (versionIds.length === 0)
    throw badInput('"versionIds" must name at least one version', { field: 'versionIds' });
  if (versionIds.length > MAX_EVALUATION_VERSIONS)
    throw badInput(
      `"versionIds" names ${versionIds.length} versions; one evaluation scores at most ${MAX_EVALUATION_VERSIONS}`,
      { field: 'versionIds' },
    );
  const ids = versionIds.map((id) => assertId(id, 'versionIds'));
  if (new Set(ids).size !== ids.length)
    throw badInput('"versionIds" names a version twice', { field: 'versionIds' });
  return ids;
}

function checkTarget(target: string): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > 256)
    throw badInput('"target" must be a column name of 1 to 256 characters', { field: 'target' });
  return target;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? null) === null
    ? (b ?? null) === null
    : b !== undefined && a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The rules an evaluation's versions and dataset must meet; returns the shared features. One
 * model; tabular (one input, `signature.features`); the same features (any order) and the same
 * labels (in order); the dataset has the target and every feature, of the kinds the versions take.
 */
function checkCompatible(
  versions: readonly ModelVersion[],
  dataset: Pick<Dataset, 'name' | 'rowCount' | 'columns'>,
  target: string,
): string[] {
  const { name: datasetName, columns } = dataset;
  const first = versions[0] as ModelVersion;
  for (const v of versions) {
    if (v.modelId !== first.modelId)
      throw badInput(
        `The versions must belong to one model; version ${v.version} (${v.id}) is another model's`,
        { field: 'versionIds' },
      );
    if (!v.signature.features || v.signature.inputs.length !== 1)
      throw badInput(
        `Version ${v.version} is not a tabular model (one input, with features in its signature): evaluation scores tabular models`,
        { field: 'versionIds' },
      );
  }
  const features = first.signature.features as string[];
  const sorted = [...features].sort();
  for (const v of versions) {
    const theirs = [...(v.signature.features as string[])].sort();
    if (!sameList(sorted, theirs))
      throw badInput(
        `Version ${v.version} takes features ${list(v.signature.features as string[])}, version ${first.version} takes ${list(features)}: the versions of one evaluation must share their features`,
        { field: 'versionIds' },
      );
    if (!sameList(first.signature.labels, v.signature.labels))
      throw badInput(
        `Version ${v.version} has labels ${list(v.signature.labels ?? [])}, version ${first.version} has ${list(first.signature.labels ?? [])}: the versions must predict the same kind of value`,
        { field: 'versionIds' },
      );
  }
  const byName = new Map(columns.map((c) => [c.name, c]));
  const targetColumn = byName.get(target);
  if (!targetColumn)
    throw badInput(
      `Dataset "${datasetName}" has no column "${target}"; its columns are ${list([...byName.keys()])}`,
      { field: 'target' },
    );
  if (features.includes(target))
    throw badInput(`"${target}" is a feature of the versions; it cannot also be the target`, {
      field: 'target',
    });
  if (!first.signature.labels && targetColumn.type === 'categorical')
    throw badInput(
      `The versions are regressors, but "${target}" is categorical: name a numeric target`,
      { field: 'target' },
    );
  if (targetColumn.nullCount >= dataset.rowCount)
    throw badInput(`Column "${target}" has no value in dataset "${datasetName}"`, {
      field: 'target',
    });
  for (const feature of features) {
    const column = byName.get(feature);
    if (!column)
      throw badInput(
        `Dataset "${datasetName}" has no column "${feature}", a feature of the versions`,
        { field: 'datasetId' },
      );
    const categorical = versions.some((v) => v.signature.categories?.[feature] !== undefined);
    if (categorical !== (column.type === 'categorical'))
      throw badInput(
        `Column "${feature}" is ${column.type} in dataset "${datasetName}", but the versions take it as ${categorical ? 'a category' : 'a number'}`,
        { field: 'datasetId' },
      );
  }
  return features;
}

/** The entity rows of an evaluation job as its GraphQL type (results only once SUCCEEDED). */
export function mapEvaluation(
  row: JobRow,
  versionIds: string[],
  results: readonly EvaluationResult[],
): EvaluationJob {
  const done = row.status === 'SUCCEEDED';
  const scored: VersionEvaluation[] = done
    ? results
        .filter((r) => r.metrics !== null)
        .map((r) => ({ versionId: r.versionId, metrics: r.metrics ?? {}, details: r.details }))
    : [];
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    modelId: row.modelId,
    datasetId: row.datasetId,
    status: row.status,
    target: row.target,
    features: row.features,
    versionIds,
    results: scored,
    comparison: done ? compare(scored) : null,
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/**
 * Each version against the first: `delta` (its metric minus the first's) and `worseBy` (how much
 * worse: positive is worse, for losses and scores alike), and `best`: metric → best version id.
 */
export function compare(results: readonly VersionEvaluation[]): Record<string, unknown> | null {
  const baseline = results[0];
  if (!baseline) return null;
  const numbers = (m: Record<string, unknown>) =>
    Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number');
  const versions = results.map((r) => {
    const delta: Record<string, number> = {};
    const worseBy: Record<string, number> = {};
    for (const [metric, value] of numbers(r.metrics)) {
      const base = baseline.metrics[metric];
      if (typeof base !== 'number') continue;
      delta[metric] = value - base;
      worseBy[metric] = metricRegression(metric, base, value);
    }
    return { versionId: r.versionId, delta, worseBy };
  });
  const best: Record<string, string> = {};
  for (const [metric] of numbers(baseline.metrics)) {
    let winner = baseline;
    for (const r of results) {
      const value = r.metrics[metric];
      const current = winner.metrics[metric];
      if (typeof value === 'number' && typeof current === 'number')
        if (metricRegression(metric, current, value) < 0) winner = r;
    }
    best[metric] = winner.versionId;
  }
  return { baselineVersionId: baseline.versionId, versions, best };
}
