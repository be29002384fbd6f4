import type { ClientBase, Pool } from 'pg';
import type { ArtifactInfo, ArtifactStorage } from './artifact-store';

// The `artifacts` table as the stores use it (see the Artifact entity). Plain SQL on pg clients:
// the stores run on their own pools, not on a TypeORM DataSource.

interface ArtifactRow {
  sha256: string;
  size_bytes: string;
  storage: ArtifactStorage;
  lo_oid: string | null;
  ref_count: number;
}

/** An artifact row with its large object id. */
export interface CatalogEntry extends ArtifactInfo {
  loOid: number | null;
}

function toEntry(row: ArtifactRow): CatalogEntry {
  return {
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    storage: row.storage,
    refCount: row.ref_count,
    loOid: row.lo_oid === null ? null : Number(row.lo_oid),
  };
}

export async function findArtifact(
  db: Pool | ClientBase,
  sha256: string,
): Promise<CatalogEntry | null> {
  const { rows } = await db.query<ArtifactRow>(
    'SELECT sha256, size_bytes, storage, lo_oid, ref_count FROM artifacts WHERE sha256 = $1',
    [sha256],
  );
  return rows[0] ? toEntry(rows[0]) : null;
}

/** Inserts an unreferenced row; `false` when the sha256 is already there (it waits for a writer). */
export async function insertArtifact(
  db: ClientBase,
  entry: { sha256: string; sizeBytes: number; storage: ArtifactStorage; loOid: number | null },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO artifacts (sha256, size_bytes, storage, lo_oid, ref_count)
     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (sha256) DO NOTHING`,
    [entry.sha256, entry.sizeBytes, entry.storage, entry.loOid],
  );
  return rowCount === 1;
}

/**
 * Deletes the row when nothing references it (and, with `olderThan`, it was created before that:
 * the sweep re-checks its listing here, so bytes put again since are kept); returns it when
 * deleted.
 */
export async function deleteUnreferencedArtifact(
  db: ClientBase,
  sha256: string,
  olderThan?: Date,
): Promise<CatalogEntry | null> {
  const { rows } = await db.query<ArtifactRow>(
    `DELETE FROM artifacts
     WHERE sha256 = $1 AND ref_count = 0 AND ($2::timestamptz IS NULL OR created_at < $2)
     RETURNING sha256, size_bytes, storage, lo_oid, ref_count`,
    [sha256, olderThan ?? null],
  );
  return rows[0] ? toEntry(rows[0]) : null;
}

/** sha256s of unreferenced rows created before `olderThan`. */
export async function listUnreferencedArtifacts(db: Pool, olderThan: Date): Promise<string[]> {
  const { rows } = await db.query<{ sha256: string }>(
    'SELECT sha256 FROM artifacts WHERE ref_count = 0 AND created_at < $1',
    [olderThan],
  );
  return rows.map((row) => row.sha256);
}

/**
 * Makes `pool` safe against connections the server ends while checked out (a timeout, a restart):
 * the error then fails the next query instead of crashing the process as an unhandled event.
 */
export function guardPoolErrors(pool: Pool): Pool {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs `fn` in a transaction on a client of `pool`. */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: ClientBase) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
