import { TrainingJob as JobRow } from '@maas/db';
import { In, type DataSource } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { assertId } from '../../common/scalars';
import type { AuthInfo } from '../auth/auth.service';
import { mapJob } from '../training/training.service';
import type { TimelineEvent } from './retraining.types';

export const TIMELINE_DEFAULT = 50;
export const TIMELINE_MAX = 200;

/** An event as a source gives it; the service loads the training jobs it names. */
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
 * Another module's events on a model's timeline (monitoring's drift alerts, evaluation jobs,
 * promotions and rollbacks): at most `first`, newest first, of the workspace's model only.
 */
export interface TimelineSource {
  events(workspaceId: string, modelId: string, first: number): Promise<TimelineEntry[]>;
}

/** Audit actions that are timeline events, with the kind they get there. */
const AUDITED_KINDS: Record<string, string> = {
  'deployment.routes': 'routes',
  'alias.set': 'alias',
  'alias.delete': 'alias',
};

const hour = (d: Date) => `${d.toISOString().slice(0, 13).replace('T', ' ')}:00 UTC`;

/**
 * A model's timeline, newest first: feedback per hour, retraining runs, training jobs, uploads,
 * route and alias changes, and what the other sources add. Each source reads at most `first`
 * rows, so the answer costs a fixed number of bounded queries whatever the model's history.
 */
export class TimelineService {
  private readonly sources: TimelineSource[] = [];

  constructor(private readonly db: DataSource) {}

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
      this.uploads(ws, id, take),
      this.audited(ws, id, take),
      ...this.sources.map((s) => s.events(ws, id, take)),
    ]);
    const entries = lists
      .flat()
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, take);
    const jobIds = [...new Set(entries.flatMap((e) => (e.trainingJobId ? [e.trainingJobId] : [])))];
    const jobs = jobIds.length
      ? await this.db.getRepository(JobRow).find({ where: { id: In(jobIds), workspaceId: ws } })
      : [];
    const jobById = new Map(jobs.map((j) => [j.id, mapJob(j)]));
    return entries.map((e) => ({
      at: e.at,
      kind: e.kind,
      message: e.message,
      trainingJob: (e.trainingJobId && jobById.get(e.trainingJobId)) || null,
      versionId: e.versionId ?? null,
      evaluationId: e.evaluationId ?? null,
      promotionId: e.promotionId ?? null,
    }));
  }

  /** Feedback on the model's predictions, one event per hour. */
  private async feedback(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<{ at: Date; n: number }[]>(
      `SELECT date_trunc('hour', f.created_at) AS at, count(*)::int AS n
         FROM prediction_feedback f
         JOIN prediction_log p ON p.id = f.prediction_id
         JOIN model_versions v ON v.id = p.version_id
        WHERE f.workspace_id = $1 AND p.workspace_id = $1 AND v.model_id = $2
        GROUP BY 1 ORDER BY 1 DESC LIMIT $3`,
      [ws, modelId, take],
    );
    return rows.map((r) => ({
      at: new Date(r.at),
      kind: 'feedback',
      message: `${r.n} feedback row${r.n === 1 ? '' : 's'} in the hour from ${hour(new Date(r.at))}`,
    }));
  }

  private async runs(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<
      {
        created_at: Date;
        status: string;
        reason: string;
        message: string;
        training_job_id: string | null;
        version_id: string | null;
        promotion_id: string | null;
      }[]
    >(
      `SELECT created_at, status, reason, message, training_job_id, version_id, promotion_id
         FROM retrain_runs WHERE workspace_id = $1 AND model_id = $2
        ORDER BY created_at DESC LIMIT $3`,
      [ws, modelId, take],
    );
    return rows.map((r) => ({
      at: new Date(r.created_at),
      kind: 'retrain',
      message: `Retraining (${r.reason}, ${r.status}): ${r.message}`,
      trainingJobId: r.training_job_id,
      versionId: r.version_id,
      promotionId: r.promotion_id,
    }));
  }

  /** A job's start, and its end once it has one. */
  private async jobs(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.getRepository(JobRow).find({
      where: { workspaceId: ws, modelId },
      order: { createdAt: 'DESC' },
      take,
    });
    return rows.flatMap((j) => {
      const started: TimelineEntry = {
        at: j.createdAt,
        kind: 'training.started',
        message: `${j.algorithm} training job started${j.warmStartVersionId ? ' (warm start)' : ''}`,
        trainingJobId: j.id,
        versionId: j.warmStartVersionId,
      };
      if (!j.finishedAt || !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status))
        return [started];
      return [
        started,
        {
          at: j.finishedAt,
          kind: `training.${j.status.toLowerCase()}`,
          message: `Training job ${j.status.toLowerCase()}${j.error ? `: ${j.error}` : ''}`,
          trainingJobId: j.id,
          versionId: j.resultVersionId,
        },
      ];
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

  /** Route changes of the model's deployments and alias moves, from the audit log. */
  private async audited(ws: string, modelId: string, take: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<
      { created_at: Date; action: string; target_type: string; details: unknown; name: string | null }[]
    >(
      `SELECT a.created_at, a.action, a.target_type, a.details, d.name
         FROM audit_events a
         LEFT JOIN deployments d ON a.target_type = 'deployment' AND d.id::text = a.target_id
        WHERE a.workspace_id = $1 AND a.outcome = 'ok' AND a.action = ANY($3::text[])
          AND ((a.target_type = 'model' AND a.target_id = $2::text)
            OR (a.target_type = 'deployment' AND d.model_id = $2))
        ORDER BY a.created_at DESC LIMIT $4`,
      [ws, modelId, Object.keys(AUDITED_KINDS), take],
    );
    return rows.map((r) => ({
      at: new Date(r.created_at),
      kind: AUDITED_KINDS[r.action] ?? r.action,
      message: auditMessage(r.action, r.name, r.details),
    }));
  }
}

function auditMessage(action: string, deployment: string | null, details: unknown): string {
  const d = (details ?? {}) as Record<string, unknown>;
  if (action === 'deployment.routes') {
    const routes = Array.isArray(d.routes) ? (d.routes as { weight?: unknown }[]) : [];
    const weights = routes.map((r) => `${String(r.weight)}%`).join(', ');
    return `Deployment "${deployment ?? '?'}" routes changed (${routes.length} route${routes.length === 1 ? '' : 's'}: ${weights})`;
  }
  if (action === 'alias.set')
    return `Alias "${String(d.alias)}" moved to version ${String(d.version)}`;
  return `Alias "${String(d.alias)}" removed`;
}
