// Evaluation jobs through the public API and a real worker process: versions scored on the same
// rows, metrics against a closed form computed here from the same rows, confusion matrices against
// the served predictions, permutation importance, and the refusals.
import { GraphBuilder, buildLinearModel } from '@maas/onnx';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { startWorker } from './worker-process';

const JOB = `id status target features error createdAt finishedAt comparison
  dataset { id } versions { id version }
  results { version { id version } metrics details }`;

let api: TestApi;
let worker: ReturnType<typeof startWorker> | null = null;
let otherKey: string;

// y = 2·x1 + 0.5·x3 + 1 + noise; x2 is irrelevant. Values are multiples of 1/8 (exact in float32).
const ROWS = 400;
const data = Array.from({ length: ROWS }, (_, i) => {
  const x1 = ((i * 37) % 41) / 8 - 2.5;
  const x2 = ((i * 11) % 23) / 8 - 1.375;
  const x3 = ((i * 7) % 17) / 8 - 1;
  const noise = (((i * 13) % 9) - 4) / 8;
  return { x1, x2, x3, y: 2 * x1 + 0.5 * x3 + 1 + noise, label: x1 + 0.25 * x3 > 0 ? 'hi' : 'lo' };
});
// Two rows without a target: left out of every version's rows.
const csv =
  'x1,x2,x3,y,label\n' +
  data.map((r) => `${r.x1},${r.x2},${r.x3},${r.y},${r.label}`).join('\n') +
  '\n0.5,0.5,0.5,,\n0.25,0.25,0.25,,\n';

/** An uploaded version's prediction: the closed form of its weights (float32 Gemm, tolerance below). */
const modelA = (r: (typeof data)[number]) => 2 * r.x1 + 0 * r.x2 + 0.3 * r.x3 + 1;
const modelB = (r: (typeof data)[number]) => 1.5 * r.x1 + 0.2 * r.x2 - 0.5;

function regressionOracle(predicted: number[], actual: number[]) {
  const n = actual.length;
  const errors = predicted.map((p, i) => p - (actual[i] as number));
  const mse = errors.reduce((s, e) => s + e * e, 0) / n;
  const mean = actual.reduce((s, y) => s + y, 0) / n;
  const sst = actual.reduce((s, y) => s + (y - mean) ** 2, 0);
  const sorted = [...errors].sort((a, b) => a - b);
  const q = (p: number) => {
    const at = (n - 1) * p;
    const lo = Math.floor(at);
    return (
      (sorted[lo] as number) +
      ((sorted[Math.ceil(at)] as number) - (sorted[lo] as number)) * (at - lo)
    );
  };
  const errMean = errors.reduce((s, e) => s + e, 0) / n;
  return {
    metrics: {
      mse,
      rmse: Math.sqrt(mse),
      mae: errors.reduce((s, e) => s + Math.abs(e), 0) / n,
      r2: 1 - (mse * n) / sst,
    },
    residuals: {
      mean: errMean,
      std: Math.sqrt(errors.reduce((s, e) => s + (e - errMean) ** 2, 0) / n),
      min: sorted[0],
      p05: q(0.05),
      p25: q(0.25),
      p50: q(0.5),
      p75: q(0.75),
      p95: q(0.95),
      max: sorted[n - 1],
    },
  };
}

function expectClose(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
  digits = 4,
) {
  for (const [key, value] of Object.entries(expected))
    expect(actual[key] as number, key).toBeCloseTo(value as number, digits);
}

async function gqlOk(query: string, variables?: Record<string, unknown>, key?: string) {
  const res = await api.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}

async function createDataset(name: string, text: string, key?: string): Promise<string> {
  const data = await gqlOk(
    `mutation($n: String!, $c: String!) { createDataset(name: $n, csv: $c) { id } }`,
    { n: name, c: text },
    key,
  );
  return data.createDataset.id;
}

async function upload(model: string, bytes: Uint8Array, key?: string): Promise<string> {
  const res = await api.upload(model, bytes, key);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const version = await gqlOk(
    `query($n: String!) { model(name: $n) { latestVersion { id } } }`,
    { n: model },
    key,
  );
  return version.model.latestVersion.id;
}

