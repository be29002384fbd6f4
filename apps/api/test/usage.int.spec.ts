import { randomUUID } from 'node:crypto';
import { recordUsage } from '@maas/db';
import { buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageMeter } from '../src/modules/usage/usage-meter';
import { startTestApi, sweepRetention, type TestApi } from './api-harness';

// Flushed by hand (services.usageMeter.flush()), so every figure below is exact.
let api: TestApi;
let editorKey: string;
let viewerKey: string;
const ids = { keyAdmin: '', keyEditor: '', modelA: '', modelB: '', deployment: '' };

const PREDICT = `query($input: PredictInput!) { predict(input: $input) { id } }`;
const USAGE = `query($from: DateTime!, $to: DateTime!, $g: UsageGranularity, $by: [UsageDimension!]) {
  usage(from: $from, to: $to, granularity: $g, groupBy: $by) {
    start apiKey { id } model { id name } deployment { id name }
    requests predictionRows promptTokens completionTokens trainingSeconds
  }
}`;

const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => [i, 1]);

async function predict(model: string, rows: number, key: string) {
  const res = await api.gql(PREDICT, { input: { model, inputs: { input: rowsOf(rows) } } }, key);
  return res;
}

async function oipJson(model: string, rows: number, key: string) {
  return fetch(`${api.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [{ name: 'input', shape: [rows, 2], datatype: 'FP32', data: rowsOf(rows).flat() }],
    }),
  });
}

async function oipBinary(model: string, rows: number, key: string) {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: 'input',
          shape: [rows, 2],
          datatype: 'FP32',
          parameters: { binary_data_size: rows * 8 },
        },
      ],
    }),
  );
  const tensor = Buffer.from(new Float32Array(rowsOf(rows).flat()).buffer);
  return fetch(`${api.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.length),
    },
    body: Buffer.concat([header, tensor]),
  });
}

const window = () => {
  const now = Date.now();
  return {
    from: new Date(now - 3_600_000).toISOString(),
    to: new Date(now + 60_000).toISOString(),
  };
};

async function usage(g: string, by: string[] | null = null, key = api.adminKey) {
  const res = await api.gql(USAGE, { ...window(), g, by }, key);
  expect(res.errors).toBeUndefined();
  return res.data.usage as {
    apiKey: { id: string } | null;
    model: { id: string; name: string } | null;
    deployment: { id: string; name: string } | null;
    requests: number;
    predictionRows: number;
  }[];
}

/** Sums records by a key (buckets merged): minute buckets may straddle a boundary. */
function totals(
  records: Awaited<ReturnType<typeof usage>>,
  keyOf: (r: Awaited<ReturnType<typeof usage>>[number]) => string = () => 'all',
) {
  const out: Record<string, { requests: number; rows: number }> = {};
  for (const r of records) {
    const k = keyOf(r);
    out[k] ??= { requests: 0, rows: 0 };
    out[k].requests += r.requests;
    out[k].rows += r.predictionRows;
  }
  return out;
}

