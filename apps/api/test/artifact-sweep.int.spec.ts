import { Readable } from 'node:stream';
import { buildLinearModel } from '@maas/onnx';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactSweeper } from '../src/modules/models/artifact-sweeper';
import { startTestApi, type TestApi } from './api-harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('artifact sweep', () => {
  it('removes artifacts nothing references (left by crashed uploads) and keeps the ones versions use', async () => {
    const { store, db } = api.server.services;
    const orphan = await store.put(
      Readable.from([Buffer.from('bytes a crashed upload left behind')]),
    );
    await api.gql(`mutation { createModel(input: { name: "kept" }) { id } }`);
    const kept = await api.upload('kept', buildLinearModel({ weights: [[1]], bias: [0] }));
    expect(kept.status).toBe(201);

    const young = new ArtifactSweeper(store, pino({ level: 'silent' }), 60_000, 60 * 60_000);
    await young.sweep();
    expect(await store.exists(orphan.sha256)).toBe(true); // within the grace period

    const sweeper = new ArtifactSweeper(store, pino({ level: 'silent' }), 60_000, 0);
    await sweeper.sweep();
    expect(await store.exists(orphan.sha256)).toBe(false);
    expect(await store.exists(kept.body.sha256)).toBe(true);
    const rows = await db.query('SELECT ref_count FROM artifacts WHERE sha256 = $1', [
      kept.body.sha256,
    ]);
    expect(rows[0].ref_count).toBe(1);
  });
});
