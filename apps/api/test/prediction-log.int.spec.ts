// Issue 9, item 10: one bad row no longer drops everyone's prediction log, no payload reaches the
// logs, and old rows go after their retention. Through the real API process, then the writer alone
// against a real database for what GraphQL cannot send (a lone surrogate, a NUL in a stored key).
import { randomUUID } from 'node:crypto';
import { createDataSource, PredictionLogEntry } from '@maas/db';
import { buildLinearModel } from '@maas/onnx';
import { Client } from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '@maas/testing';
import { PredictionLogWriter } from '../src/modules/predictions/prediction-log';
import { RETENTION_LOCK_KEY } from '../src/modules/retention/retention-sweeper';
import {
  expectStillServing,
  SENTINEL_MODEL,
  startApiProcess,
  type ApiProcess,
} from './api-process';

let api: ApiProcess;
let db: Client;
beforeAll(async () => {
  api = await startApiProcess({
    PREDICTION_LOG_SAMPLE_RATE: '1',
    RETENTION_SWEEP_INTERVAL_MS: '300',
    RETENTION_DELETE_BATCH: '2',
  });
  db = new Client({ connectionString: api.databaseUrl });
  await db.connect();
}, 90_000);
afterAll(async () => {
  await db?.end();
  await api?.stop();
});

