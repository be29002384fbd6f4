// The S3 store's catalog logic against a real database and an in-memory bucket (memory-s3.ts):
// a delete racing a put of the same bytes never leaves a live row without its object, and a row
// whose object went missing gets it back on the next put.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../src';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import { MemoryS3 } from './memory-s3';

async function readAll(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('S3ArtifactStore', () => {
  let db: TestDatabase;
  let s3: MemoryS3;
  let store: S3ArtifactStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = new MemoryS3('models');
    store = new S3ArtifactStore({
      url: db.url,
      location: { bucket: 'models', prefix: 'maas' },
      client: s3.client(),
    });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('stores, reads and deletes an artifact as one object at its content address', async () => {
    const bytes = randomBytes(3000);
    const put = await store.put(Readable.from([bytes]));
    expect(put.created).toBe(true);
    expect([...s3.objects.keys()]).toEqual([store.keyOf(put.sha256)]);
    expect(await readAll(await store.openRead(put.sha256))).toBe(put.sha256);
    expect(await store.delete(put.sha256)).toBe(true);
    expect(s3.objects.size).toBe(0);
    expect(await store.exists(put.sha256)).toBe(false);
  });

  it('never deletes the object under a row a concurrent put of the same bytes made', async () => {
    const bytes = randomBytes(5000);
    const { sha256 } = await store.put(Readable.from([bytes]));
    const key = store.keyOf(sha256);
    // Hold the delete's DeleteObject of the artifact while the same bytes are put again.
    let reached!: () => void;
    let release!: () => void;
    const deleting = new Promise<void>((resolve) => (reached = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    s3.beforeRequest = async (method, requestKey) => {
      if (method === 'DELETE' && requestKey === key) {
        reached();
        await held;
      }
    };
    try {
      const deleted = store.delete(sha256);
      await deleting;
      const putAgain = store.put(Readable.from([bytes]));
      // Give the put every chance to finish before the delete's object removal lands.
      await new Promise((resolve) => setTimeout(resolve, 500));
      release();
      expect(await deleted).toBe(true);
      expect((await putAgain).sha256).toBe(sha256);
    } finally {
      s3.beforeRequest = () => Promise.resolve();
    }
    // The put came after the delete: its row is live, and so is its object.
    expect(await store.exists(sha256)).toBe(true);
    expect(s3.objects.has(key)).toBe(true);
    expect(await readAll(await store.openRead(sha256))).toBe(sha256);
  });

  it('uploads the object again when a row has lost it', async () => {
    const bytes = randomBytes(4000);
    const { sha256 } = await store.put(Readable.from([bytes]));
    s3.objects.delete(store.keyOf(sha256));
    const again = await store.put(Readable.from([bytes]), { sha256 });
    expect(again.created).toBe(false);
    expect(await readAll(await store.openRead(sha256))).toBe(sha256);
  });
});
