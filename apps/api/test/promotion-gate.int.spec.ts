// Issue 12, items 4 and 5: a promotion's evaluation gate, run by a real evaluation job on a real
// worker process, through the real API against a real PostgreSQL. The figures the gate judges are
// checked against what this test computes itself on the same rows: the uploaded champion's closed
// form, and the trained candidate's ONNX file run here in onnxruntime.
import { buildLinearModel } from '@maas/onnx';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, startTestApi, waitForTrainingJob, type TestApi } from './api-harness';
import { startApiProcess, type ApiProcess } from './api-process';
import { startWorker } from './worker-process';

const PROMOTION = `id status reason forced policy
  candidate { id } champion { id }
  steps { weight startedAt outcome }
  evaluation { id status target error versions { id } results { version { id } metrics } }`;
const PROMOTE = `mutation($i: PromoteInput!) { promote(input: $i) { ${PROMOTION} } }`;
const GET = `query($id: ID!) { promotion(id: $id) { ${PROMOTION} } }`;
/** Steps that hold for nothing: the rollout runs through as soon as the gate lets it. */
const QUICK_STEPS = [
  { weight: 50, minRequests: 0, minSeconds: 0 },
  { weight: 100, minRequests: 0, minSeconds: 0 },
];

// x on a grid of eighths (exact in float32); noise in 1/16 steps, deterministic.
const noise = (i: number) => (((i * 13) % 9) - 4) / 16;
const grid = (n: number, offset: number) =>
  Array.from({ length: n }, (_, i) => ((i * 37 + offset) % 33) / 8 - 2);
const csvOf = (xs: number[], f: (x: number, i: number) => number) =>
  'x,y\n' + xs.map((x, i) => `${x},${f(x, i)}`).join('\n') + '\n';
/** The rows every gate evaluates on: y = 3x + noise. */
const EVAL_X = grid(120, 5);
const EVAL_Y = EVAL_X.map((x, i) => 3 * x + noise(i + 3));

function rmse(predicted: number[], actual: number[]): number {
  const n = actual.length;
  return Math.sqrt(predicted.reduce((s, p, i) => s + (p - (actual[i] as number)) ** 2, 0) / n);
}

async function createDataset(
  client: Pick<TestApi, 'gql'>,
  name: string,
  csv: string,
  key?: string,
): Promise<string> {
  const data = await gqlOk(
    client,
    `mutation($n: String!, $c: String!) { createDataset(name: $n, csv: $c) { id } }`,
    { n: name, c: csv },
    key,
  );
  return data.createDataset.id;
}

async function uploadLinear(
  client: Pick<TestApi, 'upload'>,
  model: string,
  weight: number,
): Promise<string> {
  const up = await client.upload(
    model,
    buildLinearModel({ weights: [[weight]], bias: [0], tabular: { features: ['x'] } }),
  );
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  return up.body.id;
}

