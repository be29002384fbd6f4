// Issue 12, item 2: monitoring and drift through the real API, a real PostgreSQL and a real
// training worker. A linear model is trained on y = 3x + noise; one deployment then serves inputs
// from the training distribution, another inputs shifted away from it, with feedback from
// y = 4x + noise. The PSI and the online metrics are recomputed here, in closed form, from the
// training profile's bins and from what the test sent and got back.
import { MONITORING_ALERTS_CHANNEL, TRAINING_EVENTS_CHANNEL } from '@maas/db';
import { buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, sweepRetention, waitForTrainingJob, type TestApi } from './api-harness';
import { startWorker } from './worker-process';
import { collect, wsClient } from './ws-client';

let api: TestApi;
let worker: ReturnType<typeof startWorker>;
let viewerKey: string;
let otherTenantKey: string;
let workspaceId: string;
let modelId: string;
let versionId: string;
let datasetId: string;
const deploymentIds: Record<string, string> = {};

/** A seeded uniform generator (LCG), so the data are the same on every run. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const TRAINING_ROWS = 400;
const random = uniform(7);
// c (red or blue, half each) is a categorical feature the target does not depend on.
const trainingCsv = ['x,c,y'];
for (let i = 0; i < TRAINING_ROWS; i++) {
  const x = random();
  const c = random() < 0.5 ? 'red' : 'blue';
  trainingCsv.push(`${x},${c},${3 * x + 0.05 * (random() - 0.5)}`);
}

/** Sent records: x and c per prediction (20 records each), and what came back. */
interface Sent {
  predictionId: string;
  xs: number[];
  cs: string[];
  predictions: number[];
}

