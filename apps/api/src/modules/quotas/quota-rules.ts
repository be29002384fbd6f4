import { assertVersionQuota, QuotaExceededError, Workspace } from '@maas/db';
import type { EntityManager } from 'typeorm';
import { quotaExceeded } from '../../common/errors';
import { quotaOf, type QuotaValues } from './quota-fields';

/** An artifact a request is about to reference. */
export interface ArtifactRef {
  sha256: string;
  sizeBytes: number;
}

/**
 * The artifacts a workspace references, one row per (workspace, sha256): its model versions (and
 * their bundles' files) and its live datasets' CSV and columns files. The storage quota and usage both read it.
 */
export const WORKSPACE_ARTIFACTS_SQL = `
  SELECT workspace_id, sha256 FROM model_versions WHERE workspace_id = ANY($1)
  UNION SELECT v.workspace_id, f.sha256 FROM model_version_files f
    JOIN model_versions v ON v.id = f.version_id WHERE v.workspace_id = ANY($1)
  UNION SELECT workspace_id, source_sha256 FROM datasets WHERE workspace_id = ANY($1) AND deleted_at IS NULL
  UNION SELECT workspace_id, columns_sha256 FROM datasets WHERE workspace_id = ANY($1) AND deleted_at IS NULL`;

/** The CSV files of each workspace's live datasets, each distinct file once (dataset bytes). */
export const WORKSPACE_DATASET_CSVS_SQL = `
  SELECT DISTINCT workspace_id, source_sha256, size_bytes FROM datasets
   WHERE workspace_id = ANY($1) AND deleted_at IS NULL`;

/** 403 QUOTA_EXCEEDED for the trainer's and the registry's QuotaExceededError; others unchanged. */
export function asQuotaError(err: unknown): unknown {
  return err instanceof QuotaExceededError ? quotaExceeded(err.quota, err.limit, err.usage) : err;
}

const sum = (refs: readonly ArtifactRef[]) => refs.reduce((n, r) => n + r.sizeBytes, 0);

/**
 * The hard quotas of one workspace, checked before something is created. `lock` (inside the
 * creating transaction) serialises the workspace's quota-checked creations, so two requests at
 * limit − 1 cannot both pass; `read` is the cheap pre-check done before any expensive work.
 * Each check throws 403 QUOTA_EXCEEDED naming the quota, its limit and the usage.
 */
export class WorkspaceQuotaCheck {
  private constructor(
    private readonly m: EntityManager,
    readonly workspaceId: string,
    readonly quota: QuotaValues,
  ) {}

  /** Locks the workspace row (FOR NO KEY UPDATE: rows referencing it can still be inserted). */
  static async lock(m: EntityManager, workspaceId: string): Promise<WorkspaceQuotaCheck> {
    const ws = await m
      .getRepository(Workspace)
      .findOneOrFail({ where: { id: workspaceId }, lock: { mode: 'for_no_key_update' } });
    return new WorkspaceQuotaCheck(m, workspaceId, quotaOf(ws));
  }

  static async read(m: EntityManager, workspaceId: string): Promise<WorkspaceQuotaCheck> {
    const ws = await m.getRepository(Workspace).findOneOrFail({ where: { id: workspaceId } });
    return new WorkspaceQuotaCheck(m, workspaceId, quotaOf(ws));
  }

  private async count(sql: string): Promise<number> {
    const rows = await this.m.query<{ n: number }[]>(sql, [this.workspaceId]);
    return Number(rows[0]?.n ?? 0);
  }

  /** maxModels: one more model. */
  async models(): Promise<void> {
    const limit = this.quota.maxModels;
    if (limit === null) return;
    const usage = await this.count('SELECT count(*)::int AS n FROM models WHERE workspace_id = $1');
    if (usage >= limit) throw quotaExceeded('maxModels', limit, usage);
  }

  /** maxVersionsPerModel: one more version of `modelId` (the rule of @maas/db, as commits apply it). */
  async versions(modelId: string): Promise<void> {
    try {
      await assertVersionQuota(this.m, this.workspaceId, modelId);
    } catch (err) {
      throw asQuotaError(err);
    }
  }

  /** maxQueuedJobs: one more QUEUED training job. */
  async queuedJobs(): Promise<void> {
    const limit = this.quota.maxQueuedJobs;
    if (limit === null) return;
    const usage = await this.count(
      `SELECT count(*)::int AS n FROM training_jobs WHERE workspace_id = $1 AND status = 'QUEUED'`,
    );
    if (usage >= limit) throw quotaExceeded('maxQueuedJobs', limit, usage);
  }

  /**
   * maxStorageBytes (then maxDatasetBytes for a dataset's CSV): the workspace is about to reference
   * `artifacts`. Bytes it already references (same sha256) do not count again.
   */
  async storage(artifacts: readonly ArtifactRef[], datasetCsv?: ArtifactRef): Promise<void> {
    const { maxStorageBytes, maxDatasetBytes } = this.quota;
    if (maxStorageBytes !== null) {
      const distinct = [...new Map(artifacts.map((a) => [a.sha256, a])).values()];
      const rows = await this.m.query<{ sha256: string; size_bytes: string | null }[]>(
        `WITH refs AS (${WORKSPACE_ARTIFACTS_SQL})
         SELECT r.sha256, a.size_bytes FROM refs r JOIN artifacts a ON a.sha256 = r.sha256`,
        [[this.workspaceId]],
      );
      const held = new Set(rows.map((r) => r.sha256));
      const usage = rows.reduce((n, r) => n + Number(r.size_bytes ?? 0), 0);
      const added = sum(distinct.filter((a) => !held.has(a.sha256)));
      if (added > 0 && usage + added > maxStorageBytes)
        throw quotaExceeded('maxStorageBytes', maxStorageBytes, usage);
    }
    if (datasetCsv && maxDatasetBytes !== null) {
      const rows = await this.m.query<{ bytes: string; held: boolean | null }[]>(
        `SELECT COALESCE(SUM(size_bytes), 0) AS bytes, bool_or(source_sha256 = $2) AS held
           FROM (${WORKSPACE_DATASET_CSVS_SQL}) d`,
        [[this.workspaceId], datasetCsv.sha256],
      );
      const usage = Number(rows[0]?.bytes ?? 0);
      if (!rows[0]?.held && usage + datasetCsv.sizeBytes > maxDatasetBytes)
        throw quotaExceeded('maxDatasetBytes', maxDatasetBytes, usage);
    }
  }
}