beforeAll(async () => {
  api = await startTestApi({
    USAGE_FLUSH_INTERVAL_MS: '3600000',
    PREDICTION_LOG_SAMPLE_RATE: '1',
  });
  editorKey = await api.createKey('EDITOR');
  viewerKey = await api.createKey('VIEWER');
  const keys = await api.gql(`{ viewer { apiKey { id } } }`);
  ids.keyAdmin = keys.data.viewer.apiKey.id;
  const me = await api.gql(`{ viewer { apiKey { id } } }`, {}, editorKey);
  ids.keyEditor = me.data.viewer.apiKey.id;
  for (const name of ['usage-a', 'usage-b']) {
    const created = await api.gql(
      `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
      { n: name },
    );
    const up = await api.upload(
      name,
      buildLinearModel({ weights: [[1, 2]], bias: [0], tabular: { features: ['x1', 'x2'] } }),
    );
    expect(up.status).toBe(201);
    if (name === 'usage-a') ids.modelA = created.data.createModel.id;
    else {
      ids.modelB = created.data.createModel.id;
      const dep = await api.gql(
        `mutation($m: ID!, $v: ID!) { createDeployment(input: { name: "usage-dep", modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
        { m: ids.modelB, v: up.body.id },
      );
      ids.deployment = dep.data.createDeployment.id;
    }
  }
});
afterAll(async () => {
  await api?.close();
});

describe('usage metering', () => {
  it('counts every prediction (GraphQL, OIP JSON and binary) per key, model and deployment', async () => {
    // admin: 2 x 3 rows on A (GraphQL), 4 rows on B by model name (OIP JSON)
    // editor: 2 records on A (GraphQL records), 1 row on the deployment (OIP binary),
    //         5 rows on the deployment (GraphQL)
    for (const res of [
      await predict('usage-a', 3, api.adminKey),
      await predict('usage-a', 3, api.adminKey),
      await api.gql(
        PREDICT,
        {
          input: {
            model: 'usage-a',
            records: [
              { x1: 1, x2: 2 },
              { x1: 3, x2: 4 },
            ],
          },
        },
        editorKey,
      ),
      await predict('usage-dep', 5, editorKey),
    ])
      expect(res.errors).toBeUndefined();
    expect((await oipJson('usage-b', 4, api.adminKey)).status).toBe(200);
    expect((await oipBinary('usage-dep', 1, editorKey)).status).toBe(200);
    // A failed (bad input) prediction is not metered.
    const bad = await api.gql(PREDICT, { input: { model: 'usage-a', inputs: { input: [[1]] } } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await usage('HOUR')).toEqual([]); // nothing flushed yet
    await api.server.services.usageMeter.flush();

    const expected = { all: { requests: 6, rows: 18 } };
    for (const g of ['MINUTE', 'HOUR', 'DAY']) expect(totals(await usage(g))).toEqual(expected);
    expect((await usage('DAY')).length).toBe(1);

    const byKey = totals(await usage('DAY', ['API_KEY']), (r) => r.apiKey?.id ?? 'none');
    expect(byKey).toEqual({
      [ids.keyAdmin]: { requests: 3, rows: 10 },
      [ids.keyEditor]: { requests: 3, rows: 8 },
    });
    for (const g of ['MINUTE', 'HOUR', 'DAY']) {
      const byModel = totals(await usage(g, ['MODEL']), (r) => r.model?.name ?? 'none');
      expect(byModel).toEqual({
        'usage-a': { requests: 3, rows: 8 },
        'usage-b': { requests: 3, rows: 10 },
      });
    }
    const byDeployment = totals(
      await usage('HOUR', ['DEPLOYMENT', 'MODEL']),
      (r) => `${r.model?.name}/${r.deployment?.name ?? '-'}`,
    );
    expect(byDeployment).toEqual({
      'usage-a/-': { requests: 3, rows: 8 },
      'usage-b/-': { requests: 1, rows: 4 },
      'usage-b/usage-dep': { requests: 2, rows: 6 },
    });
    // The rows in the database agree (minute, hour and day buckets).
    const [row] = await api.server.services.db.query<{ g: string; n: string }[]>(
      `SELECT count(DISTINCT granularity)::int AS g, SUM(prediction_rows)::text AS n
         FROM usage_counters`,
    );
    expect(row).toEqual({ g: 3, n: String(18 * 3) });
  });

  it('lets a VIEWER read the series but only an ADMIN group by key, and validates the range', async () => {
    expect(totals(await usage('DAY', null, viewerKey))).toEqual({
      all: { requests: 6, rows: 18 },
    });
    const byKey = await api.gql(USAGE, { ...window(), g: 'DAY', by: ['API_KEY'] }, viewerKey);
    expect(byKey.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const now = Date.now();
    const reversed = await api.gql(USAGE, {
      from: new Date(now).toISOString(),
      to: new Date(now - 1000).toISOString(),
    });
    expect(reversed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(reversed.errors?.[0]?.message).toMatch(/"from" must be before "to"/);
    for (const [g, days, max] of [
      ['MINUTE', 3, 2],
      ['HOUR', 94, 93],
      ['DAY', 1100, 1098],
    ] as const) {
      const long = await api.gql(USAGE, {
        from: new Date(now - days * 86_400_000).toISOString(),
        to: new Date(now).toISOString(),
        g,
      });
      expect(long.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(long.errors?.[0]?.message).toContain(`at most ${max} days`);
    }
    const badDimension = await api.gql(USAGE, { ...window(), by: ['WORKSPACE'] });
    expect(badDimension.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Priced as a list of 100 records: 1 + 100 x 62 is over MAX_QUERY_COMPLEXITY (5000), where an
    // unpaged list's 1 + 5 x 62 would pass.
    const costly = await api.gql(
      `query($from: DateTime!, $to: DateTime!) { usage(from: $from, to: $to, groupBy: [MODEL]) {
        model { versions(first: 20) { edges { node { id } } } } } }`,
      window(),
    );
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions).toMatchObject({ reason: 'MAX_COMPLEXITY' });
  });

  it('loses no counts when a flush fails, and writes them with the next one', async () => {
    expect((await predict('usage-a', 2, api.adminKey)).errors).toBeUndefined();
    const db = api.server.services.db;
    await db.query('ALTER TABLE usage_counters RENAME TO usage_counters_away');
    try {
      await api.server.services.usageMeter.flush(); // fails, logged, counts kept
    } finally {
      await db.query('ALTER TABLE usage_counters_away RENAME TO usage_counters');
    }
    expect(api.server.services.usageMeter.pendingKeys).toBeGreaterThan(0);
    expect((await predict('usage-a', 1, api.adminKey)).errors).toBeUndefined();
    await api.server.services.usageMeter.flush();
    expect(api.server.services.usageMeter.pendingKeys).toBe(0);
    expect(totals(await usage('DAY'))).toEqual({ all: { requests: 8, rows: 21 } });
    expect(totals(await usage('MINUTE'))).toEqual({ all: { requests: 8, rows: 21 } });
  });

  it('shows a deleted model as null', async () => {
    const created = await api.gql(
      `mutation { createModel(input: { name: "usage-gone", task: REGRESSION }) { id } }`,
    );
    await api.upload('usage-gone', buildLinearModel({ weights: [[1, 1]], bias: [0] }));
    expect((await predict('usage-gone', 2, api.adminKey)).errors).toBeUndefined();
    await api.server.services.usageMeter.flush();
    const del = await api.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, {
      id: created.data.createModel.id,
    });
    expect(del.errors).toBeUndefined();
    const byModel = totals(await usage('DAY', ['MODEL']), (r) => r.model?.name ?? 'deleted');
    expect(byModel.deleted).toEqual({ requests: 1, rows: 2 });
  });
});

describe('maxPredictionsPerDay', () => {
  let key: string;
  let workspaceId: string;

  beforeAll(async () => {
    const ws = await api.gql(`mutation { createWorkspace(name: "usage-quota") { id } }`);
    workspaceId = ws.data.createWorkspace.id;
    // setWorkspaceQuota is another change; the column is what it sets. A new key reads it.
    await api.server.services.db.query(
      'UPDATE workspaces SET max_predictions_per_day = 10 WHERE id = $1',
      [workspaceId],
    );
    key = await api.createKey('ADMIN', workspaceId);
    await api.gql(
      `mutation { createModel(input: { name: "q", task: REGRESSION }) { id } }`,
      {},
      key,
    );
    expect(
      (await api.upload('q', buildLinearModel({ weights: [[1, 1]], bias: [0] }), key)).status,
    ).toBe(201);
  });

  it('refuses the prediction that would pass the limit, before running it, on GraphQL and OIP', async () => {
    expect((await predict('q', 4, key)).errors).toBeUndefined();
    expect((await oipJson('q', 4, key)).status).toBe(200); // 8 of 10
    const over = await predict('q', 3, key);
    expect(over.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'maxPredictionsPerDay',
      limit: 10,
      usage: 8,
    });
    const overOip = await oipBinary('q', 3, key);
    expect(overOip.status).toBe(403);
    expect(await overOip.json()).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'maxPredictionsPerDay',
      limit: 10,
      usage: 8,
      error: expect.stringContaining('maxPredictionsPerDay'),
    });
    expect((await oipBinary('q', 2, key)).status).toBe(200); // exactly 10 of 10
    await api.server.services.usageMeter.flush();
    // After the flush, the database's total is what the quota sees.
    const atLimit = await predict('q', 1, key);
    expect(atLimit.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limit: 10,
      usage: 10,
    });
    await api.server.services.usageMeter.flush();

    const [counted] = await api.server.services.db.query<{ requests: string; rows: string }[]>(
      `SELECT SUM(requests)::text AS requests, SUM(prediction_rows)::text AS rows
         FROM usage_counters WHERE workspace_id = $1 AND granularity = 'day'`,
      [workspaceId],
    );
    expect(counted).toEqual({ requests: '3', rows: '10' });
    // Nothing ran for the refused requests: the prediction log (sample rate 1) has the 3 others.
    await new Promise((r) => setTimeout(r, 1500));
    const [logged] = await api.server.services.db.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM prediction_log WHERE workspace_id = $1',
      [workspaceId],
    );
    expect(logged?.n).toBe(3);
    const metrics = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminKey}` } })
    ).text();
    expect(metrics).toContain(
      `maas_predictions_total{workspace="${workspaceId}",status="QUOTA_EXCEEDED"} 3`,
    );
    expect(metrics).toContain(`maas_prediction_rows_total{workspace="${workspaceId}"} 10`);
  });

  it('adds no database round trip to a predict', async () => {
    await api.server.services.db.query(
      'UPDATE workspaces SET max_predictions_per_day = 1000 WHERE id = $1',
      [workspaceId],
    );
    const fresh = await api.createKey('EDITOR', workspaceId);
    expect((await predict('q', 1, fresh)).errors).toBeUndefined(); // warms the key cache
    api.queries.reset();
    for (let i = 0; i < 5; i++) expect((await predict('q', 2, fresh)).errors).toBeUndefined();
    expect((await oipJson('q', 2, fresh)).status).toBe(200);
    // Background writers (prediction log, serving stats) may flush meanwhile; nothing else.
    const statements = api.queries.statements.filter(
      (s) => !/prediction_log|deployment_stats|last_used_at/.test(s),
    );
    expect(statements).toEqual([]);
  });
});

describe('tokens, the meter cap and retention', () => {
  it('meters language-model tokens and refuses past maxTokensPerDay', async () => {
    const ws = await api.gql(`mutation { createWorkspace(name: "usage-tokens") { id } }`);
    const workspaceId = ws.data.createWorkspace.id as string;
    await api.server.services.db.query(
      'UPDATE workspaces SET max_tokens_per_day = 100 WHERE id = $1',
      [workspaceId],
    );
    const key = await api.createKey('ADMIN', workspaceId);
    const auth = await api.server.services.auth.authenticate(`Bearer ${key}`);
    if (!auth) throw new Error('the new key does not authenticate');
    expect(auth.limits.maxTokensPerDay).toBe(100);
    const meter = api.server.services.usageMeter;
    const target = { modelId: null, deploymentId: null };
    await meter.assertTokensAvailable(auth, 90);
    meter.recordTokens(auth, target, { promptTokens: 500, completionTokens: 60 });
    await meter.assertTokensAvailable(auth, 40); // prompt tokens do not count against the quota
    await meter.flush();
    meter.recordTokens(auth, target, { promptTokens: 5, completionTokens: 30 });
    expect(meter.tokensToday(workspaceId)).toBe(90);
    await expect(meter.assertTokensAvailable(auth, 11)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'maxTokensPerDay', limit: 100, usage: 90 },
    });
    await meter.flush();
    const res = await api.gql(USAGE, { ...window(), g: 'DAY' }, key);
    expect(res.data.usage).toEqual([
      expect.objectContaining({ requests: 2, promptTokens: 505, completionTokens: 90 }),
    ]);
  });

  it('folds combinations past the cap into the workspace row, and counts what it must drop', async () => {
    const dropped: number[] = [];
    const meter = new UsageMeter(api.server.services.db, api.server.services.logger, {
      flushIntervalMs: 3_600_000,
      maxKeys: 2,
      hooks: { onDropped: (n) => dropped.push(n) },
    });
    const ws = await api.gql(`mutation { createWorkspace(name: "usage-cap") { id } }`);
    const workspaceId = ws.data.createWorkspace.id as string;
    const auth = {
      apiKeyId: ids.keyAdmin,
      keyName: 'k',
      workspaceId,
      role: 'ADMIN' as const,
      isRoot: false,
      limits: { requestsPerSecond: null, maxPredictionsPerDay: null, maxTokensPerDay: null },
    };
    const models = [ids.modelA, ids.modelB, randomUUID(), randomUUID(), randomUUID()];
    for (const modelId of models) {
      const admission = await meter.admitPredictions(auth, 3);
      admission.settle(true, { modelId, deploymentId: null });
    }
    // Two combinations, then the workspace's row: 3 keys held (under twice the cap), none dropped.
    expect(meter.pendingKeys).toBe(3);
    expect(dropped).toEqual([]);
    await meter.flush();
    const rows = await api.server.services.db.query<{ model_id: string; rows: string }[]>(
      `SELECT model_id, prediction_rows::text AS rows FROM usage_counters
        WHERE workspace_id = $1 AND granularity = 'day' ORDER BY prediction_rows`,
      [workspaceId],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { model_id: ids.modelA, rows: '3' },
        { model_id: ids.modelB, rows: '3' },
        { model_id: '00000000-0000-0000-0000-000000000000', rows: '9' },
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it("sees another replica's predictions at its next flush (the cross-replica bound)", async () => {
    const ws = await api.gql(`mutation { createWorkspace(name: "usage-replicas") { id } }`);
    const caller = {
      apiKeyId: ids.keyAdmin,
      keyName: 'k',
      workspaceId: ws.data.createWorkspace.id as string,
      role: 'ADMIN' as const,
      isRoot: false,
      limits: { requestsPerSecond: null, maxPredictionsPerDay: 8, maxTokensPerDay: null },
    };
    const replica = () =>
      new UsageMeter(api.server.services.db, api.server.services.logger, {
        flushIntervalMs: 3_600_000,
        maxKeys: 100,
      });
    const [a, b] = [replica(), replica()];
    (await a.admitPredictions(caller, 5)).settle(true, { modelId: ids.modelA, deploymentId: null });
    // B has not seen A's unflushed rows: within one flush interval the workspace may overshoot.
    (await b.admitPredictions(caller, 1)).settle(true, { modelId: ids.modelA, deploymentId: null });
    expect(b.predictionsToday(caller.workspaceId)).toBe(1);
    await a.flush();
    await b.flush(); // writes its own row and reads back today's total of every replica
    expect(b.predictionsToday(caller.workspaceId)).toBe(6);
    await expect(b.admitPredictions(caller, 3)).rejects.toMatchObject({
      details: { quota: 'maxPredictionsPerDay', limit: 8, usage: 6 },
    });
    await a.flush();
    expect(a.predictionsToday(caller.workspaceId)).toBe(6);
  });

  it('reports the training seconds a worker recorded, by model, with no key or deployment', async () => {
    const ws = await api.gql(`mutation { createWorkspace(name: "usage-training") { id } }`);
    const workspaceId = ws.data.createWorkspace.id as string;
    const key = await api.createKey('ADMIN', workspaceId);
    const model = await api.gql(
      `mutation { createModel(input: { name: "trained", task: REGRESSION }) { id } }`,
      {},
      key,
    );
    const modelId = model.data.createModel.id as string;
    // What a training worker does at the end of an attempt: the one writer, recordUsage.
    await recordUsage(api.server.services.db, [{ workspaceId, modelId, trainingSeconds: 12.5 }]);
    await recordUsage(api.server.services.db, [{ workspaceId, modelId, trainingSeconds: 0.25 }]);
    const res = await api.gql(USAGE, { ...window(), g: 'DAY', by: ['MODEL', 'API_KEY'] }, key);
    expect(res.errors).toBeUndefined();
    expect(res.data.usage).toEqual([
      expect.objectContaining({
        apiKey: null,
        deployment: null,
        model: { id: modelId, name: 'trained' },
        requests: 0,
        trainingSeconds: 12.75,
      }),
    ]);
  });

  it('sweeps usage rows per granularity after USAGE_*_RETENTION_DAYS', async () => {
    const db = api.server.services.db;
    const ws = randomUUID();
    const ages: [string, number][] = [
      ['minute', 6],
      ['minute', 8],
      ['hour', 89],
      ['hour', 91],
      ['day', 1094],
      ['day', 1096],
    ];
    for (const [granularity, days] of ages) {
      await db.query(
        `INSERT INTO usage_counters (granularity, bucket_start, workspace_id, api_key_id, model_id,
           deployment_id, requests) VALUES ($1, now() - make_interval(days => $2), $3, $4, $4, $4, 1)`,
        [granularity, days, ws, '00000000-0000-0000-0000-000000000000'],
      );
    }
    await sweepRetention(api);
    const left = await db.query<{ granularity: string; days: number }[]>(
      `SELECT granularity, round(extract(epoch FROM now() - bucket_start) / 86400)::int AS days
         FROM usage_counters WHERE workspace_id = $1 ORDER BY days`,
      [ws],
    );
    expect(left).toEqual([
      { granularity: 'minute', days: 6 },
      { granularity: 'hour', days: 89 },
      { granularity: 'day', days: 1094 },
    ]);
  });
});

describe('shutdown', () => {
  it('flushes what the meter holds when the API closes', async () => {
    const db = api.server.services.db; // the harness's pool: it outlives the server
    const sum = async () => {
      const [row] = await db.query<{ n: string }[]>(
        `SELECT COALESCE(SUM(prediction_rows), 0)::text AS n FROM usage_counters WHERE granularity = 'hour'`,
      );
      return Number(row?.n);
    };
    await api.server.services.usageMeter.flush();
    const before = await sum();
    expect((await predict('usage-a', 7, api.adminKey)).errors).toBeUndefined();
    expect(await sum()).toBe(before);
    await api.server.close();
    expect(await sum()).toBe(before + 7);
  });
});
