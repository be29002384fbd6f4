import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import { createDataSource, NO_USAGE_DIMENSION, recordUsage, usageToday, utcDayStart } from '../src';

describe('recordUsage', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 2, logging: ['error'] });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('adds each delta to its minute, hour and day bucket, summing repeated keys', async () => {
    const ws = '11111111-1111-4111-8111-111111111111';
    const key = '22222222-2222-4222-8222-222222222222';
    const at = new Date('2026-03-04T05:06:07.890Z');
    await recordUsage(
      ds,
      [
        { workspaceId: ws, apiKeyId: key, requests: 1, predictionRows: 3 },
        { workspaceId: ws, apiKeyId: key, requests: 2, predictionRows: 4, completionTokens: 5 },
        { workspaceId: ws, trainingSeconds: 1.5 },
      ],
      at,
    );
    await recordUsage(ds, [{ workspaceId: ws, apiKeyId: key, requests: 10 }], at);
    const rows = await ds.query(
      `SELECT granularity, bucket_start, api_key_id, requests::int, prediction_rows::int,
              completion_tokens::int, training_seconds
         FROM usage_counters WHERE workspace_id = $1 ORDER BY granularity, api_key_id`,
      [ws],
    );
    const starts: Record<string, string> = {
      day: '2026-03-04T00:00:00.000Z',
      hour: '2026-03-04T05:00:00.000Z',
      minute: '2026-03-04T05:06:00.000Z',
    };
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      expect(new Date(r.bucket_start).toISOString()).toBe(starts[r.granularity]);
      if (r.api_key_id === key)
        expect(r).toMatchObject({ requests: 13, prediction_rows: 7, completion_tokens: 5 });
      else expect(r).toMatchObject({ api_key_id: NO_USAGE_DIMENSION, training_seconds: 1.5 });
    }
    const today = await usageToday(ds, [ws, key], at);
    expect(today.get(ws)).toEqual({ predictions: 7, tokens: 5 });
    expect(today.get(key)).toEqual({ predictions: 0, tokens: 0 });
    expect(utcDayStart(at).toISOString()).toBe(starts.day);
  });
});
