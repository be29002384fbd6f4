// Downloads (openRead with purpose 'download') against a real database: their own budget and
// pool, apart from the reads model loads make, and deadlines that end a stalled download's
// transaction. Also the sweep's re-check of an artifact's age.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactDownloadsBusyError, ArtifactDownloadTimeoutError, PgArtifactStore } from '../src';
import { createTestDatabase, type TestDatabase } from '@maas/testing';

const bytes = randomBytes(4 * 1024 * 1024);
const sha256 = createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Resolves with the error `stream` fails with, never reading from it. */
function failureOf(stream: Readable): Promise<Error> {
  return new Promise((resolve, reject) => {
    stream.once('error', resolve);
    stream.once('end', () => reject(new Error('the download ended normally')));
  });
}

describe('artifact downloads', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  const stores: PgArtifactStore[] = [];
  const storeWith = (downloads: ConstructorParameters<typeof PgArtifactStore>[0]['downloads']) => {
    const store = new PgArtifactStore({ url: db.url, readPoolSize: 1, downloads });
    stores.push(store);
    return store;
  };

  async function downloadsInTransaction(): Promise<number> {
    const { rows } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = 'maas-artifact-downloads' AND xact_start IS NOT NULL`,
    );
    return rows[0]?.n ?? 0;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const writer = storeWith({});
    await writer.put(Readable.from([bytes]));
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    await sql?.end();
    await db?.drop();
  });

  it('keeps downloads within their budget, apart from loads, and cuts one whose reader stalls', async () => {
    const store = storeWith({ concurrency: 1, stallTimeoutMs: 500 });
    const started = Date.now();
    const stalled = await store.openRead(sha256, { purpose: 'download' });
    const failed = failureOf(stalled);
    // One download slot: the next download is refused at once, nothing opened.
    await expect(store.openRead(sha256, { purpose: 'download' })).rejects.toBeInstanceOf(
      ArtifactDownloadsBusyError,
    );
    // Loads read through their own pool (of one connection here), untouched by the download.
    expect(await readAll(await store.openRead(sha256))).toBe(sha256);
    expect(await downloadsInTransaction()).toBe(1);

    const err = await failed;
    expect(err).toBeInstanceOf(ArtifactDownloadTimeoutError);
    expect(err.message).toMatch(/stalled/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    // Its transaction ended with it, and the slot is free again.
    await expect.poll(downloadsInTransaction, { timeout: 5_000 }).toBe(0);
    expect(await readAll(await store.openRead(sha256, { purpose: 'download' }))).toBe(sha256);
  });

  it('cuts a download that runs past its deadline, however it reads', async () => {
    const store = storeWith({ concurrency: 1, stallTimeoutMs: 60_000, maxDurationMs: 300 });
    const download = await store.openRead(sha256, { purpose: 'download' });
    const err = await failureOf(download);
    expect(err).toBeInstanceOf(ArtifactDownloadTimeoutError);
    expect(err.message).toMatch(/deadline/);
    await expect.poll(downloadsInTransaction, { timeout: 5_000 }).toBe(0);
  });

  it('sweeps an artifact only when it is still older than the sweep looked for', async () => {
    const store = storeWith({});
    const fresh = randomBytes(1000);
    const { sha256: id } = await store.put(Readable.from([fresh]));
    const hourAgo = new Date(Date.now() - 3_600_000);
    // Listed by a sweep as older than an hour, then put again (a new row) before its delete ran.
    expect(await store.delete(id, { olderThan: hourAgo })).toBe(false);
    expect(await store.exists(id)).toBe(true);
    await sql.query(
      `UPDATE artifacts SET created_at = now() - interval '2 hours' WHERE sha256 = $1`,
      [id],
    );
    expect(await store.delete(id, { olderThan: hourAgo })).toBe(true);
    expect(await store.exists(id)).toBe(false);
  });
});