async function deploy(client: Pick<TestApi, 'gql'>, name: string, modelId: string, v: string) {
  await gqlOk(
    client,
    `mutation($n: String!, $m: ID!, $v: ID!) { createDeployment(input: { name: $n, modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
    { n: name, m: modelId, v },
  );
}

async function until(
  client: Pick<TestApi, 'gql'>,
  id: string,
  statuses: string[],
  withinMs = 120_000,
): Promise<any> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const p = (await gqlOk(client, GET, { id })).promotion;
    if (statuses.includes(p.status)) return p;
    if (Date.now() > deadline) throw new Error(`promotion still ${p.status}: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function routesOf(client: Pick<TestApi, 'gql'>, name: string) {
  const data = await gqlOk(
    client,
    `query($n: String!) { deployment(name: $n) { routes { weight version { id } } } }`,
    { n: name },
  );
  return data.deployment.routes.map((r: any) => ({ versionId: r.version.id, weight: r.weight }));
}

describe('the evaluation gate on one API', () => {
  let api: TestApi;
  let worker: ReturnType<typeof startWorker>;
  let otherKey: string;
  let modelId: string;
  let evalId: string;
  /** Uploaded: y = 2x and y = 3x. Trained: on y = 3x + noise and on y = −3x + noise. */
  const v = { twoX: '', threeX: '', good: '', bad: '' };
  let badSession: ort.InferenceSession;
  let goodSession: ort.InferenceSession;

  async function train(csv: string, name: string): Promise<{ id: string; version: number }> {
    const datasetId = await createDataset(api, name, csv);
    const started = await gqlOk(
      api,
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId,
          algorithm: 'LINEAR_REGRESSION',
          target: 'y',
          features: ['x'],
          hyperparameters: { validationSplit: 0 },
        },
      },
    );
    return (await waitForTrainingJob(api, started.startTrainingJob.id)).resultVersion;
  }

  async function session(version: number): Promise<ort.InferenceSession> {
    const artifact = await fetch(`${api.url}/v1/models/gate/versions/${version}/artifact`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(artifact.status).toBe(200);
    return ort.InferenceSession.create(new Uint8Array(await artifact.arrayBuffer()));
  }

  /** A trained version's predictions on `xs`, run here in onnxruntime on its served file. */
  async function predictDirectly(s: ort.InferenceSession, xs: number[]): Promise<number[]> {
    const out = await s.run({
      [s.inputNames[0] as string]: new ort.Tensor('float32', Float32Array.from(xs), [xs.length, 1]),
    });
    return Array.from((out.prediction as ort.Tensor).data as Float32Array);
  }

  beforeAll(async () => {
    api = await startTestApi({ PROMOTION_TICK_INTERVAL_MS: '200' });
    worker = startWorker(api.server.services.config.DATABASE_URL);
    const ws = await gqlOk(api, `mutation { createWorkspace(name: "gate-other") { id } }`);
    otherKey = await api.createKey('ADMIN', ws.createWorkspace.id);
    modelId = (
      await gqlOk(api, `mutation { createModel(input: { name: "gate", task: REGRESSION }) { id } }`)
    ).createModel.id;
    v.twoX = await uploadLinear(api, 'gate', 2);
    v.threeX = await uploadLinear(api, 'gate', 3);
    const trainX = grid(200, 0);
    const good = await train(
      csvOf(trainX, (x, i) => 3 * x + noise(i)),
      'gate-train-good',
    );
    const bad = await train(
      csvOf(trainX, (x, i) => -3 * x + noise(i)),
      'gate-train-bad',
    );
    v.good = good.id;
    v.bad = bad.id;
    goodSession = await session(good.version);
    badSession = await session(bad.version);
    evalId = await createDataset(
      api,
      'gate-eval',
      csvOf(EVAL_X, (_, i) => EVAL_Y[i] as number),
    );
    await deploy(api, 'gate-good', modelId, v.twoX);
    await deploy(api, 'gate-bad', modelId, v.threeX);
    await deploy(api, 'gate-refusals', modelId, v.threeX);
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('lets a better candidate through: evaluated on its training target with the default metric, then rolled out', async () => {
    const started = await gqlOk(api, PROMOTE, {
      i: {
        deployment: 'gate-good',
        versionId: v.good,
        policy: { evaluationDatasetId: evalId, steps: QUICK_STEPS },
      },
    });
    const p = started.promote;
    // Nothing moves while the gate is open: the champion keeps all the traffic.
    expect(p.status).toBe('EVALUATING');
    expect(p.policy).toMatchObject({ metric: 'rmse', evaluationTarget: 'y', maxRegression: 0 });
    expect(p.evaluation.target).toBe('y');
    expect(p.evaluation.versions.map((x: any) => x.id)).toEqual([v.twoX, v.good]);
    expect(p.steps[0].startedAt).toBeNull();
    expect(await routesOf(api, 'gate-good')).toEqual([{ versionId: v.twoX, weight: 100 }]);

    const done = await until(api, p.id, ['COMPLETED', 'REFUSED', 'ROLLED_BACK']);
    expect(done.status, done.reason).toBe('COMPLETED');
    expect(done.steps.map((s: any) => s.outcome)).toEqual(['passed', 'passed']);
    expect(await routesOf(api, 'gate-good')).toEqual([{ versionId: v.good, weight: 100 }]);
    // The job's figures are those of the rows, computed here.
    expect(done.evaluation.status).toBe('SUCCEEDED');
    const [champion, candidate] = done.evaluation.results;
    const championRmse = rmse(
      EVAL_X.map((x) => 2 * x),
      EVAL_Y,
    );
    const candidateRmse = rmse(await predictDirectly(goodSession, EVAL_X), EVAL_Y);
    expect(champion.metrics.rmse).toBeCloseTo(championRmse, 5);
    expect(candidate.metrics.rmse).toBeCloseTo(candidateRmse, 5);
    expect(candidateRmse).toBeLessThan(championRmse);
    const audited = await api.server.services.db.query<{ details: any }[]>(
      `SELECT details FROM audit_events WHERE target_id = $1 AND action = 'promotion.evaluated'`,
      [p.id],
    );
    expect(audited).toHaveLength(1);
    expect(audited[0]?.details.worseBy).toBeCloseTo(candidateRmse - championRmse, 5);
  });

  it('refuses a worse candidate, quoting both figures and the margin as computed here', async () => {
    const started = await gqlOk(api, PROMOTE, {
      i: {
        deployment: 'gate-bad',
        versionId: v.bad,
        policy: { evaluationDatasetId: evalId, metric: 'rmse', maxRegression: 0.5 },
      },
    });
    const p = started.promote;
    expect(p.status).toBe('EVALUATING');
    const done = await until(api, p.id, ['REFUSED', 'ROLLING_OUT', 'COMPLETED']);
    expect(done.status).toBe('REFUSED');
    const championRmse = rmse(
      EVAL_X.map((x) => 3 * x),
      EVAL_Y,
    );
    const candidateRmse = rmse(await predictDirectly(badSession, EVAL_X), EVAL_Y);
    const quoted =
      /rmse is ([\d.]+) against the champion's ([\d.]+): worse by ([\d.]+), more than maxRegression 0\.5$/.exec(
        done.reason,
      );
    expect(quoted, done.reason).not.toBeNull();
    expect(Number(quoted?.[1])).toBeCloseTo(candidateRmse, 5);
    expect(Number(quoted?.[2])).toBeCloseTo(championRmse, 5);
    expect(Number(quoted?.[3])).toBeCloseTo(candidateRmse - championRmse, 5);
    // The trained candidate is y ≈ −3x: far worse than y = 3x on these rows.
    expect(candidateRmse - championRmse).toBeGreaterThan(3);
    // Nothing moved.
    expect(done.steps.every((s: any) => s.startedAt === null)).toBe(true);
    expect(await routesOf(api, 'gate-bad')).toEqual([{ versionId: v.threeX, weight: 100 }]);
    const refused = await api.server.services.db.query<{ details: any }[]>(
      `SELECT details FROM audit_events WHERE target_id = $1 AND action = 'promotion.refuse'`,
      [p.id],
    );
    expect(refused[0]?.details.evaluation.candidate).toBeCloseTo(candidateRmse, 5);
  });

  it("answers NOT_FOUND for another tenant's dataset and BAD_USER_INPUT for a metric or target that does not fit, creating nothing", async () => {
    const count = async () =>
      Number(
        (
          await api.server.services.db.query<{ n: string }[]>(
            `SELECT (SELECT count(*) FROM promotions) + (SELECT count(*) FROM training_jobs) AS n`,
          )
        )[0]?.n,
      );
    const before = await count();
    const theirs = await createDataset(
      api,
      'their-rows',
      csvOf(EVAL_X, (_, i) => EVAL_Y[i] as number),
      otherKey,
    );
    const promote = (policy: Record<string, unknown>, versionId = v.good) =>
      api.gql(PROMOTE, { i: { deployment: 'gate-refusals', versionId, policy } });
    const foreign = await promote({ evaluationDatasetId: theirs });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors?.[0]?.message).not.toContain('their-rows');
    for (const [policy, versionId, field] of [
      // Not a metric evaluation reports at all.
      [{ evaluationDatasetId: evalId, metric: 'speed' }, v.good, 'policy.metric'],
      // A classification metric for regressors.
      [{ evaluationDatasetId: evalId, metric: 'accuracy' }, v.good, 'policy.metric'],
      // Two uploaded versions: no training target to default to.
      [{ evaluationDatasetId: evalId }, v.twoX, 'policy.evaluationTarget'],
      // A target the dataset does not have.
      [{ evaluationDatasetId: evalId, evaluationTarget: 'nope' }, v.good, 'target'],
    ] as const) {
      const res = await promote(policy, versionId);
      expect(res.errors?.[0]?.extensions, JSON.stringify(policy)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
    expect(await count()).toBe(before);
    expect(await routesOf(api, 'gate-refusals')).toEqual([{ versionId: v.threeX, weight: 100 }]);
  });
});

describe('the evaluation gate across API restarts and replicas', () => {
  let first: ApiProcess | null = null;
  const replicas: ApiProcess[] = [];
  let worker: ReturnType<typeof startWorker> | null = null;
  afterAll(async () => {
    await worker?.stop();
    for (const r of replicas) await r.stop();
    await first?.stop();
  });

  it('an API restarted while EVALUATING picks the stored job up; two replicas judge it once; a cancelled job refuses', async () => {
    const env = { PROMOTION_TICK_INTERVAL_MS: '200' };
    first = await startApiProcess(env);
    const api = first;
    const modelId = (
      await gqlOk(
        api,
        `mutation { createModel(input: { name: "gate-restart", task: REGRESSION }) { id } }`,
      )
    ).createModel.id;
    const twoX = await uploadLinear(api, 'gate-restart', 2);
    const threeX = await uploadLinear(api, 'gate-restart', 3);
    const evalId = await createDataset(
      api,
      'restart-eval',
      csvOf(EVAL_X, (_, i) => EVAL_Y[i] as number),
    );
    await deploy(api, 'restart-a', modelId, twoX);
    await deploy(api, 'restart-b', modelId, twoX);
    const policy = { evaluationDatasetId: evalId, evaluationTarget: 'y', steps: QUICK_STEPS };
    // No worker yet: both evaluations stay QUEUED, both promotions EVALUATING.
    const a = (
      await gqlOk(api, PROMOTE, { i: { deployment: 'restart-a', versionId: threeX, policy } })
    ).promote;
    const b = (
      await gqlOk(api, PROMOTE, { i: { deployment: 'restart-b', versionId: threeX, policy } })
    ).promote;
    expect([a.status, b.status]).toEqual(['EVALUATING', 'EVALUATING']);
    await new Promise((r) => setTimeout(r, 600)); // a few ticks with nothing to judge
    expect((await gqlOk(api, GET, { id: a.id })).promotion.status).toBe('EVALUATING');
    // b's evaluation is cancelled: the gate refuses with the job's reason.
    await gqlOk(api, `mutation($id: ID!) { cancelEvaluationJob(id: $id) { status } }`, {
      id: b.evaluation.id,
    });
    const refused = await until(api, b.id, ['REFUSED']);
    expect(refused.reason).toMatch(/^The evaluation failed: .*CANCELLED/);
    expect(await routesOf(api, 'restart-b')).toEqual([{ versionId: twoX, weight: 100 }]);

    // The API dies while a is EVALUATING; two new replicas come up on the same database.
    first.child.kill('SIGKILL');
    await new Promise<void>((r) => (first?.alive() ? first.child.once('exit', () => r()) : r()));
    for (let i = 0; i < 2; i++)
      replicas.push(
        await startApiProcess(env, { databaseUrl: first.databaseUrl, adminKey: first.adminKey }),
      );
    const replica = replicas[0] as ApiProcess;
    expect((await gqlOk(replica, GET, { id: a.id })).promotion.status).toBe('EVALUATING');
    worker = startWorker(first.databaseUrl);
    const done = await until(replica, a.id, ['COMPLETED', 'REFUSED', 'ROLLED_BACK']);
    expect(done.status, done.reason).toBe('COMPLETED');
    expect(done.evaluation.results[1].metrics.rmse).toBeCloseTo(
      rmse(
        EVAL_X.map((x) => 3 * x),
        EVAL_Y,
      ),
      5,
    );
    expect(await routesOf(replica, 'restart-a')).toEqual([{ versionId: threeX, weight: 100 }]);
    // Judged once, by one replica: one gate verdict, each step started once.
    const audited = await gqlOk(
      replica,
      `query($id: ID!) { auditEvents(filter: { targetId: $id }, first: 100) { edges { node { action details } } } }`,
      { id: a.id },
    );
    const rows: { action: string; details: any }[] = audited.auditEvents.edges.map(
      (e: any) => e.node,
    );
    expect(rows.filter((r) => r.action === 'promotion.evaluated')).toHaveLength(1);
    expect(
      rows.filter((r) => r.action === 'promotion.step' && r.details.event === 'started'),
    ).toHaveLength(2);
  });
});
