import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import {
  commitModelVersion,
  createArtifactStore,
  createDataSource,
  ModelNotFoundError,
  type ArtifactStore,
  type CommitModelVersionInput,
} from '../src';

let db: TestDatabase;
let ds: DataSource;
let store: ArtifactStore;
let input: CommitModelVersionInput;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource(db.url, { poolSize: 6, logging: ['error'] });
  await ds.initialize();
  store = createArtifactStore({ databaseUrl: db.url });
  const [workspace] = await ds.query(
    `INSERT INTO workspaces (name) VALUES ('versions') RETURNING id`,
  );
  const [model] = await ds.query(
    `INSERT INTO models (workspace_id, name) VALUES ($1, 'm') RETURNING id`,
    [workspace.id],
  );
  const stored = await store.put(Readable.from([Buffer.from('not really onnx')]));
  input = {
    workspaceId: workspace.id,
    modelId: model.id,
    source: 'TRAINING',
    signature: { inputs: [], outputs: [] },
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    metrics: { r2: 0.9 },
  };
});
afterAll(async () => {
  await store?.close();
  await ds?.destroy();
  await db?.drop();
});

describe('commitModelVersion', () => {
  it('gives concurrent commits consecutive, distinct numbers and one artifact reference each', async () => {
    const versions = await Promise.all(
      Array.from({ length: 6 }, () => ds.transaction((m) => commitModelVersion(m, input))),
    );
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(versions[0]).toMatchObject({
      source: 'TRAINING',
      metrics: { r2: 0.9 },
      trainingJobId: null,
      parentVersionId: null,
    });
    const [{ ref_count }] = await ds.query('SELECT ref_count FROM artifacts WHERE sha256 = $1', [
      input.sha256,
    ]);
    expect(ref_count).toBe(6);
    const [{ version_counter }] = await ds.query(
      'SELECT version_counter FROM models WHERE id = $1',
      [input.modelId],
    );
    expect(version_counter).toBe(6);
  });

  it('never reuses a number, and rolls the counter back with a failed transaction', async () => {
    await expect(
      ds.transaction(async (m) => {
        await commitModelVersion(m, input);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await ds.query('DELETE FROM model_versions WHERE model_id = $1 AND version = 6', [
      input.modelId,
    ]);
    const next = await ds.transaction((m) => commitModelVersion(m, input));
    expect(next.version).toBe(7);
  });

  it('refuses an unknown model, another workspace, and a call outside a transaction', async () => {
    await expect(
      ds.transaction((m) =>
        commitModelVersion(m, { ...input, modelId: '00000000-0000-4000-8000-000000000000' }),
      ),
    ).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(
      ds.transaction((m) =>
        commitModelVersion(m, { ...input, workspaceId: '00000000-0000-4000-8000-000000000000' }),
      ),
    ).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(commitModelVersion(ds.manager, input)).rejects.toThrow(
      /inside the caller's transaction/,
    );
  });
});
