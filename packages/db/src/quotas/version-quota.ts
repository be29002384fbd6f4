import type { EntityManager } from 'typeorm';

/**
 * A workspace is at a hard quota (`quota` is the GraphQL `Quota` field name, e.g.
 * `maxVersionsPerModel`): the change was refused and nothing was written. The API answers it as
 * 403 QUOTA_EXCEEDED; the trainer fails the job with its message.
 */
export class QuotaExceededError extends Error {
  constructor(
    readonly quota: string,
    readonly limit: number,
    readonly usage: number,
  ) {
    super(`This would exceed the workspace's ${quota} quota: ${usage} of ${limit} used`);
    this.name = 'QuotaExceededError';
  }
}

/**
 * The maxVersionsPerModel rule, shared by uploads and training: throws {@link QuotaExceededError}
 * when the model already has as many versions as its workspace allows. With `lock` (inside the
 * committing transaction) the model row is locked first, so concurrent commits to one model are
 * counted one after the other. Returns false when the model is not in the workspace.
 */
export async function assertVersionQuota(
  manager: Pick<EntityManager, 'query'>,
  workspaceId: string,
  modelId: string,
  lock = false,
): Promise<boolean> {
  const rows = await manager.query<{ max_versions: number | null; versions: number }[]>(
    `SELECT w.max_versions_per_model AS max_versions,
            (SELECT count(*)::int FROM model_versions v WHERE v.model_id = m.id) AS versions
       FROM models m JOIN workspaces w ON w.id = m.workspace_id
      WHERE m.id = $1 AND m.workspace_id = $2${lock ? ' FOR NO KEY UPDATE OF m' : ''}`,
    [modelId, workspaceId],
  );
  const row = rows[0];
  if (!row) return false;
  if (row.max_versions !== null && row.versions >= row.max_versions)
    throw new QuotaExceededError('maxVersionsPerModel', row.max_versions, row.versions);
  return true;
}
