import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import {
  acquireArtifact,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  createDataSource,
  PgArtifactStore,
  releaseArtifact,
} from '../src';
import { createTestDatabase, type TestDatabase } from '@maas/testing';

const MiB = 1024 * 1024;

/** A deterministic multi-megabyte stream, produced 64 KiB at a time, and its sha256. */
function generated(sizeBytes: number, seed: number): { stream: () => Readable; sha256: string } {
  const block = createHash('sha256').update(String(seed)).digest();
  const base = Buffer.alloc(64 * 1024);
  for (let i = 0; i < base.length; i += block.length) block.copy(base, i);
  const chunk = (i: number) => {
    const buffer = Buffer.from(
      base.subarray(0, Math.min(base.length, sizeBytes - i * base.length)),
    );
    buffer.writeUInt32BE(i, 0);
    return buffer;
  };
  const count = Math.ceil(sizeBytes / base.length);
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) hash.update(chunk(i));
  function* produce() {
    for (let i = 0; i < count; i++) yield chunk(i);
  }
  return { stream: () => Readable.from(produce()), sha256: hash.digest('hex') };
}

async function readAll(stream: Readable): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

describe('PgArtifactStore', () => {
  let db: TestDatabase;
  let store: PgArtifactStore;
  let dataSource: DataSource;
  let sql: pg.Client;
  let workDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PgArtifactStore({ url: db.url, readPoolSize: 1 });
    dataSource = await createDataSource(db.url, { poolSize: 2 }).initialize();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    workDir = await mkdtemp(path.join(tmpdir(), 'maas-artifacts-'));
  });

  afterAll(async () => {
    await sql?.end();
    await dataSource?.destroy();
    await store?.close();
    await db?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function largeObjectCount(): Promise<number> {
    const { rows } = await sql.query<{ count: string }>(
      'SELECT count(*) FROM pg_largeobject_metadata',
    );
    return Number(rows[0]?.count);
  }

  async function loOidOf(sha256: string): Promise<number | null> {
    const { rows } = await sql.query<{ lo_oid: string | null }>(
      'SELECT lo_oid FROM artifacts WHERE sha256 = $1',
      [sha256],
    );
    return rows[0]?.lo_oid == null ? null : Number(rows[0].lo_oid);
  }

  it('round-trips a multi-megabyte stream with its sha256', async () => {
    const source = generated(9 * MiB + 123, 1);
    const result = await store.put(source.stream());
    expect(result).toEqual({ sha256: source.sha256, sizeBytes: 9 * MiB + 123, created: true });
    expect(await readAll(await store.openRead(source.sha256))).toEqual({
      sha256: source.sha256,
      sizeBytes: 9 * MiB + 123,
    });
    expect(await store.stat(source.sha256)).toMatchObject({ storage: 'pg', refCount: 0 });
  });

  it('stores identical bytes once', async () => {
    const source = generated(3 * MiB, 2);
    const before = await largeObjectCount();
    const [a, b] = await Promise.all([store.put(source.stream()), store.put(source.stream())]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.sha256).toBe(source.sha256);
    const again = await store.put(source.stream(), { sha256: source.sha256 });
    expect(again.created).toBe(false);
    expect(await largeObjectCount()).toBe(before + 1);
  });

  it('skips reading a file whose announced sha256 is already stored', async () => {
    const file = path.join(workDir, 'model.onnx');
    const bytes = randomBytes(200_000);
    await writeFile(file, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await store.put(file, { sha256 })).toMatchObject({ sha256, created: true });
    // The path no longer exists: a read would fail, so a success proves nothing was read.
    await rm(file);
    expect(await store.put(file, { sha256 })).toEqual({
      sha256,
      sizeBytes: 200_000,
      created: false,
    });
  });

  it('refuses bytes that do not match the announced sha256, keeping nothing', async () => {
    const before = await largeObjectCount();
    await expect(
      store.put(Readable.from([Buffer.from('hello')]), { sha256: 'a'.repeat(64) }),
    ).rejects.toBeInstanceOf(ArtifactIntegrityError);
    expect(await largeObjectCount()).toBe(before);
  });

  it('stops at maxBytes without destroying the caller stream, keeping nothing', async () => {
    const before = await largeObjectCount();
    const source = generated(2 * MiB, 3).stream();
    await expect(store.put(source, { maxBytes: MiB })).rejects.toBeInstanceOf(
      ArtifactTooLargeError,
    );
    expect(source.destroyed).toBe(false);
    source.destroy();
    expect(await largeObjectCount()).toBe(before);
  });

  it('counts references in the caller transaction and unlinks the large object at zero', async () => {
    const source = generated(MiB, 4);
    await store.put(source.stream());
    const oid = await loOidOf(source.sha256);
    expect(oid).not.toBeNull();
    await dataSource.transaction(async (manager) => {
      expect(await acquireArtifact(manager, source.sha256)).toBe(1);
      expect(await acquireArtifact(manager, source.sha256)).toBe(2);
    });
    // A rolled-back release changes nothing.
    await expect(
      dataSource.transaction(async (manager) => {
        await releaseArtifact(manager, source.sha256);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await store.stat(source.sha256))?.refCount).toBe(2);

    const first = await dataSource.transaction((m) => releaseArtifact(m, source.sha256));
    expect(first).toEqual({ sha256: source.sha256, refCount: 1, removed: false, storage: 'pg' });
    const last = await dataSource.transaction((m) => releaseArtifact(m, source.sha256));
    expect(last.removed).toBe(true);
    await store.afterRelease(last);

    expect(await store.exists(source.sha256)).toBe(false);
    const { rows } = await sql.query('SELECT 1 FROM pg_largeobject_metadata WHERE oid = $1', [oid]);
    expect(rows).toHaveLength(0);
    await expect(store.openRead(source.sha256)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(
      dataSource.transaction((m) => acquireArtifact(m, source.sha256)),
    ).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('requires a transaction for reference counting', async () => {
    const source = generated(1000, 5);
    await store.put(source.stream());
    await expect(acquireArtifact(dataSource.manager, source.sha256)).rejects.toThrow(
      /inside the caller's transaction/,
    );
  });

  it('deletes only unreferenced artifacts', async () => {
    const kept = generated(5000, 6);
    const dropped = generated(5000, 7);
    await store.put(kept.stream());
    await store.put(dropped.stream());
    await dataSource.transaction((m) => acquireArtifact(m, kept.sha256));
    const oid = await loOidOf(dropped.sha256);
    expect(await store.delete(kept.sha256)).toBe(false);
    expect(await store.delete(dropped.sha256)).toBe(true);
    expect(await store.exists(kept.sha256)).toBe(true);
    const { rows } = await sql.query('SELECT 1 FROM pg_largeobject_metadata WHERE oid = $1', [oid]);
    expect(rows).toHaveLength(0);
    expect(await store.deleteUnreferenced(new Date(Date.now() + 60_000))).toBeGreaterThan(0);
    expect(await store.exists(kept.sha256)).toBe(true);
  });

  it('returns the download connection when a reader stops early', async () => {
    const source = generated(4 * MiB, 8);
    await store.put(source.stream());
    // The read pool has one connection: a leaked one would make the second open hang.
    const partial = await store.openRead(source.sha256);
    for await (const _chunk of partial) break;
    expect(partial.destroyed).toBe(true);
    expect(await readAll(await store.openRead(source.sha256))).toMatchObject({
      sha256: source.sha256,
    });
  });

  it('validates sha256 strings', async () => {
    await expect(store.openRead('not-a-sha')).rejects.toThrow(/Invalid sha256/);
  });
});