const start = (input: Record<string, unknown>, key?: string) =>
  api.gql(
    `mutation($i: StartEvaluationJobInput!) { startEvaluationJob(input: $i) { ${JOB} } }`,
    { i: input },
    key,
  );

async function waitFor(id: string, key?: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const data = await gqlOk(`query($id: ID!) { evaluationJob(id: $id) { ${JOB} } }`, { id }, key);
    const job = data.evaluationJob;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`evaluation job ${id} did not finish`);
}

let datasetId: string;
let versionA: string;
let versionB: string;
let modelId: string;

beforeAll(async () => {
  api = await startTestApi();
  const created = await gqlOk(
    `mutation { createModel(input: { name: "eval", task: REGRESSION }) { id } }`,
  );
  modelId = created.createModel.id;
  versionA = await upload(
    'eval',
    buildLinearModel({
      weights: [[2, 0, 0.3]],
      bias: [1],
      tabular: { features: ['x1', 'x2', 'x3'] },
    }),
  );
  // The same features in another order: each version is fed its own column order.
  versionB = await upload(
    'eval',
    buildLinearModel({
      weights: [[0.2, 0, 1.5]],
      bias: [-0.5],
      tabular: { features: ['x2', 'x3', 'x1'] },
    }),
  );
  datasetId = await createDataset('eval-rows', csv);
  const ws = await gqlOk(`mutation { createWorkspace(name: "eval-other") { id } }`);
  otherKey = await api.createKey('ADMIN', ws.createWorkspace.id);
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('startEvaluationJob refuses what does not fit', () => {
  it('bounds the versions: none, more than 10, or one twice', async () => {
    for (const versionIds of [
      [],
      Array.from({ length: 11 }, () => randomUUID()),
      [versionA, versionA],
    ]) {
      const res = await start({ versionIds, datasetId, target: 'y' });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
    }
  });

  it("answers NOT_FOUND for another tenant's dataset and versions, and hides its jobs", async () => {
    const theirDataset = await createDataset('theirs', csv, otherKey);
    const res = await start({ versionIds: [versionA], datasetId: theirDataset, target: 'y' });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const mine = await start(
      { versionIds: [versionA], datasetId: theirDataset, target: 'y' },
      otherKey,
    );
    expect(mine.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const theirs = await start({ versionIds: [versionA], datasetId, target: 'y' }, otherKey);
    expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a missing target, a feature as target, a categorical target for regressors', async () => {
    for (const target of ['nope', 'x1', 'label']) {
      const res = await start({ versionIds: [versionA, versionB], datasetId, target });
      expect(res.errors?.[0]?.extensions?.code, target).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe('target');
    }
  });

  it('refuses versions that do not share their features, or belong to another model', async () => {
    const narrow = await upload(
      'eval',
      buildLinearModel({ weights: [[1, 1]], bias: [0], tabular: { features: ['x1', 'x2'] } }),
    );
    const res = await start({ versionIds: [versionA, narrow], datasetId, target: 'y' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/share their features/);
    await gqlOk(`mutation { createModel(input: { name: "eval-2" }) { id } }`);
    const other = await upload(
      'eval-2',
      buildLinearModel({
        weights: [[1, 1, 1]],
        bias: [0],
        tabular: { features: ['x1', 'x2', 'x3'] },
      }),
    );
    const mixed = await start({ versionIds: [versionA, other], datasetId, target: 'y' });
    expect(mixed.errors?.[0]?.message).toMatch(/one model/);
    const raw = await upload('eval-2', buildLinearModel({ weights: [[1, 1, 1]], bias: [0] }));
    const untabular = await start({ versionIds: [raw], datasetId, target: 'y' });
    expect(untabular.errors?.[0]?.message).toMatch(/not a tabular model/);
  });

  it('needs the EDITOR role', async () => {
    const viewer = await api.createKey('VIEWER');
    const res = await start({ versionIds: [versionA], datasetId, target: 'y' }, viewer);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('cancels a queued job (no worker yet): CANCELLED, no results, audited', async () => {
    const res = await start({ versionIds: [versionA], datasetId, target: 'y' });
    expect(res.errors).toBeUndefined();
    const id = res.data.startEvaluationJob.id;
    expect(res.data.startEvaluationJob.status).toBe('QUEUED');
    // Not a training job: the training API does not see it.
    const asTraining = await api.gql(`query($id: ID!) { trainingJob(id: $id) { id } }`, { id });
    expect(asTraining.data.trainingJob).toBeNull();
    const cancelled = await gqlOk(
      `mutation($id: ID!) { cancelEvaluationJob(id: $id) { status results { metrics } } }`,
      { id },
    );
    expect(cancelled.cancelEvaluationJob).toEqual({ status: 'CANCELLED', results: [] });
    const again = await api.gql(`mutation($id: ID!) { cancelEvaluationJob(id: $id) { status } }`, {
      id,
    });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const audit = await api.server.services.db.query<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((a) => a.action)).toEqual(['evaluationJob.start', 'evaluationJob.cancel']);
  });
});

const ensureWorker = () => {
  worker ??= startWorker(api.server.services.config.DATABASE_URL);
};

describe('evaluation jobs on a real worker', () => {
  beforeAll(ensureWorker);

  it('scores two uploaded versions on the same rows: metrics and residuals in closed form, the comparison, importance', async () => {
    const res = await start({ versionIds: [versionA, versionB], datasetId, target: 'y' });
    expect(res.errors).toBeUndefined();
    const job = await waitFor(res.data.startEvaluationJob.id);
    expect(job.status, job.error).toBe('SUCCEEDED');
    expect(job.results.map((r: any) => r.version.id)).toEqual([versionA, versionB]);
    const actual = data.map((r) => r.y);
    for (const [i, model] of [modelA, modelB].entries()) {
      const oracle = regressionOracle(data.map(model), actual);
      const result = job.results[i];
      expect(result.details.rows).toBe(ROWS);
      expectClose(result.metrics, oracle.metrics);
      expectClose(result.details.residuals, oracle.residuals);
    }
    // The comparison: each version against the first.
    const [a, b] = job.results;
    expect(job.comparison.baselineVersionId).toBe(versionA);
    expect(job.comparison.versions[1].delta.rmse).toBeCloseTo(b.metrics.rmse - a.metrics.rmse, 9);
    expect(job.comparison.versions[1].worseBy.r2).toBeCloseTo(a.metrics.r2 - b.metrics.r2, 9);
    expect(job.comparison.best.rmse).toBe(a.metrics.rmse < b.metrics.rmse ? versionA : versionB);
    // The service other modules call (guarded promotion, retraining): the champion is the first.
    const viewer = await gqlOk(`{ viewer { workspace { id } } }`);
    const verdict = await api.server.services.evaluation.verdict(
      viewer.viewer.workspace.id,
      job.id,
      'rmse',
      0,
    );
    expect(verdict).toEqual({
      outcome: b.metrics.rmse - a.metrics.rmse <= 0 ? 'PASSED' : 'FAILED',
      champion: a.metrics.rmse,
      candidate: b.metrics.rmse,
      worseBy: b.metrics.rmse - a.metrics.rmse,
    });

    // Permutation importance of A: x1 dominates, x2 (weight 0) is exactly 0. For a linear model
    // shuffling x_j adds about 2·w_j²·Var(x_j) to the MSE.
    const importance = a.details.featureImportance as { feature: string; importance: number }[];
    expect(importance.map((f) => f.feature)).toEqual(['x1', 'x3', 'x2']);
    expect(importance[2]?.importance).toBe(0);
    const x1 = data.map((r) => r.x1);
    const mean = x1.reduce((s, v) => s + v, 0) / ROWS;
    const variance = x1.reduce((s, v) => s + (v - mean) ** 2, 0) / ROWS;
    expect(importance[0]?.importance).toBeGreaterThan(0.75 * 2 * 4 * variance);
    expect(importance[0]?.importance).toBeLessThan(1.25 * 2 * 4 * variance);
    // An uploaded version now carries it.
    const version = await gqlOk(
      `query($n: String!) { model(name: $n) { versions { edges { node { id featureImportance { feature importance } } } } } }`,
      { n: 'eval' },
    );
    const stored = version.model.versions.edges
      .map((e: any) => e.node)
      .find((v: any) => v.id === versionA);
    expect(stored.featureImportance).toEqual(importance);

    const audit = await api.server.services.db.query<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`,
      [job.id],
    );
    expect(audit.map((r) => r.action)).toEqual(['evaluationJob.start', 'evaluationJob.finish']);
  });

  it('scores a trained version with an uploaded one; the trained version has importance from its validation split', async () => {
    const started = await gqlOk(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId,
          algorithm: 'LINEAR_REGRESSION',
          target: 'y',
          features: ['x1', 'x2', 'x3'],
        },
      },
    );
    let trained: any = null;
    for (let i = 0; i < 600 && !trained; i++) {
      const d = await gqlOk(
        `query($id: ID!) { trainingJob(id: $id) { status error resultVersion { id featureImportance { feature importance } } } }`,
        { id: started.startTrainingJob.id },
      );
      if (d.trainingJob.status === 'FAILED') throw new Error(d.trainingJob.error);
      trained = d.trainingJob.resultVersion;
      if (!trained) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(trained.featureImportance.map((f: any) => f.feature)[0]).toBe('x1');
    expect(trained.featureImportance.length).toBe(3);

    const res = await start({ versionIds: [trained.id, versionA], datasetId, target: 'y' });
    const job = await waitFor(res.data.startEvaluationJob.id);
    expect(job.status, job.error).toBe('SUCCEEDED');
    // The oracle for the trained version: its predictions as served, for the same rows.
    const served = await gqlOk(
      `query($n: String!) { model(name: $n) { versions { edges { node { id version } } } } }`,
      { n: 'eval' },
    );
    const trainedNumber = served.model.versions.edges
      .map((e: any) => e.node)
      .find((v: any) => v.id === trained.id).version;
    const out = await gqlOk(`query($i: PredictInput!) { predict(input: $i) { outputs } }`, {
      i: {
        model: 'eval',
        version: trainedNumber,
        records: data.map(({ x1, x2, x3 }) => ({ x1, x2, x3 })),
      },
    });
    const oracle = regressionOracle(
      out.predict.outputs.predictions,
      data.map((r) => r.y),
    );
    expectClose(job.results[0].metrics, oracle.metrics);
    expectClose(
      job.results[1].metrics,
      regressionOracle(
        data.map(modelA),
        data.map((r) => r.y),
      ).metrics,
    );
    // A trained version keeps the importance of its validation split.
    const after = await gqlOk(
      `query($id: ID!) { evaluationJob(id: $id) { versions { id featureImportance { feature importance } } } }`,
      { id: job.id },
    );
    expect(after.evaluationJob.versions[0].featureImportance).toEqual(trained.featureImportance);
  });

  it('counts a confusion matrix for a classifier, equal to the served predictions', async () => {
    const created = await gqlOk(
      `mutation { createModel(input: { name: "eval-cls", task: BINARY_CLASSIFICATION }) { id } }`,
    );
    const started = await gqlOk(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId: created.createModel.id,
          datasetId,
          algorithm: 'LOGISTIC_REGRESSION',
          target: 'label',
          features: ['x1', 'x2', 'x3'],
          hyperparameters: { epochs: 5 },
        },
      },
    );
    let versionId: string | null = null;
    for (let i = 0; i < 600 && !versionId; i++) {
      const d = await gqlOk(
        `query($id: ID!) { trainingJob(id: $id) { status error resultVersion { id } } }`,
        {
          id: started.startTrainingJob.id,
        },
      );
      if (d.trainingJob.status === 'FAILED') throw new Error(d.trainingJob.error);
      versionId = d.trainingJob.resultVersion?.id ?? null;
      if (!versionId) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const res = await start({ versionIds: [versionId], datasetId, target: 'label' });
    const job = await waitFor(res.data.startEvaluationJob.id);
    expect(job.status, job.error).toBe('SUCCEEDED');
    const out = await gqlOk(`query($i: PredictInput!) { predict(input: $i) { outputs } }`, {
      i: { model: 'eval-cls', records: data.map(({ x1, x2, x3 }) => ({ x1, x2, x3 })) },
    });
    const labels: string[] = job.results[0].details.labels;
    expect(labels).toEqual(['hi', 'lo']);
    const matrix = labels.map(() => labels.map(() => 0));
    const predictions: string[] = out.predict.outputs.predictions;
    const probabilities: Record<string, number>[] = out.predict.outputs.probabilities;
    let logLoss = 0;
    predictions.forEach((p, r) => {
      const actual = data[r]?.label as string;
      const row = matrix[labels.indexOf(actual)] as number[];
      row[labels.indexOf(p)] = (row[labels.indexOf(p)] ?? 0) + 1;
      logLoss -= Math.log(Math.max(1e-15, probabilities[r]?.[actual] as number));
    });
    expect(job.results[0].details.confusionMatrix).toEqual(matrix);
    const cell = (a: number, p: number) => matrix[a]?.[p] ?? Number.NaN;
    expect(job.results[0].metrics.accuracy).toBeCloseTo((cell(0, 0) + cell(1, 1)) / ROWS, 9);
    expect(job.results[0].metrics.logLoss).toBeCloseTo(logLoss / ROWS, 4);
    // Positive class: labels[1].
    const tp = cell(1, 1);
    expect(job.results[0].metrics.precision).toBeCloseTo(tp / (cell(0, 1) + tp), 9);
    expect(job.results[0].metrics.recall).toBeCloseTo(tp / (cell(1, 0) + tp), 9);
  });
});

describe('cancelling a running evaluation', () => {
  beforeAll(ensureWorker);

  it('stops it within seconds, without waiting for the model run in progress', async () => {
    // A tabular model whose run takes seconds: a Loop adding 1 to its input 3·10^7 times (a minute or more).
    const body = new GraphBuilder({ graphName: 'body' });
    body.addInput('i', 'INT64', []).addInput('cond', 'BOOL', []).addInput('v', 'FP32', [-1, 1]);
    body.addInitializer('one', 'FP32', [], [1]);
    body.addNode('Identity', ['cond'], ['cond_out']).addNode('Add', ['v', 'one'], ['v_out']);
    body.addOutput('cond_out', 'BOOL', []).addOutput('v_out', 'FP32', [-1, 1]);
    const g = new GraphBuilder();
    g.addInput('input', 'FP32', [-1, 1]);
    g.addInitializer('trips', 'INT64', [], [30_000_000n]);
    g.addInitializer('keep_going', 'BOOL', [], [true]);
    g.addNode('Loop', ['trips', 'keep_going', 'input'], ['prediction'], { body: { graph: body } });
    g.addOutput('prediction', 'FP32', [-1, 1]);
    g.setTabularMetadata({ features: ['x1'] });
    await gqlOk(`mutation { createModel(input: { name: "eval-slow" }) { id } }`);
    const slow = await upload('eval-slow', g.toBytes());
    const res = await start({ versionIds: [slow], datasetId, target: 'y' });
    const id = res.data.startEvaluationJob.id;
    let status = 'QUEUED';
    for (let i = 0; i < 400 && status !== 'RUNNING'; i++) {
      const d = await gqlOk(`query($id: ID!) { evaluationJob(id: $id) { status } }`, { id });
      status = d.evaluationJob.status;
      if (status !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('RUNNING');
    // Let the model run begin.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const asked = Date.now();
    const cancelled = await gqlOk(
      `mutation($id: ID!) { cancelEvaluationJob(id: $id) { status } }`,
      {
        id,
      },
    );
    expect(cancelled.cancelEvaluationJob.status).toBe('RUNNING');
    const job = await waitFor(id);
    expect(job.status).toBe('CANCELLED');
    expect(job.results).toEqual([]);
    expect(Date.now() - asked).toBeLessThan(2_500);
  });
});
