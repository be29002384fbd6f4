import { usageToday, Workspace, WORKSPACE_QUOTA_CHANNEL } from '@maas/db';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, notFound } from '../../common/errors';
import { assertId } from '../../common/scalars';
import { requireRoot, type AuthInfo, type KeyEvents } from '../auth/auth.service';
import { QUOTA_MAXIMA, QUOTA_NAMES, quotaOf, type QuotaValues } from './quota-fields';
import { WORKSPACE_ARTIFACTS_SQL, WORKSPACE_DATASET_CSVS_SQL } from './quota-rules';
import type { WorkspaceUsage } from './quotas.types';

/** Checks a QuotaInput: each given field null (unlimited) or an integer in 0..its maximum. */
export function assertQuotaInput(input: Partial<QuotaValues>): Partial<QuotaValues> {
  const out: Partial<QuotaValues> = {};
  for (const name of QUOTA_NAMES) {
    const value = input[name];
    if (value === undefined) continue;
    if (
      value !== null &&
      (!Number.isSafeInteger(value) || value < 0 || value > QUOTA_MAXIMA[name])
    ) {
      throw badInput(
        `quota.${name} must be null (unlimited) or an integer from 0 to ${QUOTA_MAXIMA[name]}, got ${String(value)}`,
        { field: name },
      );
    }
    out[name] = value;
  }
  return out;
}

/** Quotas: set by the root key, read with the usage they limit. */
export class QuotasService {
  constructor(
    private readonly db: DataSource,
    private readonly events: KeyEvents,
    /** This replica's metered counts not flushed yet (the usage meter's), added to the database's. */
    private readonly unflushed: (workspaceId: string) => {
      predictions: number;
      tokens: number;
    } = () => ({
      predictions: 0,
      tokens: 0,
    }),
    /**
     * Applies a quota change on this replica before `set` returns (the auth cache's
     * `onQuotaChanged`), so the caller's next request already sees it; other replicas hear it on
     * WORKSPACE_QUOTA_CHANNEL.
     */
    private readonly applyHere: (workspaceId: string) => Promise<void> = () => Promise.resolve(),
  ) {}

  /**
   * `setWorkspaceQuota`: root only; fields left out keep their value. Written with its audit row
   * (before and after) in one transaction; then this replica applies it and every other one is
   * told to reload its limits.
   */
  async set(auth: AuthInfo, workspaceId: string, input: Partial<QuotaValues>): Promise<Workspace> {
    requireRoot(auth, 'set workspace quotas');
    const id = assertId(workspaceId, 'workspaceId');
    const changes = assertQuotaInput(input);
    const saved = await this.db.transaction(async (m) => {
      const ws = await m
        .getRepository(Workspace)
        .findOne({ where: { id }, lock: { mode: 'for_no_key_update' } });
      if (!ws) throw notFound(`Workspace ${workspaceId} does not exist`);
      const before = quotaOf(ws);
      Object.assign(ws, changes);
      if (Object.keys(changes).length > 0) await m.update(Workspace, { id }, changes);
      await audit(m, auth, id, 'quota.set', 'workspace', id, { before, after: quotaOf(ws) });
      return ws;
    });
    await this.applyHere(id);
    await this.events.publish(WORKSPACE_QUOTA_CHANNEL, { workspaceId: id });
    return saved;
  }

  /** Usage of many workspaces in a fixed number of grouped queries. */
  async usage(workspaceIds: readonly string[]): Promise<Map<string, WorkspaceUsage>> {
    const ids = [...workspaceIds];
    const byId = new Map<string, WorkspaceUsage>();
    for (const id of ids)
      byId.set(id, {
        models: 0,
        storageBytes: 0,
        datasetBytes: 0,
        runningJobs: 0,
        queuedJobs: 0,
        predictionsToday: 0,
        tokensToday: 0,
      });
    if (ids.length === 0) return byId;
    type Row = { workspace_id: string } & Record<string, string | number>;
    const [models, storage, datasets, jobs, today] = await Promise.all([
      this.db.query<Row[]>(
        `SELECT workspace_id, count(*)::int AS models FROM models
          WHERE workspace_id = ANY($1) GROUP BY workspace_id`,
        [ids],
      ),
      this.db.query<Row[]>(
        `WITH refs AS (${WORKSPACE_ARTIFACTS_SQL})
         SELECT r.workspace_id, SUM(a.size_bytes) AS bytes FROM refs r
           JOIN artifacts a ON a.sha256 = r.sha256 GROUP BY r.workspace_id`,
        [ids],
      ),
      this.db.query<Row[]>(
        `SELECT workspace_id, SUM(size_bytes) AS bytes FROM (${WORKSPACE_DATASET_CSVS_SQL}) d
          GROUP BY workspace_id`,
        [ids],
      ),
      this.db.query<Row[]>(
        `SELECT workspace_id, count(*) FILTER (WHERE status = 'RUNNING')::int AS running,
                count(*) FILTER (WHERE status = 'QUEUED')::int AS queued
           FROM training_jobs WHERE workspace_id = ANY($1) AND status IN ('RUNNING', 'QUEUED')
          GROUP BY workspace_id`,
        [ids],
      ),
      usageToday(this.db.manager, ids),
    ]);
    const get = (id: string) => byId.get(id) as WorkspaceUsage;
    for (const r of models) get(r.workspace_id).models = Number(r.models);
    for (const r of storage) get(r.workspace_id).storageBytes = Number(r.bytes);
    for (const r of datasets) get(r.workspace_id).datasetBytes = Number(r.bytes);
    for (const r of jobs) {
      get(r.workspace_id).runningJobs = Number(r.running);
      get(r.workspace_id).queuedJobs = Number(r.queued);
    }
    for (const [id, t] of today) {
      const local = this.unflushed(id);
      get(id).predictionsToday = t.predictions + local.predictions;
      get(id).tokensToday = t.tokens + local.tokens;
    }
    return byId;
  }

  /** A per-request loader: every workspace of a `workspaces` list costs the same few queries. */
  usageLoader(): DataLoader<string, WorkspaceUsage> {
    return new DataLoader(async (ids) => {
      const byId = await this.usage(ids);
      return ids.map((id) => byId.get(id) as WorkspaceUsage);
    });
  }
}
