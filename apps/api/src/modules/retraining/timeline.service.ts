import { TrainingJob as JobRow } from '@maas/db';
import { In, type DataSource } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { assertId } from '../../common/scalars';
import type { AuthInfo } from '../auth/auth.service';
import type { EvaluationJob } from '../evaluation/evaluation.types';
import type { Promotion } from '../promotions/promotions.types';
import { mapJob } from '../training/training.service';
import type { TimelineEvent } from './retraining.types';

export const TIMELINE_DEFAULT = 50;
export const TIMELINE_MAX = 500;

/** An event as a source gives it; the service loads the jobs, evaluations and promotions it names. */
export interface TimelineEntry {
  at: Date;
  kind: string;
  message: string;
  trainingJobId?: string | null;
  versionId?: string | null;
  evaluationId?: string | null;
  promotionId?: string | null;
}

/**
 * Another module's events on a model's timeline: at most `first`, newest first, of the
 * workspace's model only. Monitoring's alerts plug in here (`timeline.addSource` in
 * services.ts, MonitoringTimelineSource).
 */
export interface TimelineSource {
  events(workspaceId: string, modelId: string, first: number): Promise<TimelineEntry[]>;
}

/** How the timeline reads the evaluation jobs and promotions its events name. */
export interface TimelineLoaders {
  evaluation(workspaceId: string, id: string): Promise<EvaluationJob | null>;
  promotion(auth: AuthInfo, id: string): Promise<Promotion | null>;
}

/** Audit actions that are timeline events, with the kind they get there. */
const AUDITED_KINDS: Record<string, string> = {
  'alias.set': 'alias',
  'alias.delete': 'alias',
  'retrainPolicy.set': 'policy.set',
  'retrainPolicy.delete': 'policy.deleted',
};

const FINISHED_JOB = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const FINAL_PROMOTION = ['COMPLETED', 'ROLLED_BACK', 'REFUSED', 'CANCELLED'];
const FINAL_RUN = ['COMPLETED', 'TRAINED', 'FAILED'];

const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * A model's timeline, newest first: feedback (one event per hour), retraining policy changes and
 * runs, training and evaluation jobs, promotions with their steps, rollbacks and refusals, alias
 * moves, uploads, and what other sources add (docs/api.md, "Model timeline"). Each source reads at
 * most `first` rows, so the answer costs a fixed number of bounded queries whatever the history.
 */
export class TimelineService {
  private readonly sources: TimelineSource[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly loaders: TimelineLoaders,
  ) {}

  addSource(source: TimelineSource): void {
    this.sources.push(source);
  }

  async events(
    auth: AuthInfo,
    modelId: string,
    first: number | null | undefined,
  ): Promise<TimelineEvent[]> {
    const take = first ?? TIMELINE_DEFAULT;
    if (!Number.isInteger(take) || take < 1 || take > TIMELINE_MAX)
      throw badInput(`"first" must be from 1 to ${TIMELINE_MAX}, got ${String(first)}`, {
        field: 'first',
      });
    const id = assertId(modelId, 'modelId');
    const ws = auth.workspaceId;
    const [model] = await this.db.query<{ id: string }[]>(
      'SELECT id FROM models WHERE id = $1 AND workspace_id = $2',
      [id, ws],
    );
    if (!model) throw notFound(`Model ${modelId} does not exist`);
    const lists = await Promise.all([
      this.feedback(ws, id, take),
      this.runs(ws, id, take),
      this.jobs(ws, id, take),
      this.promotions(ws, id, take),
      this.uploads(ws, id, take),
      this.audited(ws, id, take),
      ...this.sources.map((s) => s.events(ws, id, take)),
    ]);
    // Newest first; at one instant, the later kind of a pair (a job's end after its start) first.
    const entries = lists
      .flat()
      .map((e, i) => ({ e, i }))
      .sort((a, b) => b.e.at.getTime() - a.e.at.getTime() || b.i - a.i)
      .slice(0, take)
      .map((x) => x.e);
    const distinct = (pick: (e: TimelineEntry) => string | null | undefined) => [
      ...new Set(entries.flatMap((e) => (pick(e) ? [pick(e) as string] : []))),
    ];
    const jobIds = distinct((e) => e.trainingJobId);
    const [jobs, evaluations, promotions] = await Promise.all([
      jobIds.length
        ? this.db.getRepository(JobRow).find({ where: { id: In(jobIds), workspaceId: ws } })
        : Promise.resolve([]),
      Promise.all(distinct((e) => e.evaluationId).map((e) => this.loaders.evaluation(ws, e))),
      Promise.all(distinct((e) => e.promotionId).map((p) => this.loaders.promotion(auth, p))),
    ]);
    const jobById = new Map(jobs.map((j) => [j.id, mapJob(j)]));
    const evaluationById = new Map(evaluations.flatMap((e) => (e ? [[e.id, e] as const] : [])));
    const promotionById = new Map(promotions.flatMap((p) => (p ? [[p.id, p] as const] : [])));
    return entries.map((e) => ({
      at: e.at,
      kind: e.kind,
      message: e.message,
      trainingJob: (e.trainingJobId && jobById.get(e.trainingJobId)) || null,
      evaluation: (e.evaluationId && evaluationById.get(e.evaluationId)) || null,
      promotion: (e.promotionId && promotionById.get(e.promotionId)) || null,
      versionId: e.versionId ?? null,
    }));
  }

