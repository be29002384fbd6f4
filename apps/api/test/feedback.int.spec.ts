// Issue 12, item 1: ground truth for logged predictions. Through the real API (GraphQL and REST)
// against a real PostgreSQL; the database itself is the oracle for what was stored.
import { randomUUID } from 'node:crypto';
import { buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

let api: TestApi;
let viewerKey: string;
let otherTenantKey: string;
const ids: Record<string, string> = {};

const MAX_BATCH = 50;
const MAX_BODY = 65_536;

const PREDICT = `query($i: PredictInput!) { predict(input: $i) { id outputs } }`;
const RECORD = `mutation($i: FeedbackInput!) {
  recordFeedback(input: $i) { id predictionId record actual createdAt updatedAt }
}`;

beforeAll(async () => {
  api = await startTestApi({
    PREDICTION_LOG_SAMPLE_RATE: '1',
    MAX_FEEDBACK_BATCH: String(MAX_BATCH),
    MAX_FEEDBACK_BODY_BYTES: String(MAX_BODY),
  });
  viewerKey = await api.createKey('VIEWER');
  const ws = await api.gql(`mutation { createWorkspace(name: "feedback-other") { id } }`);
  otherTenantKey = await api.createKey('ADMIN', ws.data.createWorkspace.id);

  // y = x1 + 2·x2 (regression), served through a deployment.
  const reg = await api.gql(
    `mutation { createModel(input: { name: "fb-reg", task: REGRESSION }) { id } }`,
  );
  ids.regModel = reg.data.createModel.id;
  const up = await api.upload(
    'fb-reg',
    buildLinearModel({ weights: [[1, 2]], bias: [0], tabular: { features: ['x1', 'x2'] } }),
  );
  expect(up.status).toBe(201);
  const dep = await api.gql(
    `mutation($m: ID!, $v: ID!) { createDeployment(input: { name: "fb-dep", modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id logSampleRate } }`,
    { m: ids.regModel, v: up.body.id },
  );
  expect(dep.errors).toBeUndefined();
  ids.deployment = dep.data.createDeployment.id;
  // Unset, a deployment logs at the global rate.
  expect(dep.data.createDeployment.logSampleRate).toBe(1);

  // A classifier with known labels: prediction 0 → "no", 1 → "yes".
  await api.gql(
    `mutation { createModel(input: { name: "fb-cls", task: BINARY_CLASSIFICATION }) { id } }`,
  );
  const cls = await api.upload(
    'fb-cls',
    buildLinearModel({
      weights: [[1]],
      bias: [0],
      outputName: 'prediction',
      tabular: { features: ['x'], labels: ['no', 'yes'] },
    }),
  );
  expect(cls.status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

async function predictRecords(model: string, n: number, key = api.adminKey): Promise<string> {
  const records = Array.from({ length: n }, (_, i) => ({ x1: i, x2: 1 }));
  const res = await api.gql(PREDICT, { i: { model, records } }, key);
  expect(res.errors).toBeUndefined();
  return res.data.predict.id as string;
}

async function feedbackRows(predictionId: string) {
  return api.server.services.db.query<
    { record: number; actual: unknown; workspace_id: string; created_at: Date; updated_at: Date }[]
  >(
    `SELECT record, actual, workspace_id, created_at, updated_at FROM prediction_feedback
      WHERE prediction_id = $1 ORDER BY record`,
    [predictionId],
  );
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await api.server.services.db.query<{ n: string }[]>(sql, params);
  return Number(rows[0]?.n);
}

async function postFeedback(body: unknown, key = api.adminKey) {
  const res = await fetch(`${api.url}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('recordFeedback', () => {
  it('stores ground truth per record of a logged multi-record prediction', async () => {
    const id = await predictRecords('fb-dep', 3);
    const first = await api.gql(RECORD, { i: { predictionId: id, actual: 1.5 } });
    expect(first.errors).toBeUndefined();
    expect(first.data.recordFeedback).toMatchObject({ predictionId: id, record: 0, actual: 1.5 });
    const third = await api.gql(RECORD, { i: { predictionId: id, record: 2, actual: -4 } });
    expect(third.errors).toBeUndefined();

    const rows = await feedbackRows(id);
    const [workspace] = await api.server.services.db.query<{ workspace_id: string }[]>(
      'SELECT workspace_id FROM prediction_log WHERE id = $1',
      [id],
    );
    expect(rows.map((r) => [r.record, r.actual])).toEqual([
      [0, 1.5],
      [2, -4],
    ]);
    for (const r of rows) expect(r.workspace_id).toBe(workspace?.workspace_id);

    // The prediction had 3 records: 3 is none of them.
    const beyond = await api.gql(RECORD, { i: { predictionId: id, record: 3, actual: 1 } });
    expect(beyond.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'NO_SUCH_RECORD',
      field: 'record',
    });
    expect(beyond.errors?.[0]?.message).toMatch(/has 3 record/);
  });

  it('refuses a value of the wrong type, and a refused value changes nothing', async () => {
    const id = await predictRecords('fb-dep', 1);
    expect((await api.gql(RECORD, { i: { predictionId: id, actual: 2 } })).errors).toBeUndefined();
    const before = await feedbackRows(id);
    for (const actual of ['2', true, [2], { value: 2 }, 'x'.repeat(10_000)]) {
      const res = await api.gql(RECORD, { i: { predictionId: id, actual } });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(actual).slice(0, 20)).toBe(
        'BAD_USER_INPUT',
      );
    }
    const negative = await api.gql(RECORD, { i: { predictionId: id, record: -1, actual: 1 } });
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await feedbackRows(id)).toEqual(before);
  });

  it('takes a known label for a classifier, and names the labels otherwise', async () => {
    const res = await api.gql(PREDICT, { i: { model: 'fb-cls', records: [{ x: 1 }, { x: 0 }] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.predict.outputs.predictions).toEqual(['yes', 'no']);
    const id = res.data.predict.id as string;
    const wrong = await api.gql(RECORD, { i: { predictionId: id, actual: 'maybe' } });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'actual',
    });
    expect(wrong.errors?.[0]?.message).toMatch(/one of the model's labels \(no, yes\)/);
    const ok = await api.gql(RECORD, { i: { predictionId: id, record: 1, actual: 'yes' } });
    expect(ok.errors).toBeUndefined();
    expect((await feedbackRows(id)).map((r) => [r.record, r.actual])).toEqual([[1, 'yes']]);
  });

  it('is idempotent per (prediction, record); a different value replaces it', async () => {
    const id = await predictRecords('fb-dep', 2);
    const audits = () =>
      count(
        `SELECT count(*) AS n FROM audit_events WHERE action = 'feedback.record' AND target_id = $1`,
        [id],
      );
    const first = await api.gql(RECORD, { i: { predictionId: id, record: 1, actual: 7 } });
    expect(first.errors).toBeUndefined();
    const [stored] = await feedbackRows(id);
    expect(await audits()).toBe(1);

    const again = await api.gql(RECORD, { i: { predictionId: id, record: 1, actual: 7 } });
    expect(again.data.recordFeedback).toEqual(first.data.recordFeedback);
    expect(await feedbackRows(id)).toEqual([stored]);
    expect(await audits()).toBe(1);

    const replaced = await api.gql(RECORD, { i: { predictionId: id, record: 1, actual: 8 } });
    expect(replaced.errors).toBeUndefined();
    expect(replaced.data.recordFeedback.id).toBe(first.data.recordFeedback.id);
    expect(replaced.data.recordFeedback.actual).toBe(8);
    const [after] = await feedbackRows(id);
    expect(after?.actual).toBe(8);
    expect(after?.created_at).toEqual(stored?.created_at);
    expect(after && stored && after.updated_at > stored.updated_at).toBe(true);
    expect(await audits()).toBe(2);
  });

  it('answers NOT_FOUND for an unsampled prediction, saying so, and for an unknown id', async () => {
    const viewer = await api.gql(
      `mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 0.5) { id } }`,
      {},
      viewerKey,
    );
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const rate of [-0.1, 1.5]) {
      const bad = await api.gql(
        `mutation($r: Float!) { updateDeploymentLogging(name: "fb-dep", logSampleRate: $r) { id } }`,
        { r: rate },
      );
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const set = await api.gql(
      `mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 0) { logSampleRate } }`,
    );
    expect(set.errors).toBeUndefined();
    expect(set.data.updateDeploymentLogging.logSampleRate).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_events WHERE action = 'deployment.logging' AND target_id = $1`,
        [ids.deployment],
      ),
    ).toBe(1);

    const unsampled = [await predictRecords('fb-dep', 1), await predictRecords('fb-dep', 1)];
    for (const id of unsampled) {
      const res = await api.gql(RECORD, { i: { predictionId: id, actual: 1 } });
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        reason: 'NOT_SAMPLED',
      });
      expect(res.errors?.[0]?.message).toMatch(/was not logged.*logSampleRate/);
    }
    // A prediction by model name still logs at the global rate; none of the deployment's did.
    const byName = await predictRecords('fb-reg', 1);
    expect(
      (await api.gql(RECORD, { i: { predictionId: byName, actual: 1 } })).errors,
    ).toBeUndefined();
    expect(await count('SELECT count(*) AS n FROM prediction_log WHERE id = $1', [byName])).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM prediction_log WHERE id = ANY($1::uuid[])', [
        unsampled,
      ]),
    ).toBe(0);

    const unknown = await api.gql(RECORD, { i: { predictionId: randomUUID(), actual: 1 } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN' });
    expect(unknown.errors?.[0]?.message).toMatch(/No logged prediction/);
    const notAnId = await api.gql(RECORD, { i: { predictionId: 'x', actual: 1 } });
    expect(notAnId.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const back = await api.gql(
      `mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 1) { logSampleRate } }`,
    );
    expect(back.data.updateDeploymentLogging.logSampleRate).toBe(1);
  });

  it("never finds another workspace's prediction, logged or not", async () => {
    const logged = await predictRecords('fb-dep', 1);
    await api.gql(`mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 0) { id } }`);
    const unlogged = await predictRecords('fb-dep', 1);
    await api.gql(`mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 1) { id } }`);
    const random = await api.gql(
      RECORD,
      { i: { predictionId: randomUUID(), actual: 1 } },
      otherTenantKey,
    );
    for (const id of [logged, unlogged]) {
      const res = await api.gql(RECORD, { i: { predictionId: id, actual: 1 } }, otherTenantKey);
      // The same answer as for an id that never existed: nothing about the other tenant leaks.
      expect(res.errors?.[0]?.extensions).toEqual(random.errors?.[0]?.extensions);
      expect(res.errors?.[0]?.message.replace(id, '<id>')).toBe(
        random.errors?.[0]?.message.replace(/[0-9a-f-]{36}/, '<id>'),
      );
    }
    const rest = await postFeedback([{ predictionId: logged, actual: 1 }], otherTenantKey);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({
      recorded: 0,
      errors: [{ code: 'NOT_FOUND', reason: 'UNKNOWN' }],
    });
    expect(await feedbackRows(logged)).toEqual([]);
  });

  it('lets a VIEWER key send feedback on its own predictions only', async () => {
    const own = await predictRecords('fb-dep', 1, viewerKey);
    expect(
      (await api.gql(RECORD, { i: { predictionId: own, actual: 3 } }, viewerKey)).errors,
    ).toBeUndefined();
    const admins = await predictRecords('fb-dep', 1);
    const res = await api.gql(RECORD, { i: { predictionId: admins, actual: 3 } }, viewerKey);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await feedbackRows(admins)).toEqual([]);
  });
});