const MONITORING = `query($n: String!, $w: Int, $b: Int) {
  deploymentMonitoring(name: $n, windowSeconds: $w, bucketSeconds: $b) {
    windowSeconds bucketSeconds sampled deployment { name }
    buckets { start version { id } requests errors latencyP50Ms latencyP99Ms feedbackCount
              onlineMetrics inputDrift { feature psi } predictionDrift driftSamples }
    alerts { id kind feature message value threshold at resolvedAt deployment { name } }
  }
}`;
const THRESHOLDS = `mutation($n: String!, $t: MonitoringThresholdsInput!) {
  setMonitoringThresholds(name: $n, thresholds: $t) {
    name monitoringThresholds { windowSeconds minSamples maxInputDrift maxErrorRate }
  }
}`;

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await api.gql<T>(query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

async function deploy(name: string, version = versionId, model = modelId): Promise<void> {
  const data = await ok(
    `mutation($n: String!, $m: ID!, $v: ID!) { createDeployment(input: { name: $n, modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
    { n: name, m: model, v: version },
  );
  deploymentIds[name] = data.createDeployment.id;
}

async function send(
  name: string,
  predictions: number,
  x: () => number,
  c: () => string = () => 'red',
): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let p = 0; p < predictions; p++) {
    const xs = Array.from({ length: 20 }, x);
    const cs = Array.from({ length: 20 }, c);
    const data = await ok(`query($i: PredictInput!) { predict(input: $i) { id outputs } }`, {
      i: { model: name, records: xs.map((v, r) => ({ x: v, c: cs[r] })) },
    });
    sent.push({
      predictionId: data.predict.id,
      xs,
      cs,
      predictions: data.predict.outputs.predictions,
    });
  }
  return sent;
}

/** The same as a tabular tensor (rows of [x, index of c]), as `inputs` rather than `records`. */
async function sendTensor(name: string, predictions: number, x: () => number): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let p = 0; p < predictions; p++) {
    const xs = Array.from({ length: 20 }, x);
    const data = await ok(`query($i: PredictInput!) { predict(input: $i) { id outputs } }`, {
      i: { model: name, inputs: { input: xs.map((v) => [v, 1]) } },
    });
    sent.push({
      predictionId: data.predict.id,
      xs,
      cs: xs.map(() => CATEGORIES[1] as string),
      predictions: data.predict.outputs.prediction.map((row: number[]) => row[0]),
    });
  }
  return sent;
}

interface StoredProfile {
  rows: number;
  features: {
    feature: string;
    kind: string;
    edges: number[];
    categories: string[];
    counts: number[];
  }[];
  prediction: { kind: string; edges: number[]; counts: number[] } | null;
}

async function profileOf(id: string): Promise<StoredProfile> {
  const [row] = await api.server.services.db.query<{ training_profile: StoredProfile }[]>(
    'SELECT training_profile FROM model_versions WHERE id = $1',
    [id],
  );
  if (!row?.training_profile) throw new Error(`version ${id} has no training profile`);
  return row.training_profile;
}

// The oracle: bins (a value's bin is the number of edges at or below its float32 value) and the
// PSI Σ (o − r)·ln(o/r) with shares below 1e-4 taken as 1e-4, written out here again.
function counts(edges: number[], values: number[]): number[] {
  const c = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    const x = Math.fround(v);
    const bin = edges.filter((e) => e <= x).length;
    c[bin] = (c[bin] as number) + 1;
  }
  return c;
}
function categoryCounts(categories: string[], values: string[]): number[] {
  return categories.map((c) => values.filter((v) => v === c).length);
}
/** The training categories of c, sorted as the dataset stores them. */
const CATEGORIES = ['blue', 'red'];
function psi(reference: number[], observed: number[]): number {
  const r = reference.reduce((a, b) => a + b, 0);
  const o = observed.reduce((a, b) => a + b, 0);
  let sum = 0;
  reference.forEach((ref, i) => {
    const rs = Math.max(ref / r, 1e-4);
    const os = Math.max((observed[i] as number) / o, 1e-4);
    sum += (os - rs) * Math.log(os / rs);
  });
  return sum;
}

/** The bucket (start, ms) each sent prediction was logged in, read from the log itself. */
async function loggedBuckets(sent: Sent[], bucketSeconds: number): Promise<Map<string, number>> {
  const rows = await api.server.services.db.query<{ id: string; b: string }[]>(
    `SELECT id, (floor(extract(epoch FROM created_at) / $2) * $2 * 1000)::text AS b
       FROM prediction_log WHERE id = ANY($1::uuid[])`,
    [sent.map((s) => s.predictionId), bucketSeconds],
  );
  return new Map(rows.map((r) => [r.id, Number(r.b)]));
}

/** mon-b's alerts, open ones first. */
async function alertRows(): Promise<{ kind: string; feature: string; open: boolean }[]> {
  return api.server.services.db.query(
    `SELECT kind, feature, resolved_at IS NULL AS open FROM monitoring_alerts
      WHERE deployment_id = $1 ORDER BY resolved_at IS NULL DESC, at`,
    [deploymentIds['mon-b']],
  );
}

async function flushed(): Promise<void> {
  // The prediction log (every second) and the serving stats (every 2 s) are written in batches.
  await new Promise((r) => setTimeout(r, 2500));
}

let inDistribution: Sent[];
let shifted: Sent[];
let tensor: Sent[];
const actuals = new Map<string, number[]>();

beforeAll(async () => {
  api = await startTestApi({
    PREDICTION_LOG_SAMPLE_RATE: '1',
    MONITORING_CHECK_INTERVAL_MS: '200',
  });
  worker = startWorker(api.server.services.config.DATABASE_URL);
  viewerKey = await api.createKey('VIEWER');
  const ws = await api.gql(`mutation { createWorkspace(name: "monitoring-other") { id } }`);
  otherTenantKey = await api.createKey('ADMIN', ws.data.createWorkspace.id);
  workspaceId = (await ok(`{ viewer { workspace { id } } }`)).viewer.workspace.id;

  modelId = (await ok(`mutation { createModel(input: { name: "mon", task: REGRESSION }) { id } }`))
    .createModel.id;
  datasetId = (
    await ok(`mutation($c: String!) { createDataset(name: "mon-train", csv: $c) { id } }`, {
      c: trainingCsv.join('\n'),
    })
  ).createDataset.id;
  const job = await ok(
    `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
    {
      i: { modelId, datasetId, algorithm: 'LINEAR_REGRESSION', target: 'y', features: ['x', 'c'] },
    },
  );
  versionId = (
    await waitForTrainingJob(api, job.startTrainingJob.id, {
      context: () => worker.output.join(''),
    })
  ).resultVersion.id;
  await deploy('mon-a');
  await deploy('mon-b');
  await deploy('mon-t');

  const a = uniform(11);
  const b = uniform(12);
  const half = (r: () => number) => () => (r() < 0.5 ? 'red' : 'blue');
  inDistribution = await send('mon-a', 15, a, half(uniform(14)));
  // Shifted: x from 0.6..1.6, mostly beyond the training range; c keeps its training mix.
  shifted = await send('mon-b', 15, () => 0.6 + b(), half(uniform(15)));
  tensor = await sendTensor('mon-t', 6, uniform(16));
  // Feedback from y = 4x + noise on every shifted record (one batch).
  const noise = uniform(13);
  const items = [...shifted, ...tensor].flatMap((s) =>
    s.xs.map((x, record) => {
      const actual = 4 * x + 0.1 * (noise() - 0.5);
      const list = actuals.get(s.predictionId) ?? [];
      list.push(actual);
      actuals.set(s.predictionId, list);
      return { predictionId: s.predictionId, record, actual };
    }),
  );
  const res = await fetch(`${api.url}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
    body: JSON.stringify(items),
  });
  expect(res.status).toBeLessThan(300);
  await flushed();
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('the training profile', () => {
  it('is recorded with the trained version: 10 quantile bins of x and of the predictions', async () => {
    const profile = await profileOf(versionId);
    const [x, c] = profile.features;
    expect(c).toMatchObject({ feature: 'c', kind: 'categorical', categories: CATEGORIES });
    expect(c?.counts.reduce((a, b) => a + b, 0)).toBe(profile.rows);
    expect(x?.feature).toBe('x');
    expect(x?.kind).toBe('numeric');
    expect(x?.edges).toHaveLength(9);
    expect(profile.rows).toBeGreaterThan(0);
    expect(x?.counts.reduce((a, b) => a + b, 0)).toBe(profile.rows);
    // Quantile bins: every bin holds about a tenth of the rows.
    for (const c of x?.counts ?? []) expect(Math.abs(c - profile.rows / 10)).toBeLessThanOrEqual(2);
    // The predictions of y ≈ 3x: their edges are ≈ 3 × x's edges.
    const p = profile.prediction;
    expect(p?.kind).toBe('numeric');
    p?.edges.forEach((e, i) => expect(e).toBeCloseTo(3 * (x?.edges[i] as number), 1));
  });
});

describe('deploymentMonitoring', () => {
  it('measures PSI near 0 in distribution and large when shifted, equal to the closed form', async () => {
    const profile = await profileOf(versionId);
    const [x, c] = profile.features;
    const p = profile.prediction;
    if (!x || !c || !p) throw new Error('profile incomplete');
    for (const [name, sent] of [
      ['mon-a', inDistribution],
      ['mon-b', shifted],
      ['mon-t', tensor],
    ] as const) {
      // Over the whole window (the reader retraining uses): the larger of the two features.
      const all = sent.flatMap((s) => s.xs);
      const expected = Math.max(
        psi(x.counts, counts(x.edges, all)),
        psi(
          c.counts,
          categoryCounts(
            c.categories,
            sent.flatMap((s) => s.cs),
          ),
        ),
      );
      const measured = await api.server.services.monitoring.maxInputDrift(
        workspaceId,
        deploymentIds[name] as string,
        null,
      );
      expect(measured).toBeCloseTo(expected, 9);
      // Fewer logged records than asked for: unknown.
      const few = await api.server.services.monitoring.maxInputDrift(
        workspaceId,
        deploymentIds[name] as string,
        null,
        all.length + 1,
      );
      expect(few).toBeNull();
      if (name === 'mon-a') expect(expected).toBeLessThan(0.2);
      if (name === 'mon-b') expect(expected).toBeGreaterThan(2);

      // Per bucket: the records grouped by the bucket their prediction was logged in.
      const data = await ok(MONITORING, { n: name, w: 3600, b: 60 });
      const m = data.deploymentMonitoring;
      expect(m.deployment.name).toBe(name);
      expect(m.sampled).toBe(false);
      const starts = await loggedBuckets(sent, 60);
      const byBucket = new Map<number, Sent[]>();
      for (const s of sent) {
        const start = starts.get(s.predictionId) as number;
        byBucket.set(start, [...(byBucket.get(start) ?? []), s]);
      }
      // Every bucket of a logged prediction is listed; the serving stats are stamped when a
      // replica flushes them (within 2 s), so requests may fall in a bucket of their own.
      const listed = new Set(m.buckets.map((b: any) => new Date(b.start).getTime()));
      for (const start of byBucket.keys()) expect(listed.has(start)).toBe(true);
      let requests = 0;
      let binned = 0;
      for (const bucket of m.buckets) {
        expect(bucket.version.id).toBe(versionId);
        requests += bucket.requests;
        expect(bucket.errors).toBe(0);
        const mine = byBucket.get(new Date(bucket.start).getTime()) ?? [];
        const xs = mine.flatMap((s) => s.xs);
        expect(bucket.driftSamples).toBe(xs.length);
        binned += xs.length;
        if (mine.length === 0) {
          expect(bucket.inputDrift).toEqual([]);
          expect(bucket.predictionDrift).toBeNull();
          continue;
        }
        expect(bucket.inputDrift.map((d: any) => d.feature)).toEqual(['x', 'c']);
        expect(bucket.inputDrift[0].psi).toBeCloseTo(psi(x.counts, counts(x.edges, xs)), 9);
        const cs = mine.flatMap((s) => s.cs);
        expect(bucket.inputDrift[1].psi).toBeCloseTo(
          psi(c.counts, categoryCounts(c.categories, cs)),
          9,
        );
        const predicted = mine.flatMap((s) => s.predictions);
        expect(bucket.predictionDrift).toBeCloseTo(psi(p.counts, counts(p.edges, predicted)), 9);
      }
      expect(requests).toBe(sent.length);
      expect(binned).toBe(sent.length * 20);
    }
  });

  it('computes MAE and RMSE from feedback joined to the logged predictions', async () => {
    for (const [name, sent] of [
      ['mon-b', shifted],
      ['mon-t', tensor],
    ] as const)
      await checkOnlineMetrics(name, sent);
    // No feedback on mon-a: no online metrics there.
    const a = await ok(MONITORING, { n: 'mon-a', w: 3600, b: 60 });
    for (const bucket of a.deploymentMonitoring.buckets) {
      expect(bucket.feedbackCount).toBe(0);
      expect(bucket.onlineMetrics).toBeNull();
    }
  });

  async function checkOnlineMetrics(name: string, sent: Sent[]): Promise<void> {
    const data = await ok(MONITORING, { n: name, w: 3600, b: 60 });
    const starts = await loggedBuckets(sent, 60);
    let feedback = 0;
    for (const bucket of data.deploymentMonitoring.buckets) {
      const mine = sent.filter(
        (s) => starts.get(s.predictionId) === new Date(bucket.start).getTime(),
      );
      const errors = mine.flatMap((s) =>
        s.predictions.map((yHat, r) => yHat - (actuals.get(s.predictionId)?.[r] as number)),
      );
      expect(bucket.feedbackCount).toBe(errors.length);
      feedback += bucket.feedbackCount;
      if (errors.length === 0) {
        // A bucket of serving stats only (stamped at flush time): no feedback in it.
        expect(bucket.onlineMetrics).toBeNull();
        continue;
      }
      const mae = errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length;
      const rmse = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
      expect(bucket.onlineMetrics.mae).toBeCloseTo(mae, 9);
      expect(bucket.onlineMetrics.rmse).toBeCloseTo(rmse, 9);
      // y = 4x against a model of 3x: the error is about x, well above the noise.
      if (name === 'mon-b') expect(mae).toBeGreaterThan(0.5);
    }
    expect(feedback).toBe(sent.length * 20);
    // The whole window at once (what a promotion step reads), against every pair sent.
    const errors = sent.flatMap((s) =>
      s.predictions.map((yHat, r) => yHat - (actuals.get(s.predictionId)?.[r] as number)),
    );
    const whole = await api.server.services.monitoring.onlineMetrics(
      workspaceId,
      deploymentIds[name] as string,
      versionId,
      new Date(Date.now() - 3_600_000),
    );
    expect(whole?.mae).toBeCloseTo(errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length, 9);
    expect(whole?.rmse).toBeCloseTo(
      Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length),
      9,
    );
  }

  it('refuses bad windows and buckets, and another workspace’s deployment', async () => {
    for (const [w, b] of [
      [3600, 5],
      [3600, 86_401],
      [0, 60],
      [31 * 86_400, 86_400],
      [86_400, 60], // 1440 buckets
      [30, 60],
    ]) {
      const res = await api.gql(MONITORING, { n: 'mon-a', w, b });
      expect(res.errors?.[0]?.extensions?.code, `${w}/${b}`).toBe('BAD_USER_INPUT');
    }
    const other = await api.gql(MONITORING, { n: 'mon-a', w: 3600, b: 60 }, otherTenantKey);
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const viewer = await api.gql(MONITORING, { n: 'mon-a', w: 3600, b: 60 }, viewerKey);
    expect(viewer.errors).toBeUndefined();
  });
});

describe('monitoring thresholds and alerts', () => {
  it('raise exactly one alert when crossed, pushed on monitoringAlerts, and none within limits', async () => {
    const client = wsClient(api.url, api.adminKey);
    const pushed = collect(
      client,
      `subscription { monitoringAlerts(deployment: "mon-b") { id kind feature value threshold message deployment { name } } }`,
    );
    const quiet = collect(client, `subscription { monitoringAlerts(deployment: "mon-a") { id } }`);
    try {
      await new Promise((r) => setTimeout(r, 300)); // the subscriptions are listening
      const set = await ok(THRESHOLDS, { n: 'mon-b', t: { maxInputDrift: 0.5, minSamples: 10 } });
      expect(set.setMonitoringThresholds.monitoringThresholds).toEqual({
        windowSeconds: 3600,
        minSamples: 10,
        maxInputDrift: 0.5,
        maxErrorRate: null,
      });
      await ok(THRESHOLDS, { n: 'mon-a', t: { maxInputDrift: 0.5, minSamples: 10 } });
      const deadline = Date.now() + 10_000;
      while (pushed.results.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      // Several more checks (every 200 ms) while the drift stays above the limit.
      await new Promise((r) => setTimeout(r, 1500));
      expect(pushed.results).toHaveLength(1);
      const alert = pushed.results[0].monitoringAlerts;
      const expected = await api.server.services.monitoring.maxInputDrift(
        workspaceId,
        deploymentIds['mon-b'] as string,
        null,
      );
      expect(alert).toMatchObject({ kind: 'inputDrift', feature: 'x', threshold: 0.5 });
      expect(alert.deployment.name).toBe('mon-b');
      expect(alert.value).toBeCloseTo(expected as number, 9);
      expect(alert.message).toContain('"x"');
      expect(quiet.results).toHaveLength(0);

      const rows = await api.server.services.db.query<{ deployment_id: string; n: string }[]>(
        'SELECT deployment_id, count(*)::text AS n FROM monitoring_alerts GROUP BY deployment_id',
      );
      expect(rows).toEqual([{ deployment_id: deploymentIds['mon-b'], n: '1' }]);
      const listed = await ok(MONITORING, { n: 'mon-b', w: 3600, b: 60 });
      expect(listed.deploymentMonitoring.alerts.map((a: any) => a.id)).toEqual([alert.id]);
      expect(listed.deploymentMonitoring.alerts[0].resolvedAt).toBeNull();

      // The alert is on the model's timeline too.
      const timeline = await ok(
        `{ model(name: "mon") { timeline(first: 20) { kind message version { id } } } }`,
      );
      const events = timeline.model.timeline.filter((e: any) => e.kind.startsWith('monitoring.'));
      expect(events).toEqual([
        {
          kind: 'monitoring.inputDrift',
          message: `Deployment "mon-b": ${alert.message}`,
          version: { id: versionId },
        },
      ]);

      // An audit row per change, as every mutation writes.
      const audits = await api.server.services.db.query<{ n: string }[]>(
        `SELECT count(*)::text AS n FROM audit_events WHERE action = 'deployment.monitoring'`,
      );
      expect(audits[0]?.n).toBe('2');

      // Checks racing as on several replicas (every deployment due at once): still one alert.
      const raised = await Promise.all(
        Array.from({ length: 4 }, () => api.server.services.monitoring.check(0)),
      );
      expect(raised.reduce((a, b) => a + b, 0)).toBe(0);
      expect(await alertRows()).toEqual([{ kind: 'inputDrift', feature: 'x', open: true }]);

      // Back within a (raised) limit, the alert resolves; crossed again, a new one is raised.
      await ok(THRESHOLDS, { n: 'mon-b', t: { maxInputDrift: 1000, minSamples: 10 } });
      await api.server.services.monitoring.check(0);
      expect(await alertRows()).toEqual([{ kind: 'inputDrift', feature: 'x', open: false }]);
      await ok(THRESHOLDS, { n: 'mon-b', t: { maxInputDrift: 0.5, minSamples: 10 } });
      await api.server.services.monitoring.check(0);
      expect(await alertRows()).toEqual([
        { kind: 'inputDrift', feature: 'x', open: true },
        { kind: 'inputDrift', feature: 'x', open: false },
      ]);
      const deadline2 = Date.now() + 5000;
      while (pushed.results.length < 2 && Date.now() < deadline2)
        await new Promise((r) => setTimeout(r, 50));
      expect(pushed.results).toHaveLength(2);
    } finally {
      pushed.stop();
      quiet.stop();
      await client.dispose();
    }
  });

  it('refuses bad thresholds, VIEWER keys and another workspace, changing nothing', async () => {
    const before = await ok(
      `{ deployment(name: "mon-b") { monitoringThresholds { maxInputDrift maxErrorRate } } }`,
    );
    for (const t of [
      { maxErrorRate: 2 },
      { maxInputDrift: 0 },
      { maxInputDrift: -1 },
      { windowSeconds: 10, maxInputDrift: 1 },
      { minOnlineAccuracy: 1.5 },
      {},
    ]) {
      const res = await api.gql(THRESHOLDS, { n: 'mon-b', t });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(t)).toBe('BAD_USER_INPUT');
    }
    const viewer = await api.gql(THRESHOLDS, { n: 'mon-b', t: { maxInputDrift: 9 } }, viewerKey);
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await api.gql(
      THRESHOLDS,
      { n: 'mon-b', t: { maxInputDrift: 9 } },
      otherTenantKey,
    );
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const otherSub = wsClient(api.url, otherTenantKey);
    try {
      const refused = collect(
        otherSub,
        `subscription { monitoringAlerts(deployment: "mon-b") { id } }`,
      );
      await expect(refused.done).rejects.toThrow(/does not exist/);
    } finally {
      await otherSub.dispose();
    }
    const after = await ok(
      `{ deployment(name: "mon-b") { monitoringThresholds { maxInputDrift maxErrorRate } } }`,
    );
    expect(after).toEqual(before);
  });
});

describe('an uploaded model with a reference dataset', () => {
  it('measures input drift against the dataset named at deployment (no prediction drift)', async () => {
    const up = await api.upload(
      'mon',
      buildLinearModel({ weights: [[3]], bias: [0], tabular: { features: ['x'] } }),
    );
    expect(up.status).toBe(201);
    await deploy('mon-up', up.body.id);
    const before = await api.server.services.monitoring.maxInputDrift(
      workspaceId,
      deploymentIds['mon-up'] as string,
      null,
    );
    expect(before).toBeNull();
    const set = await ok(
      `mutation($n: String!, $d: ID) { setDeploymentReference(name: $n, datasetId: $d) { referenceDataset { id } } }`,
      { n: 'mon-up', d: datasetId },
    );
    expect(set.setDeploymentReference.referenceDataset.id).toBe(datasetId);
    const sent = await send('mon-up', 5, () => 0.6 + uniform(21)());
    await flushed();
    // The oracle: the dataset's x column in 10 quantile bins, computed here from the CSV.
    const xs = trainingCsv.slice(1).map((line) => Math.fround(Number(line.split(',')[0])));
    const sorted = [...xs].sort((a, b) => a - b);
    const edges: number[] = [];
    for (let i = 1; i < 10; i++) {
      const e = sorted[Math.floor((i * sorted.length) / 10)] as number;
      if (edges.length === 0 || e > (edges[edges.length - 1] as number)) edges.push(e);
    }
    const expected = psi(
      counts(edges, xs),
      counts(
        edges,
        sent.flatMap((s) => s.xs),
      ),
    );
    const measured = await api.server.services.monitoring.maxInputDrift(
      workspaceId,
      deploymentIds['mon-up'] as string,
      null,
    );
    expect(measured).toBeCloseTo(expected, 9);
    const data = await ok(MONITORING, { n: 'mon-up', w: 3600, b: 3600 });
    for (const bucket of data.deploymentMonitoring.buckets)
      expect(bucket.predictionDrift).toBeNull();

    const missing = await api.gql(
      `mutation($n: String!, $d: ID) { setDeploymentReference(name: $n, datasetId: $d) { name } }`,
      { n: 'mon-up', d: '00000000-0000-4000-8000-000000000000' },
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('retention of alerts', () => {
  it('deletes resolved alerts MONITORING_ALERT_RETENTION_DAYS after they resolved, never an open one', async () => {
    const db = api.server.services.db;
    const deployment = deploymentIds['mon-a'] as string;
    const insert = (kind: string, atDays: number, resolvedDays: number | null) =>
      db.query(
        `INSERT INTO monitoring_alerts (workspace_id, deployment_id, kind, feature, message, value,
           threshold, at, resolved_at)
         VALUES ($1, $2, $3, 'retention', 'test', 1, 0.5, now() - make_interval(days => $4),
           CASE WHEN $5::int IS NULL THEN NULL ELSE now() - make_interval(days => $5::int) END)
         RETURNING id`,
        [workspaceId, deployment, kind, atDays, resolvedDays],
      );
    await insert('errorRate', 200, 91); // resolved 91 days ago: past the 90-day default
    await insert('errorRate', 200, 89); // resolved 89 days ago: kept
    await insert('inputDrift', 200, null); // open for 200 days: kept
    await sweepRetention(api);
    const left = await db.query<{ kind: string; resolved: number | null }[]>(
      `SELECT kind, round(extract(epoch FROM now() - resolved_at) / 86400)::int AS resolved
         FROM monitoring_alerts WHERE deployment_id = $1 AND feature = 'retention'
        ORDER BY resolved NULLS LAST`,
      [deployment],
    );
    expect(left).toEqual([
      { kind: 'errorRate', resolved: 89 },
      { kind: 'inputDrift', resolved: null },
    ]);
  });
});

describe('subscriptions a client leaves', () => {
  it('stop listening at once, not at the next event (alerts, training jobs)', async () => {
    const bus = api.server.services.bus;
    const listeners = () =>
      bus.listenerCount(MONITORING_ALERTS_CHANNEL) + bus.listenerCount(TRAINING_EVENTS_CHANNEL);
    const waitFor = async (want: number) => {
      const deadline = Date.now() + 5000;
      while (listeners() !== want && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      return listeners();
    };
    const before = listeners();
    const client = wsClient(api.url, api.adminKey);
    const streams = [
      collect(client, `subscription { monitoringAlerts(deployment: "mon-a") { id } }`),
      collect(client, `subscription { monitoringAlerts(deployment: "mon-b") { id } }`),
      collect(client, `subscription { trainingJobsUpdated { id } }`),
    ];
    expect(await waitFor(before + 3)).toBe(before + 3);
    // One stream completed by its client, the others by the socket closing; no event is sent.
    streams[0]?.stop();
    expect(await waitFor(before + 2)).toBe(before + 2);
    await client.dispose();
    expect(await waitFor(before)).toBe(before);
    for (const s of streams) expect(s.results).toEqual([]);
  });
});
