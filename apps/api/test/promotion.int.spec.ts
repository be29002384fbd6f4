// Issue 12, item 5: guarded promotion, through the real API against a real PostgreSQL. The
// candidate's step figures are checked against what the test itself sent and saw (which version
// answered, which requests failed), and against the deployment_stats rows summed directly.
import { randomUUID } from 'node:crypto';
import { buildLinearModel } from '@maas/onnx';
import { buildFailsOnSomeInputsModel } from '@maas/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { collect, wsClient } from './ws-client';

let api: TestApi;
let editorKey: string;
let viewerKey: string;
let otherTenantKey: string;
let modelId: string;
/** v1: y = x (the champion), v2: y = x + 1 (a good candidate), v3: fails on x ≥ 1. */
const v: Record<1 | 2 | 3, string> = { 1: '', 2: '', 3: '' };

const PROMOTION_FIELDS = `id status reason forced policy createdAt updatedAt
  candidate { id version } champion { id version } deployment { name }
  steps { weight minRequests minSeconds startedAt endedAt requests errors errorRate p99LatencyMs onlineMetrics outcome }`;
const PROMOTE = `mutation($i: PromoteInput!) { promote(input: $i) { ${PROMOTION_FIELDS} } }`;
const GET = `query($id: ID!) { promotion(id: $id) { ${PROMOTION_FIELDS} } }`;
const PREDICT = `query($i: PredictInput!) { predict(input: $i) { outputs modelVersion { id } } }`;

beforeAll(async () => {
  api = await startTestApi({ PROMOTION_TICK_INTERVAL_MS: '200' });
  editorKey = await api.createKey('EDITOR');
  viewerKey = await api.createKey('VIEWER');
  const ws = await api.gql(`mutation { createWorkspace(name: "promotion-other") { id } }`);
  otherTenantKey = await api.createKey('ADMIN', ws.data.createWorkspace.id);
  const created = await api.gql(
    `mutation { createModel(input: { name: "promo", task: REGRESSION }) { id } }`,
  );
  modelId = created.data.createModel.id;
  const models = [
    buildLinearModel({ weights: [[1]], bias: [0] }),
    buildLinearModel({ weights: [[1]], bias: [1] }),
    buildFailsOnSomeInputsModel(),
  ];
  for (const [i, bytes] of models.entries()) {
    const up = await api.upload('promo', bytes);
    expect(up.status).toBe(201);
    v[(i + 1) as 1 | 2 | 3] = up.body.id;
  }
}, 60_000);
afterAll(async () => {
  await api?.close();
});