describe('feedback and the prediction log', () => {
  it('goes with its prediction when the log row is removed (retention), which then is unknown', async () => {
    const id = await predictRecords('fb-dep', 1);
    expect((await api.gql(RECORD, { i: { predictionId: id, actual: 4 } })).errors).toBeUndefined();
    expect(await feedbackRows(id)).toHaveLength(1);
    // What the retention sweeper does to an old row.
    await api.server.services.db.query('DELETE FROM prediction_log WHERE id = $1', [id]);
    expect(await feedbackRows(id)).toEqual([]);
    const res = await api.gql(RECORD, { i: { predictionId: id, actual: 4 } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN' });
  });
});

describe('POST /v1/feedback', () => {
  it('records the good items of a mixed batch and lists the others with a reason', async () => {
    const id = await predictRecords('fb-dep', 2);
    const other = await predictRecords('fb-dep', 1);
    await api.gql(`mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 0) { id } }`);
    const unlogged = await predictRecords('fb-dep', 1);
    await api.gql(`mutation { updateDeploymentLogging(name: "fb-dep", logSampleRate: 1) { id } }`);
    const res = await postFeedback([
      { predictionId: id, actual: 10 },
      { predictionId: unlogged, actual: 1 },
      { predictionId: randomUUID(), actual: 1 },
      { predictionId: other, actual: 'ten' },
      'not an object',
      { predictionId: id, actual: 11 },
      { predictionId: id, record: 1, actual: 12 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.recorded).toBe(2);
    expect(res.body.unchanged).toBe(0);
    expect(res.body.errors.map((e: any) => [e.index, e.code, e.reason])).toEqual([
      [1, 'NOT_FOUND', 'NOT_SAMPLED'],
      [2, 'NOT_FOUND', 'UNKNOWN'],
      [3, 'BAD_USER_INPUT', 'WRONG_TYPE'],
      [4, 'BAD_USER_INPUT', 'INVALID'],
      [5, 'BAD_USER_INPUT', 'DUPLICATE'],
    ]);
    for (const e of res.body.errors) expect(typeof e.message).toBe('string');
    expect((await feedbackRows(id)).map((r) => [r.record, r.actual])).toEqual([
      [0, 10],
      [1, 12],
    ]);
    expect(await feedbackRows(other)).toEqual([]);
    // The same batch again: nothing new.
    const again = await postFeedback([
      { predictionId: id, actual: 10 },
      { predictionId: id, record: 1, actual: 12 },
    ]);
    expect(again.body).toEqual({ recorded: 0, unchanged: 2, errors: [] });
  });

  it('refuses oversized batches, bodies and strings quickly, and keeps serving', async () => {
    const id = await predictRecords('fb-dep', 1);
    const timed = async <T>(run: () => Promise<T>) => {
      const started = performance.now();
      const result = await run();
      expect(performance.now() - started).toBeLessThan(2_000);
      return result;
    };
    const many = Array.from({ length: MAX_BATCH + 1 }, () => ({ predictionId: id, actual: 1 }));
    const tooMany = await timed(() => postFeedback(many));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'MAX_FEEDBACK_BATCH' });

    const big = JSON.stringify([{ predictionId: id, actual: 'x'.repeat(MAX_BODY) }]);
    const declared = await timed(() => postFeedback(big));
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatch(/MAX_FEEDBACK_BODY_BYTES/);

    // Chunked (no Content-Length): cut off as it passes the limit.
    const chunked = await timed(async () => {
      const body = new ReadableStream({
        start(controller) {
          const chunk = new TextEncoder().encode(
            `[${'{"predictionId":"x","actual":1},'.repeat(1000)}`,
          );
          for (let i = 0; i < 10; i += 1) controller.enqueue(chunk);
          controller.close();
        },
      });
      const r = await fetch(`${api.url}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
        body,
        duplex: 'half',
      } as RequestInit);
      return { status: r.status, body: (await r.json()) as any };
    });
    expect(chunked.status).toBe(413);
    expect(chunked.body.error).toMatch(/MAX_FEEDBACK_BODY_BYTES/);

    // A long label inside the limit is one refused item, not a stored one.
    const longLabel = await timed(() =>
      postFeedback([{ predictionId: id, actual: 'y'.repeat(MAX_BODY / 2) }]),
    );
    expect(longLabel.body).toMatchObject({ recorded: 0, errors: [{ code: 'BAD_USER_INPUT' }] });
    const huge = await timed(() =>
      api.gql(RECORD, { i: { predictionId: id, actual: 'z'.repeat(1_000_000) } }),
    );
    expect(huge.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const body of ['{"predictionId": 1}', 'not json', '[]']) {
      const res = await timed(() => postFeedback(body));
      expect(res.status, body).toBe(400);
    }
    expect((await postFeedback([{ predictionId: id, actual: 1 }], 'maas_bad_key')).status).toBe(
      401,
    );
    expect(await feedbackRows(id)).toEqual([]);

    // Still serving: a prediction and its feedback.
    const res = await api.gql(PREDICT, { i: { model: 'fb-reg', records: [{ x1: 2, x2: 3 }] } });
    expect(res.data.predict.outputs.predictions[0]).toBeCloseTo(8, 5);
    expect(
      (await postFeedback([{ predictionId: res.data.predict.id, actual: 8 }])).body.recorded,
    ).toBe(1);
  });
});

describe('feedback usage', () => {
  it('counts feedback rows written (new or replaced), per deployment, not repeats', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const usage = async () => {
      const res = await api.gql(
        `query($f: DateTime!, $t: DateTime!) { usage(from: $f, to: $t, granularity: DAY, groupBy: [DEPLOYMENT]) { deployment { id } feedbackRows } }`,
        { f: from, t: to },
      );
      expect(res.errors).toBeUndefined();
      return (res.data.usage as { deployment: { id: string } | null; feedbackRows: number }[])
        .filter((r) => r.deployment?.id === ids.deployment)
        .reduce((s, r) => s + r.feedbackRows, 0);
    };
    const before = await usage();
    const id = await predictRecords('fb-dep', 2);
    await postFeedback([
      { predictionId: id, actual: 1 },
      { predictionId: id, record: 1, actual: 2 },
    ]); // 2 new
    await postFeedback([{ predictionId: id, actual: 1 }]); // a repeat: nothing
    await postFeedback([{ predictionId: id, actual: 5 }]); // replaced: 1
    await postFeedback([{ predictionId: id, actual: 'bad' }]); // refused: nothing
    expect(await usage()).toBe(before + 3);
  });
});