const predict = (model: string, inputs: unknown, key: string) =>
  api.gql(
    `query($m: String!, $i: JSON!) { predict(input: { model: $m, inputs: $i }) { outputs } }`,
    {
      m: model,
      i: inputs,
    },
    key,
  );

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 8_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('prediction log, through the real API process', () => {
  it("keeps the good tenant's rows when another tenant's row has a NUL, and logs no payload", async () => {
    const ws = await api.gql(`mutation { createWorkspace(name: "tenant-b") { id } }`);
    const workspaceB: string = ws.data.createWorkspace.id;
    const keyB = await api.gql(
      `mutation($ws: ID!) { createApiKey(name: "b", role: ADMIN, workspaceId: $ws) { secret } }`,
      { ws: workspaceB },
    );
    const secretB: string = keyB.data.createApiKey.secret;
    const model = await api.gql(
      `mutation { createModel(input: { name: "b-model", task: REGRESSION }) { id } }`,
      {},
      secretB,
    );
    expect(model.errors).toBeUndefined();
    expect(
      (await api.upload('b-model', buildLinearModel({ weights: [[1, 1]], bias: [0] }), secretB))
        .status,
    ).toBe(201);
    const viewer = await api.gql(`{ viewer { workspace { id } } }`);
    const workspaceA: string = viewer.data.viewer.workspace.id;

    // Sent together, so that they land in one flush of the log writer.
    const good = { input: [[1234.5678, 8765.4321]] };
    const results = await Promise.all([
      predict(SENTINEL_MODEL, good, api.adminKey),
      predict('b-model', { 'a\u0000': [[4242.4242, 1]] }, secretB),
      predict(SENTINEL_MODEL, good, api.adminKey),
      predict('b-model', { input: [[4343.4343, 1]], 'x\u0000y': [[1, 1]] }, secretB),
      predict(SENTINEL_MODEL, good, api.adminKey),
    ]);
    expect(results[0]?.errors).toBeUndefined();
    expect(results[1]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const rows = await until(
      async () =>
        (
          await db.query<{
            workspace_id: string;
            status: string;
            inputs: unknown;
            error: string | null;
          }>('SELECT workspace_id, status, inputs, error FROM prediction_log')
        ).rows,
      (r) => r.length >= 5,
    );
    const ofA = rows.filter((r) => r.workspace_id === workspaceA);
    expect(ofA).toHaveLength(3);
    for (const row of ofA) expect(row).toMatchObject({ status: 'ok', inputs: good });
    // The bad tenant's rows are kept, sanitised: U+FFFD where the NUL was.
    const ofB = rows.filter((r) => r.workspace_id === workspaceB);
    expect(ofB).toHaveLength(2);
    for (const row of ofB) {
      expect(row.status).toBe('BAD_USER_INPUT');
      expect(row.error).toMatch(/unknown input '(a|x)\ufffd/);
    }

    const output = api.output();
    for (const value of ['1234.5678', '8765.4321', '4242.4242', '4343.4343', 'unknown input'])
      expect(output).not.toContain(value);
    await expectStillServing(api);
  });

  it('deletes rows past their retention in batches, on one replica at a time', async () => {
    const ws = randomUUID();
    const insertRows = async (age: string) => {
      await db.query(
        `INSERT INTO prediction_log (workspace_id, version_id, status, latency_ms, created_at)
         SELECT $1, gen_random_uuid(), 'ok', 1, now() - $2::interval FROM generate_series(1, 5)`,
        [ws, age],
      );
      await db.query(
        `INSERT INTO deployment_stats (workspace_id, deployment_id, version_id, replica_id, bucket_start,
           bucket_seconds, requests, errors, latency_sum_ms, latency_histogram)
         SELECT $1, gen_random_uuid(), gen_random_uuid(), 'test', now() - $2::interval, 10, 1, 0, 1, '{}'
         FROM generate_series(1, 5)`,
        [ws, age],
      );
      await db.query(
        `INSERT INTO audit_events (workspace_id, action, target_type, created_at)
         SELECT $1, 'test.old', 'test', now() - $2::interval FROM generate_series(1, 5)`,
        [ws, age],
      );
    };
    const counts = async () => {
      const { rows } = await db.query<Record<string, string>>(
        `SELECT
           (SELECT count(*) FROM prediction_log WHERE workspace_id = $1 AND created_at < now() - interval '30 days') AS old_log,
           (SELECT count(*) FROM prediction_log WHERE workspace_id = $1 AND created_at > now() - interval '30 days') AS new_log,
           (SELECT count(*) FROM deployment_stats WHERE workspace_id = $1 AND bucket_start < now() - interval '30 days') AS old_stats,
           (SELECT count(*) FROM deployment_stats WHERE workspace_id = $1 AND bucket_start > now() - interval '30 days') AS new_stats,
           (SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND created_at < now() - interval '30 days') AS old_audit,
           (SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND created_at > now() - interval '30 days') AS new_audit`,
        [ws],
      );
      return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
    };
    // While another "replica" holds the sweep's lock, this one leaves everything as it is.
    await db.query('SELECT pg_advisory_lock($1, $2)', [...RETENTION_LOCK_KEY]);
    await insertRows('40 days');
    await insertRows('29 days');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const kept = { old_log: 5, new_log: 5, old_stats: 5, new_stats: 5, old_audit: 5, new_audit: 5 };
    expect(await counts()).toEqual(kept);
    await db.query('SELECT pg_advisory_unlock($1, $2)', [...RETENTION_LOCK_KEY]);

    const after = await until(
      counts,
      (c) => (c.old_log ?? 1) + (c.old_stats ?? 1) + (c.old_audit ?? 1) === 0,
    );
    expect(after).toEqual({ ...kept, old_log: 0, old_stats: 0, old_audit: 0 });
    await expectStillServing(api);
  });
});

describe('PredictionLogWriter against PostgreSQL', () => {
  it('stores NUL and lone surrogates in keys and values as U+FFFD, and a refused row alone is dropped', async () => {
    const database = await createTestDatabase();
    const dataSource = createDataSource(database.url, { poolSize: 2 });
    await dataSource.initialize();
    try {
      let dropped = 0;
      const writer = new PredictionLogWriter(
        dataSource,
        pino({ level: 'silent' }),
        1,
        (n) => (dropped += n),
      );
      const record = (workspaceId: string, inputs: unknown, error: string | null = null) => ({
        id: randomUUID(),
        workspaceId,
        versionId: randomUUID(),
        deploymentId: null,
        apiKeyId: null,
        status: 'ok',
        latencyMs: 1,
        inputs,
        outputs: null,
        error,
      });
      const good = randomUUID();
      const bad = randomUUID();
      writer.offer(record(good, { input: [[1, 2]] }));
      writer.offer(
        record(bad, { 'k\u0000': ['v\u0000', '\ud800x', 'ok\\u0000'] }, 'e\u0000\udc00'),
      );
      // Not a UUID: the database refuses this row whatever its content.
      writer.offer(record('not-a-uuid', { input: [[3, 4]] }));
      writer.offer(record(good, { input: [[5, 6]] }));
      // TypeORM logs the failed insert to the console: the statement, never its values.
      const printed: unknown[][] = [];
      const spies = (['log', 'warn', 'error', 'info'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => printed.push(args)),
      );
      try {
        await writer.flush();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      const logged = JSON.stringify(printed);
      expect(logged).toMatch(/query failed/);
      for (const value of ['not-a-uuid', '[[3,4]]', '[[1,2]]', 'k\\u0000', good])
        expect(logged).not.toContain(value);
      const rows = await dataSource.getRepository(PredictionLogEntry).find();
      expect(rows.filter((r) => r.workspaceId === good).map((r) => r.inputs)).toEqual(
        expect.arrayContaining([{ input: [[1, 2]] }, { input: [[5, 6]] }]),
      );
      const sanitised = rows.find((r) => r.workspaceId === bad);
      expect(sanitised?.inputs).toEqual({ 'k\ufffd': ['v\ufffd', '\ufffdx', 'ok\\u0000'] });
      expect(sanitised?.error).toBe('e\ufffd\ufffd');
      expect(rows).toHaveLength(3);
      expect(dropped).toBe(1);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