  /** Feedback on the model's predictions, one event per hour, at the hour's last feedback. */
  private async feedback(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<{ first: Date; last: Date; n: number }[]>(
      `SELECT min(f.created_at) AS first, max(f.created_at) AS last, count(*)::int AS n
         FROM prediction_feedback f
         JOIN prediction_log p ON p.id = f.prediction_id
         JOIN model_versions v ON v.id = p.version_id
        WHERE f.workspace_id = $1 AND p.workspace_id = $1 AND v.model_id = $2
        GROUP BY date_trunc('hour', f.created_at) ORDER BY 2 DESC LIMIT $3`,
      [ws, modelId, take],
    );
    return rows.map((r) => ({
      at: new Date(r.last),
      kind: 'feedback',
      message: `${plural(r.n, 'feedback row')} from ${minute(new Date(r.first))} to ${minute(new Date(r.last))}`,
    }));
  }

  /** A run's firing, and its end once it has one. */
  private async runs(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<
      {
        created_at: Date;
        updated_at: Date;
        status: string;
        reason: string;
        message: string;
        training_job_id: string | null;
        version_id: string | null;
        promotion_id: string | null;
      }[]
    >(
      `SELECT created_at, updated_at, status, reason, message, training_job_id, version_id,
              promotion_id
         FROM retrain_runs WHERE workspace_id = $1 AND model_id = $2
        ORDER BY created_at DESC LIMIT $3`,
      [ws, modelId, take],
    );
    return rows.flatMap((r) => {
      const fired: TimelineEntry = {
        at: new Date(r.created_at),
        kind: 'retrain.triggered',
        message: `Retraining triggered (${r.reason}): ${r.message.split(';')[0] ?? ''}`,
      };
      if (!FINAL_RUN.includes(r.status)) return [fired];
      return [
        fired,
        {
          at: new Date(r.updated_at),
          kind: `retrain.${r.status.toLowerCase()}`,
          message: `Retraining ${r.status.toLowerCase()}: ${r.message}`,
          trainingJobId: r.training_job_id,
          versionId: r.version_id,
          promotionId: r.promotion_id,
        },
      ];
    });
  }

  /** Training and evaluation jobs: a job's start, and its end once it has one. */
  private async jobs(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.getRepository(JobRow).find({
      where: { workspaceId: ws, modelId },
      order: { createdAt: 'DESC' },
      take,
    });
    return rows.flatMap((j) => {
      const training = j.kind === 'TRAINING';
      const ids = training ? { trainingJobId: j.id } : { evaluationId: j.id };
      const what = training
        ? `${j.algorithm} training job${j.warmStartVersionId ? ' (warm start)' : ''}`
        : 'Evaluation job';
      const prefix = training ? 'training' : 'evaluation';
      const started: TimelineEntry = {
        at: j.createdAt,
        kind: `${prefix}.started`,
        message: `${what} started`,
        ...ids,
        versionId: training ? j.warmStartVersionId : null,
      };
      if (!j.finishedAt || !FINISHED_JOB.includes(j.status)) return [started];
      return [
        started,
        {
          at: j.finishedAt,
          kind: `${prefix}.${j.status.toLowerCase()}`,
          message: `${what} ${j.status.toLowerCase()}${j.error ? `: ${j.error}` : ''}`,
          ...ids,
          versionId: training ? j.resultVersionId : null,
        },
      ];
    });
  }