async function deploy(name: string): Promise<void> {
  const res = await api.gql(
    `mutation($n: String!, $m: ID!, $v: ID!) { createDeployment(input: { name: $n, modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
    { n: name, m: modelId, v: v[1] },
  );
  expect(res.errors).toBeUndefined();
}

async function routes(name: string): Promise<{ versionId: string; weight: number }[]> {
  const res = await api.gql(
    `query($n: String!) { deployment(name: $n) { routes { weight version { id } } } }`,
    { n: name },
  );
  return res.data.deployment.routes.map((r: any) => ({
    versionId: r.version.id,
    weight: r.weight,
  }));
}

async function promotion(id: string): Promise<any> {
  const res = await api.gql(GET, { id });
  expect(res.errors).toBeUndefined();
  return res.data.promotion;
}

async function until(id: string, statuses: string[], withinMs: number): Promise<any> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const p = await promotion(id);
    if (statuses.includes(p.status)) return p;
    if (Date.now() > deadline) throw new Error(`promotion still ${p.status}: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the test saw of its predictions: per version that answered, and the failures. */
interface Tally {
  byVersion: Map<string, number>;
  failures: number;
  failureCodes: Set<string>;
}

async function send(name: string, xs: number[], tally: Tally): Promise<void> {
  await Promise.all(
    xs.map(async (x) => {
      const res = await api.gql(PREDICT, { i: { model: name, inputs: { input: [[x]] } } });
      if (res.errors) {
        tally.failures += 1;
        tally.failureCodes.add(`${res.errors[0]?.extensions?.code}: ${res.errors[0]?.message}`);
      } else {
        const id = res.data.predict.modelVersion.id as string;
        tally.byVersion.set(id, (tally.byVersion.get(id) ?? 0) + 1);
        // Each version answers its own function of x (v1: x, v2: x + 1, v3: x + 5).
        const expected = id === v[1] ? x : id === v[2] ? x + 1 : x + 5;
        expect(res.data.predict.outputs.output[0][0]).toBeCloseTo(expected, 5);
      }
    }),
  );
}

const newTally = (): Tally => ({ byVersion: new Map(), failures: 0, failureCodes: new Set() });

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await api.server.services.db.query<{ n: string }[]>(sql, params);
  return Number(rows[0]?.n);
}

async function adminKeyId(): Promise<string> {
  const res = await api.gql(`{ viewer { apiKey { id } } }`);
  return res.data.viewer.apiKey.id;
}

describe('promote', () => {
  it('walks a good candidate through 10/50/100, live on the subscription, and moves the production alias', async () => {
    await deploy('promo-good');
    const alias = await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "production", version: 1) { alias } }`,
      { m: modelId },
    );
    expect(alias.errors).toBeUndefined();

    const started = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-good',
        versionId: v[2],
        policy: {
          steps: [
            { weight: 10, minRequests: 3 },
            { weight: 50, minRequests: 3 },
            { weight: 100, minRequests: 3 },
          ],
          maxErrorRate: 0,
        },
      },
    });
    expect(started.errors).toBeUndefined();
    const p = started.data.promote;
    expect(p).toMatchObject({
      status: 'ROLLING_OUT',
      forced: false,
      candidate: { id: v[2], version: 2 },
      champion: { id: v[1], version: 1 },
      deployment: { name: 'promo-good' },
    });
    expect(p.steps.map((s: any) => [s.weight, s.minRequests, s.minSeconds])).toEqual([
      [10, 3, 0],
      [50, 3, 0],
      [100, 3, 0],
    ]);
    expect(p.steps[0].startedAt).not.toBeNull();
    expect(p.steps[1].startedAt).toBeNull();
    // The first step's weights are live at once.
    expect(await routes('promo-good')).toEqual([
      { versionId: v[1], weight: 90 },
      { versionId: v[2], weight: 10 },
    ]);

    const client = wsClient(api.url, api.adminKey);
    const seen = collect(
      client,
      `subscription($id: ID!) { promotionUpdated(id: $id) { status steps { weight startedAt outcome requests } } }`,
      { id: p.id },
    );

    const tally = newTally();
    const deadline = Date.now() + 90_000;
    let current = p;
    while (current.status === 'ROLLING_OUT') {
      if (Date.now() > deadline) throw new Error(`not completed: ${JSON.stringify(current)}`);
      await send(
        'promo-good',
        Array.from({ length: 20 }, (_, i) => i % 7),
        tally,
      );
      current = await promotion(p.id);
    }
    await seen.done;
    await client.dispose();

    expect(current.status).toBe('COMPLETED');
    expect(current.reason).toBeNull();
    expect(tally.failures).toBe(0);
    for (const step of current.steps) {
      expect(step.outcome).toBe('passed');
      expect(step.requests).toBeGreaterThanOrEqual(3);
      expect(step.errors).toBe(0);
      expect(step.errorRate).toBe(0);
      expect(step.p99LatencyMs).toBeGreaterThan(0);
      expect(step.onlineMetrics).toBeNull();
      expect(new Date(step.endedAt).getTime()).toBeGreaterThanOrEqual(
        new Date(step.startedAt).getTime(),
      );
      // The step's figures are the candidate's deployment_stats rows written during it.
      const rows = await count(
        `SELECT coalesce(sum(requests), 0) AS n FROM deployment_stats
          WHERE version_id = $1 AND bucket_start >= $2 AND bucket_start <= $3`,
        [v[2], step.startedAt, step.endedAt],
      );
      expect(step.requests).toBe(rows);
    }
    // Steps follow each other: each starts when the one before passed.
    for (let i = 1; i < current.steps.length; i++)
      expect(current.steps[i].startedAt).toBe(current.steps[i - 1].endedAt);
    // The candidate never answered more than the test saw it answer.
    const candidateSeen = tally.byVersion.get(v[2]) ?? 0;
    const measured = current.steps.reduce((s: number, x: any) => s + x.requests, 0);
    expect(measured).toBeLessThanOrEqual(candidateSeen);

    expect(await routes('promo-good')).toEqual([{ versionId: v[2], weight: 100 }]);

    // The subscription saw the steps advance and completed after COMPLETED.
    const statuses = seen.results.map((r: any) => r.promotionUpdated.status);
    expect(statuses.at(-1)).toBe('COMPLETED');
    const startedSteps = seen.results.map(
      (r: any) => r.promotionUpdated.steps.filter((s: any) => s.startedAt).length,
    );
    expect(startedSteps).toContain(2);
    expect(startedSteps).toContain(3);

    // The production alias moved, and its history says who moved it from where.
    const model = await api.gql(
      `query($id: ID!) { model(id: $id) { aliases { alias version { id } history { at version { id } previousVersion { id } actor { id } } } } }`,
      { id: modelId },
    );
    expect(model.errors).toBeUndefined();
    const production = model.data.model.aliases.find((a: any) => a.alias === 'production');
    expect(production.version.id).toBe(v[2]);
    const me = await adminKeyId();
    expect(
      production.history.map((h: any) => [h.version.id, h.previousVersion?.id ?? null, h.actor.id]),
    ).toEqual([
      [v[2], v[1], me],
      [v[1], null, me],
    ]);

    // Every step and the alias move are in the audit log.
    const audited = await api.server.services.db.query<{ action: string; details: any }[]>(
      `SELECT action, details FROM audit_events WHERE target_id = $1 ORDER BY created_at, id`,
      [p.id],
    );
    const actions = audited.map((a) => `${a.action}:${a.details?.event ?? ''}`);
    expect(actions.filter((a) => a === 'promotion.step:started')).toHaveLength(3);
    expect(actions.filter((a) => a === 'promotion.step:passed')).toHaveLength(3);
    expect(actions).toContain('promotion.start:');
    expect(actions).toContain('promotion.complete:');
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_events WHERE action = 'alias.set' AND details->>'promotionId' = $1`,
        [p.id],
      ),
    ).toBe(1);
  }, 120_000);

  it('rolls back a candidate that errors on some inputs at its first step, with the measured error rate', async () => {
    await deploy('promo-bad');
    const before = await api.gql(
      `query($id: ID!) { model(id: $id) { aliases { alias history { at } } } }`,
      { id: modelId },
    );
    const started = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-bad',
        versionId: v[3],
        // Held 6 s: every request below is flushed to deployment_stats (every 2 s) before the
        // step is judged, so the step's figures are exactly what the test counted.
        policy: {
          steps: [
            { weight: 10, minRequests: 5, minSeconds: 6 },
            { weight: 100, minRequests: 5 },
          ],
          maxErrorRate: 0.2,
        },
      },
    });
    expect(started.errors).toBeUndefined();
    const id = started.data.promote.id;
    const tally = newTally();
    // Half the inputs are ones v3 cannot answer (x = 3); v1 answers everything.
    for (let i = 0; i < 10; i++)
      await send(
        'promo-bad',
        Array.from({ length: 20 }, (_, j) => (j % 2 === 0 ? 0 : 3)),
        tally,
      );

    const done = await until(id, ['ROLLED_BACK', 'COMPLETED'], 30_000);
    expect(done.status).toBe('ROLLED_BACK');
    const candidateRequests = tally.failures + (tally.byVersion.get(v[3]) ?? 0);
    expect(candidateRequests).toBeGreaterThanOrEqual(5);
    expect(tally.failures).toBeGreaterThan(0);
    const [first, second] = done.steps;
    expect(first).toMatchObject({
      weight: 10,
      outcome: 'rolled back',
      requests: candidateRequests,
      errors: tally.failures,
    });
    expect(first.errorRate).toBeCloseTo(tally.failures / candidateRequests, 12);
    expect(first.endedAt).not.toBeNull();
    expect(second.startedAt).toBeNull();
    expect(done.reason).toContain('error rate');
    expect(done.reason).toContain('maxErrorRate 0.2');
    // The champion has all the traffic back; the production alias did not move.
    expect(await routes('promo-bad')).toEqual([{ versionId: v[1], weight: 100 }]);
    const after = await api.gql(
      `query($id: ID!) { model(id: $id) { aliases { alias history { at } } } }`,
      { id: modelId },
    );
    expect(after.data).toEqual(before.data);
    const rollback = await api.server.services.db.query<{ details: any }[]>(
      `SELECT details FROM audit_events WHERE target_id = $1 AND action = 'promotion.rollback'`,
      [id],
    );
    expect(rollback).toHaveLength(1);
  }, 60_000);

  it('cancels a promotion in progress and gives the champion its traffic back; one promotion per deployment', async () => {
    await deploy('promo-cancel');
    const started = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-cancel',
        versionId: v[2],
        policy: {
          steps: [
            { weight: 30, minRequests: 1000 },
            { weight: 100, minRequests: 1000 },
          ],
        },
      },
    });
    expect(started.errors).toBeUndefined();
    const id = started.data.promote.id;
    expect(await routes('promo-cancel')).toEqual([
      { versionId: v[1], weight: 70 },
      { versionId: v[2], weight: 30 },
    ]);
    // The promotion owns the weights: hand edits and a second promotion are refused.
    const edit = await api.gql(
      `mutation($v: ID!) { updateDeploymentRoutes(name: "promo-cancel", routes: [{ versionId: $v, weight: 100 }]) { name } }`,
      { v: v[1] },
    );
    expect(edit.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const second = await api.gql(PROMOTE, { i: { deployment: 'promo-cancel', versionId: v[3] } });
    expect(second.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(second.errors?.[0]?.message).toContain(id);

    const viewerCancel = await api.gql(
      `mutation($id: ID!) { cancelPromotion(id: $id) { status } }`,
      { id },
      viewerKey,
    );
    expect(viewerCancel.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const cancelled = await api.gql(
      `mutation($id: ID!) { cancelPromotion(id: $id) { status reason steps { outcome endedAt } } }`,
      { id },
      editorKey,
    );
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelPromotion.status).toBe('CANCELLED');
    expect(cancelled.data.cancelPromotion.steps[0].outcome).toBe('cancelled');
    expect(cancelled.data.cancelPromotion.steps[1].outcome).toBeNull();
    expect(await routes('promo-cancel')).toEqual([{ versionId: v[1], weight: 100 }]);
    const again = await api.gql(`mutation($id: ID!) { cancelPromotion(id: $id) { status } }`, {
      id,
    });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // Ended, it no longer blocks a new one; the list is newest first.
    const next = await api.gql(PROMOTE, {
      i: { deployment: 'promo-cancel', versionId: v[2], policy: { requireApproval: true } },
    });
    expect(next.errors).toBeUndefined();
    const list = await api.gql(`{ promotions(deployment: "promo-cancel") { id status } }`);
    expect(list.data.promotions).toEqual([
      { id: next.data.promote.id, status: 'WAITING_FOR_APPROVAL' },
      { id, status: 'CANCELLED' },
    ]);
    await api.gql(`mutation($id: ID!) { cancelPromotion(id: $id) { status } }`, {
      id: next.data.promote.id,
    });
  });

  it('waits for approval before the rollout', async () => {
    await deploy('promo-approval');
    const started = await api.gql(
      PROMOTE,
      { i: { deployment: 'promo-approval', versionId: v[2], policy: { requireApproval: true } } },
      editorKey,
    );
    expect(started.errors).toBeUndefined();
    const p = started.data.promote;
    expect(p.status).toBe('WAITING_FOR_APPROVAL');
    // Default steps: 10, 50, 100, each held for 100 requests and 60 s.
    expect(p.steps.map((s: any) => [s.weight, s.minRequests, s.minSeconds])).toEqual([
      [10, 100, 60],
      [50, 100, 60],
      [100, 100, 60],
    ]);
    expect(p.steps.every((s: any) => s.startedAt === null)).toBe(true);
    expect(await routes('promo-approval')).toEqual([{ versionId: v[1], weight: 100 }]);
    // The ticker leaves it waiting.
    await api.server.services.promotionTicker.tick();
    expect((await promotion(p.id)).status).toBe('WAITING_FOR_APPROVAL');

    const byViewer = await api.gql(
      `mutation($id: ID!) { approvePromotion(id: $id) { status } }`,
      { id: p.id },
      viewerKey,
    );
    expect(byViewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const approved = await api.gql(
      `mutation($id: ID!) { approvePromotion(id: $id) { status steps { startedAt } } }`,
      { id: p.id },
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approvePromotion.status).toBe('ROLLING_OUT');
    expect(approved.data.approvePromotion.steps[0].startedAt).not.toBeNull();
    expect(await routes('promo-approval')).toEqual([
      { versionId: v[1], weight: 90 },
      { versionId: v[2], weight: 10 },
    ]);
    const twice = await api.gql(`mutation($id: ID!) { approvePromotion(id: $id) { status } }`, {
      id: p.id,
    });
    expect(twice.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await api.gql(`mutation($id: ID!) { cancelPromotion(id: $id) { status } }`, { id: p.id });
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_events WHERE target_id = $1 AND action = 'promotion.approve' AND outcome = 'ok'`,
        [p.id],
      ),
    ).toBe(1);
  });

  it('refuses force to a non-admin; force skips the evaluation gate, which without force is run (an unknown dataset is NOT_FOUND)', async () => {
    await deploy('promo-force');
    const rowsBefore = await count(`SELECT count(*) AS n FROM promotions`);
    const datasetId = randomUUID();
    const byEditor = await api.gql(
      PROMOTE,
      { i: { deployment: 'promo-force', versionId: v[2], force: true } },
      editorKey,
    );
    expect(byEditor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const gated = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-force',
        versionId: v[2],
        policy: {
          evaluationDatasetId: datasetId,
          evaluationTarget: 'y',
          metric: 'rmse',
          maxRegression: 0.1,
        },
      },
    });
    // The gate runs (promotion-gate.int.spec.ts): here it finds no such dataset.
    expect(gated.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await count(`SELECT count(*) AS n FROM promotions`)).toBe(rowsBefore);
    expect(await routes('promo-force')).toEqual([{ versionId: v[1], weight: 100 }]);

    const forced = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-force',
        versionId: v[2],
        force: true,
        policy: { evaluationDatasetId: datasetId, metric: 'rmse', maxErrorRate: 0 },
      },
    });
    expect(forced.errors).toBeUndefined();
    expect(forced.data.promote).toMatchObject({ status: 'ROLLING_OUT', forced: true });
    const audited = await api.server.services.db.query<{ details: any }[]>(
      `SELECT details FROM audit_events WHERE target_id = $1 AND action = 'promotion.start'`,
      [forced.data.promote.id],
    );
    expect(audited[0]?.details).toMatchObject({ force: true, skipped: ['evaluation', 'limits'] });
    await api.gql(`mutation($id: ID!) { cancelPromotion(id: $id) { status } }`, {
      id: forced.data.promote.id,
    });
  });

  it("keeps promotions to their workspace: another tenant's ids and names are NOT_FOUND", async () => {
    const list = await api.gql(`{ promotions(deployment: "promo-good") { id } }`);
    const id = list.data.promotions[0].id;
    const other = (q: string, vars?: Record<string, unknown>) => api.gql(q, vars, otherTenantKey);
    expect((await other(GET, { id })).data.promotion).toBeNull();
    const listed = await other(`{ promotions(deployment: "promo-good") { id } }`);
    expect(listed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const m of ['cancelPromotion', 'approvePromotion']) {
      const res = await other(`mutation($id: ID!) { ${m}(id: $id) { id } }`, { id });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const promote = await other(PROMOTE, { i: { deployment: 'promo-good', versionId: v[1] } });
    expect(promote.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const client = wsClient(api.url, otherTenantKey);
    const sub = collect(client, `subscription($id: ID!) { promotionUpdated(id: $id) { id } }`, {
      id,
    });
    await expect(sub.done).rejects.toThrow(/does not exist/);
    await client.dispose();
  });

  it('refuses bad policies, changing nothing', async () => {
    await deploy('promo-policy');
    const rowsBefore = await count(`SELECT count(*) AS n FROM promotions`);
    const cases: [unknown, string][] = [
      [{ steps: [{ weight: 50 }, { weight: 10 }, { weight: 100 }] }, 'policy.steps'],
      [{ steps: [{ weight: 10 }, { weight: 50 }] }, 'policy.steps'],
      [{ steps: [{ weight: 0 }, { weight: 100 }] }, 'policy.steps'],
      [{ steps: [{ weight: 50 }, { weight: 101 }] }, 'policy.steps'],
      [{ steps: [] }, 'policy.steps'],
      [
        { steps: Array.from({ length: 11 }, (_, i) => ({ weight: (i + 1) * 9 + 1 })) },
        'policy.steps',
      ],
      [{ steps: [{ weight: 100, minRequests: -1 }] }, 'policy.minRequests'],
      [{ steps: [{ weight: 100, minRequests: 1_000_001 }] }, 'policy.minRequests'],
      [{ steps: [{ weight: 100, minSeconds: 604_801 }] }, 'policy.minSeconds'],
      [{ maxErrorRate: 1.5 }, 'policy.maxErrorRate'],
      [{ maxP99LatencyMs: 0 }, 'policy.maxP99LatencyMs'],
      [{ minOnlineAccuracy: 1.5 }, 'policy.minOnlineAccuracy'],
      [{ maxOnlineRmse: -1 }, 'policy.maxOnlineRmse'],
      [{ metric: 'rmse' }, 'policy.evaluationDatasetId'],
      [{ evaluationDatasetId: randomUUID(), metric: 'speed' }, 'policy.metric'],
      [{ evaluationDatasetId: 'not-an-id', metric: 'rmse' }, 'policy.evaluationDatasetId'],
      [
        { evaluationDatasetId: randomUUID(), metric: 'rmse', maxRegression: -1 },
        'policy.maxRegression',
      ],
    ];
    for (const [policy, field] of cases) {
      const res = await api.gql(PROMOTE, {
        i: { deployment: 'promo-policy', versionId: v[2], policy },
      });
      expect(res.errors?.[0]?.extensions, JSON.stringify(policy)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
    // A version of another model, the version already serving everything, an unknown version.
    await api.gql(
      `mutation { createModel(input: { name: "promo-other", task: REGRESSION }) { id } }`,
    );
    const foreign = await api.upload(
      'promo-other',
      buildLinearModel({ weights: [[2]], bias: [0] }),
    );
    for (const [versionId, code] of [
      [foreign.body.id, 'BAD_USER_INPUT'],
      [v[1], 'BAD_USER_INPUT'],
      [randomUUID(), 'NOT_FOUND'],
    ] as const) {
      const res = await api.gql(PROMOTE, { i: { deployment: 'promo-policy', versionId } });
      expect(res.errors?.[0]?.extensions?.code).toBe(code);
    }
    expect(await count(`SELECT count(*) AS n FROM promotions`)).toBe(rowsBefore);
    expect(await routes('promo-policy')).toEqual([{ versionId: v[1], weight: 100 }]);
  });
});

/** A prediction the test made and what it knows of it: who answered, what it said, the truth. */
interface Scored {
  id: string;
  versionId: string;
  predicted: number;
  actual: number;
}

/** Predicts each x on `name` and sends feedback `actualOf(x)` on every prediction (one batch). */
async function predictWithFeedback(
  name: string,
  xs: number[],
  actualOf: (x: number) => number,
): Promise<Scored[]> {
  const scored = await Promise.all(
    xs.map(async (x) => {
      const res = await api.gql(
        `query($i: PredictInput!) { predict(input: $i) { id outputs modelVersion { id } } }`,
        {
          i: { model: name, inputs: { input: [[x]] } },
        },
      );
      expect(res.errors).toBeUndefined();
      return {
        id: res.data.predict.id as string,
        versionId: res.data.predict.modelVersion.id as string,
        predicted: res.data.predict.outputs.prediction[0][0] as number,
        actual: actualOf(x),
      };
    }),
  );
  const res = await fetch(`${api.url}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
    body: JSON.stringify(scored.map((s) => ({ predictionId: s.id, actual: s.actual }))),
  });
  expect(res.status).toBeLessThan(300);
  return scored;
}

/** MAE and RMSE computed here, from the test's own predictions and actuals. */
function errorsOf(scored: Scored[]): { mae: number; rmse: number } {
  const d = scored.map((s) => s.predicted - s.actual);
  return {
    mae: d.reduce((a, x) => a + Math.abs(x), 0) / d.length,
    rmse: Math.sqrt(d.reduce((a, x) => a + x * x, 0) / d.length),
  };
}

/** Online metrics read a tensor model's "prediction" output: w1: y = x, w2: y = x + 1. */
const w: Record<1 | 2, string> = { 1: '', 2: '' };

/** A deployment of w1 that logs every prediction (feedback needs a logged prediction). */
async function deployLogged(name: string): Promise<void> {
  const res = await api.gql(
    `mutation($n: String!, $m: ID!, $v: ID!) { createDeployment(input: { name: $n, modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
    { n: name, m: onlineModelId, v: w[1] },
  );
  expect(res.errors).toBeUndefined();
  const logged = await api.gql(
    `mutation($n: String!) { updateDeploymentLogging(name: $n, logSampleRate: 1) { id } }`,
    { n: name },
  );
  expect(logged.errors).toBeUndefined();
}

let onlineModelId = '';

describe("a step's online metrics", () => {
  beforeAll(async () => {
    const created = await api.gql(
      `mutation { createModel(input: { name: "promo-online", task: REGRESSION }) { id } }`,
    );
    onlineModelId = created.data.createModel.id;
    for (const i of [1, 2] as const) {
      const bytes = buildLinearModel({ weights: [[1]], bias: [i - 1], outputName: 'prediction' });
      const up = await api.upload('promo-online', bytes);
      expect(up.status).toBe(201);
      w[i] = up.body.id;
    }
  });

  it("are the MAE and RMSE of the feedback on the candidate's predictions during the step", async () => {
    await deployLogged('promo-online-dep');
    const started = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-online-dep',
        versionId: w[2],
        // Held 8 s: the predictions and their feedback below are all in before it is judged.
        policy: {
          steps: [
            { weight: 50, minRequests: 3, minSeconds: 8 },
            { weight: 100, minRequests: 1_000_000 },
          ],
        },
      },
    });
    expect(started.errors).toBeUndefined();
    const id = started.data.promote.id;
    expect(started.data.promote.steps[0].onlineMetrics).toBeNull();
    // Actuals y = 2x − 1 + a wobble: v2 (x + 1) is off by different amounts, so MAE ≠ RMSE.
    const xs = Array.from({ length: 30 }, (_, i) => (i % 6) * 0.5);
    const scored = await predictWithFeedback('promo-online-dep', xs, (x) => 2 * x - 1 + (x % 1));
    const candidate = scored.filter((s) => s.versionId === w[2]);
    const champion = scored.filter((s) => s.versionId === w[1]);
    expect(candidate.length).toBeGreaterThanOrEqual(3);
    expect(champion.length).toBeGreaterThan(0);
    const expected = errorsOf(candidate);
    // The champion's feedback is not the candidate's: mixing it in would give other figures.
    expect(errorsOf(scored).rmse).not.toBeCloseTo(expected.rmse, 3);

    // While the step runs, its figures follow the feedback received so far.
    const deadline = Date.now() + 30_000;
    let p = await promotion(id);
    while (p.steps[0].onlineMetrics === null || p.steps[0].outcome === null) {
      if (Date.now() > deadline) throw new Error(`step 1 not judged: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 200));
      p = await promotion(id);
    }
    const [first, second] = p.steps;
    expect(first.outcome).toBe('passed');
    expect(Object.keys(first.onlineMetrics).sort()).toEqual(['mae', 'rmse']);
    expect(first.onlineMetrics.mae).toBeCloseTo(expected.mae, 9);
    expect(first.onlineMetrics.rmse).toBeCloseTo(expected.rmse, 9);
    expect(second.startedAt).not.toBeNull();
    expect(second.onlineMetrics).toBeNull();
    // Persisted at the step's end, and audited with it.
    const audited = await api.server.services.db.query<{ details: any }[]>(
      `SELECT details FROM audit_events WHERE target_id = $1 AND action = 'promotion.step' AND details->>'event' = 'passed'`,
      [id],
    );
    expect(audited[0]?.details.onlineMetrics.rmse).toBeCloseTo(expected.rmse, 9);
    await api.gql(`mutation($id: ID!) { cancelPromotion(id: $id) { status } }`, { id });
    // Ended, the step keeps what it measured.
    expect((await promotion(id)).steps[0].onlineMetrics).toEqual(first.onlineMetrics);
  }, 60_000);

  it('rolls back at the first step a candidate whose online RMSE is above maxOnlineRmse', async () => {
    await deployLogged('promo-online-bad');
    const started = await api.gql(PROMOTE, {
      i: {
        deployment: 'promo-online-bad',
        versionId: w[2],
        policy: {
          steps: [
            { weight: 50, minRequests: 3, minSeconds: 6 },
            { weight: 100, minRequests: 3 },
          ],
          maxOnlineRmse: 0.5,
        },
      },
    });
    expect(started.errors).toBeUndefined();
    const id = started.data.promote.id;
    expect(started.data.promote.policy).toMatchObject({ maxOnlineRmse: 0.5 });
    // The truth is y = x: the champion (w1) is exact, the candidate (x + 1) off by 1 everywhere.
    const xs = Array.from({ length: 30 }, (_, i) => i % 5);
    const scored = await predictWithFeedback('promo-online-bad', xs, (x) => x);
    const expected = errorsOf(scored.filter((s) => s.versionId === w[2]));
    expect(expected.rmse).toBeCloseTo(1, 9);

    const done = await until(id, ['ROLLED_BACK', 'COMPLETED'], 30_000);
    expect(done.status).toBe('ROLLED_BACK');
    const [first, second] = done.steps;
    expect(first.outcome).toBe('rolled back');
    expect(first.onlineMetrics.rmse).toBeCloseTo(expected.rmse, 9);
    expect(first.onlineMetrics.mae).toBeCloseTo(expected.mae, 9);
    expect(second.startedAt).toBeNull();
    expect(done.reason).toContain('online RMSE from feedback was 1,');
    expect(done.reason).toContain('maxOnlineRmse 0.5');
    expect(await routes('promo-online-bad')).toEqual([{ versionId: w[1], weight: 100 }]);
  }, 60_000);
});
