import type { EntityManager } from 'typeorm';
import {
  ArtifactNotFoundError,
  assertSha256,
  type ArtifactStorage,
  type ReleasedArtifact,
} from './artifact-store';

function assertInTransaction(manager: EntityManager, what: string): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      `${what} must run inside the caller's transaction (dataSource.transaction(manager => ...)), ` +
        'so the reference count commits together with the row that uses the artifact.',
    );
  }
}

/**
 * Adds one reference to an artifact, inside the caller's transaction (the one that inserts the
 * version or dataset using it). Throws {@link ArtifactNotFoundError} when the artifact is gone
 * (e.g. removed unreferenced between `put` and this call): `put` the bytes again and retry.
 * Returns the new reference count.
 */
export async function acquireArtifact(manager: EntityManager, sha256: string): Promise<number> {
  assertSha256(sha256);
  assertInTransaction(manager, 'acquireArtifact');
  // A CTE makes TypeORM return plain rows for the UPDATE.
  const rows = await manager.query<{ ref_count: number }[]>(
    `WITH updated AS (
       UPDATE artifacts SET ref_count = ref_count + 1 WHERE sha256 = $1 RETURNING ref_count
     ) SELECT ref_count FROM updated`,
    [sha256],
  );
  const row = rows[0];
  if (!row) throw new ArtifactNotFoundError(sha256);
  return row.ref_count;
}

/**
 * Drops one reference, inside the caller's transaction (delete the rows that use the artifact
 * first: model_versions references it by foreign key). At zero the row goes, and a large object
 * is unlinked in the same transaction; for S3, pass the result to `store.afterRelease()` once the
 * transaction committed.
 */
export async function releaseArtifact(
  manager: EntityManager,
  sha256: string,
): Promise<ReleasedArtifact> {
  assertSha256(sha256);
  assertInTransaction(manager, 'releaseArtifact');
  const rows = await manager.query<
    { ref_count: number; storage: ArtifactStorage; lo_oid: string | null }[]
  >(
    `WITH updated AS (
       UPDATE artifacts SET ref_count = ref_count - 1 WHERE sha256 = $1 AND ref_count > 0
       RETURNING ref_count, storage, lo_oid
     ) SELECT ref_count, storage, lo_oid FROM updated`,
    [sha256],
  );
  const row = rows[0];
  if (!row) {
    const exists = await manager.query<unknown[]>('SELECT 1 FROM artifacts WHERE sha256 = $1', [
      sha256,
    ]);
    if (exists.length === 0) throw new ArtifactNotFoundError(sha256);
    throw new Error(`Artifact ${sha256} has no reference left to release.`);
  }
  if (row.ref_count > 0) {
    return { sha256, refCount: row.ref_count, removed: false, storage: row.storage };
  }
  // Our UPDATE holds the row lock: no acquire can slip in before this transaction ends.
  await manager.query('DELETE FROM artifacts WHERE sha256 = $1', [sha256]);
  if (row.storage === 'pg' && row.lo_oid !== null) {
    await manager.query('SELECT lo_unlink($1)', [row.lo_oid]);
  }
  return { sha256, refCount: 0, removed: true, storage: row.storage };
}