  /** A promotion's start, each rollout step's start and outcome, and its end. */
  private async promotions(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<
      {
        id: string;
        status: string;
        reason: string | null;
        candidate_version_id: string;
        name: string;
        steps: {
          weight: number;
          startedAt: string | null;
          endedAt: string | null;
          requests: number;
          errorRate: number | null;
          outcome: string | null;
        }[];
        created_at: Date;
        updated_at: Date;
      }[]
    >(
      `SELECT p.id, p.status, p.reason, p.candidate_version_id, d.name, p.steps, p.created_at,
              p.updated_at
         FROM promotions p JOIN deployments d ON d.id = p.deployment_id
        WHERE p.workspace_id = $1 AND d.model_id = $2
        ORDER BY p.created_at DESC LIMIT $3`,
      [ws, modelId, take],
    );
    return rows.flatMap((p) => {
      const of = { promotionId: p.id, versionId: p.candidate_version_id };
      const events: TimelineEntry[] = [
        {
          at: new Date(p.created_at),
          kind: 'promotion.started',
          message: `Promotion on deployment "${p.name}" started`,
          ...of,
        },
      ];
      for (const s of p.steps) {
        if (s.startedAt)
          events.push({
            at: new Date(s.startedAt),
            kind: 'promotion.step',
            message: `Rollout step ${s.weight}% started on deployment "${p.name}"`,
            ...of,
          });
        if (s.endedAt && s.outcome)
          events.push({
            at: new Date(s.endedAt),
            kind: 'promotion.step.ended',
            message: `Rollout step ${s.weight}% ${s.outcome} after ${plural(s.requests, 'request')}${
              s.errorRate === null ? '' : ` (error rate ${s.errorRate})`
            }`,
            ...of,
          });
      }
      if (FINAL_PROMOTION.includes(p.status))
        events.push({
          at: new Date(p.updated_at),
          kind: `promotion.${p.status.toLowerCase()}`,
          message: `Promotion on deployment "${p.name}" ${p.status.toLowerCase().replace('_', ' ')}${
            p.reason ? `: ${p.reason}` : ''
          }`,
          ...of,
        });
      return events;
    });
  }

  private async uploads(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<{ id: string; version: number; created_at: Date }[]>(
      `SELECT id, version, created_at FROM model_versions
        WHERE workspace_id = $1 AND model_id = $2 AND source = 'UPLOAD'
        ORDER BY created_at DESC LIMIT $3`,
      [ws, modelId, take],
    );
    return rows.map((r) => ({
      at: new Date(r.created_at),
      kind: 'version.uploaded',
      message: `Version ${r.version} uploaded`,
      versionId: r.id,
    }));
  }

  /** Alias moves and retraining policy changes, from the audit log. */
  private async audited(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<{ created_at: Date; action: string; details: unknown }[]>(
      `SELECT a.created_at, a.action, a.details FROM audit_events a
        WHERE a.workspace_id = $1 AND a.outcome = 'ok' AND a.action = ANY($3::text[])
          AND a.target_type = 'model' AND a.target_id = $2::text
        ORDER BY a.created_at DESC LIMIT $4`,
      [ws, modelId, Object.keys(AUDITED_KINDS), take],
    );
    return rows.map((r) => ({
      at: new Date(r.created_at),
      kind: AUDITED_KINDS[r.action] ?? r.action,
      message: auditMessage(r.action, r.details),
    }));
  }
}

function auditMessage(action: string, details: unknown): string {
  const d = (details ?? {}) as Record<string, unknown>;
  if (action === 'retrainPolicy.set')
    return `Retraining policy set (deployment "${String(d.deployment)}", trigger ${JSON.stringify(d.trigger ?? {})})`;
  if (action === 'retrainPolicy.delete') return 'Retraining policy deleted';
  if (action === 'alias.set')
    return `Alias "${String(d.alias)}" moved to version ${String(d.version)}`;
  return `Alias "${String(d.alias)}" removed`;
}
