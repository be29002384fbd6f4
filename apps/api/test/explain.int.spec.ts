// Issue 12, item 3: explanations of tabular predictions, through the real API, a real training
// worker and a real PostgreSQL. The oracles are independent of the explanation code: the served
// ONNX files run in onnxruntime here (probed for their raw coefficients) and the CSV's own means.
import { usageToday } from '@maas/db';
import { buildLinearModel } from '@maas/onnx';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, waitForTrainingJob, type TestApi } from './api-harness';
import { startWorker } from './worker-process';

let api: TestApi;
let worker: ReturnType<typeof startWorker>;
let otherTenantKey: string;

const COLOURS = ['red', 'green', 'blue'] as const;
type Row = { x1: number; x2: number; colour: string; y: number; label: string };
// 40 rows: fewer than the background sample's 50, so the background is the whole training split.
const ROWS: Row[] = Array.from({ length: 40 }, (_, i) => {
  const x1 = ((i * 37) % 40) / 10;
  const x2 = ((i * 13) % 17) / 4;
  const colour = COLOURS[(i * 7) % 3] as string;
  const effect = colour === 'red' ? 1 : colour === 'green' ? -0.5 : 0;
  const y = 3 + 2 * x1 - 1.5 * x2 + effect + (((i * 29) % 11) - 5) / 50;
  const margin =
    1.2 * (x1 - 2) - 0.8 * (x2 - 2) + (colour === 'red' ? 0.5 : 0) + (((i * 17) % 9) - 4) * 0.6;
  return { x1, x2, colour, y, label: margin > 0 ? 'yes' : 'no' };
});
const CSV = [
  'x1,x2,colour,y,label',
  ...ROWS.map((r) => `${r.x1},${r.x2},${r.colour},${r.y},${r.label}`),
].join('\n');
const RECORDS = [
  { x1: 3.5, x2: 0.25, colour: 'blue' },
  { x1: 0.5, x2: 3, colour: 'red' },
  { x1: 2, x2: 2, colour: 'green' },
];

const EXPLAIN = `query($i: PredictInput!) { predict(input: $i) { id outputs
  explanation { method output records { baseline contributions { feature value contribution } } } } }`;

interface Trained {
  versionId: string;
  features: string[];
  categories: Record<string, string[]>;
  labels: string[] | null;
  session: ort.InferenceSession;
}
const trained: Record<string, Trained> = {};

async function train(
  model: string,
  task: string,
  body: Record<string, unknown>,
  datasetId: string,
) {
  const created = await api.gql(
    `mutation($n: String!, $t: ModelTask!) { createModel(input: { name: $n, task: $t }) { id } }`,
    { n: model, t: task },
  );
  expect(created.errors).toBeUndefined();
  const started = await api.gql(
    `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
    { i: { modelId: created.data.createModel.id, datasetId, ...body } },
  );
  expect(started.errors).toBeUndefined();
  return started.data.startTrainingJob.id as string;
}

async function finished(model: string, jobId: string): Promise<void> {
  const job = await waitForTrainingJob(api, jobId, {
    fields: 'resultVersion { id version signature { features categories labels } }',
  });
  const artifact = await fetch(
    `${api.url}/v1/models/${model}/versions/${job.resultVersion.version}/artifact`,
    { headers: { authorization: `Bearer ${api.adminKey}` } },
  );
  trained[model] = {
    versionId: job.resultVersion.id,
    features: job.resultVersion.signature.features,
    categories: job.resultVersion.signature.categories ?? {},
    labels: job.resultVersion.signature.labels,
    session: await ort.InferenceSession.create(new Uint8Array(await artifact.arrayBuffer())),
  };
}

/** Runs a trained model in onnxruntime on records given by feature name. */
async function run(model: string, records: Record<string, number | string>[], output: string) {
  const t = trained[model] as Trained;
  const data = Float32Array.from(
    records.flatMap((r) =>
      t.features.map((f) => {
        const v = r[f] as number | string;
        return t.categories[f] ? t.categories[f].indexOf(String(v)) : Number(v);
      }),
    ),
  );
  const out = await t.session.run({
    input: new ort.Tensor('float32', data, [records.length, t.features.length]),
  });
  const tensor = out[output] as ort.Tensor;
  return Array.from(tensor.data as Float32Array);
}

/**
 * The closed form of a linear model's exact contributions, from outside: its raw coefficients
 * probed in onnxruntime (a unit step per numeric feature, each category against the first), the
 * training means and category frequencies computed here from the CSV, and
 * contribution = coefficient × (x − mean) (for a category: its effect minus the mean effect).
 */
async function closedForm(
  model: string,
  margin: (record: Record<string, number | string>[]) => Promise<number[]>,
) {
  const base = { x1: 0, x2: 0, colour: 'red' };
  const [f0 = 0, f1 = 0, f2 = 0, fGreen = 0, fBlue = 0] = await margin([
    base,
    { ...base, x1: 1 },
    { ...base, x2: 1 },
    { ...base, colour: 'green' },
    { ...base, colour: 'blue' },
  ]);
  const beta = { x1: f1 - f0, x2: f2 - f0 };
  const effect: Record<string, number> = { red: 0, green: fGreen - f0, blue: fBlue - f0 };
  const mean = (k: 'x1' | 'x2') => ROWS.reduce((s, r) => s + r[k], 0) / ROWS.length;
  const meanEffect = ROWS.reduce((s, r) => s + (effect[r.colour] as number), 0) / ROWS.length;
  const baseline = f0 + beta.x1 * mean('x1') + beta.x2 * mean('x2') + meanEffect;
  return {
    baseline,
    contributions: (r: { x1: number; x2: number; colour: string }) => ({
      x1: beta.x1 * (r.x1 - mean('x1')),
      x2: beta.x2 * (r.x2 - mean('x2')),
      colour: (effect[r.colour] as number) - meanEffect,
    }),
  };
}

const byFeature = (record: { contributions: { feature: string; contribution: number }[] }) =>
  Object.fromEntries(record.contributions.map((c) => [c.feature, c.contribution]));
const sum = (record: { contributions: { contribution: number }[] }) =>
  record.contributions.reduce((s, c) => s + c.contribution, 0);

async function predictionRows(model: string): Promise<number> {
  await api.server.services.usageMeter.flush();
  const [row] = await api.server.services.db.query<{ rows: number }[]>(
    `SELECT COALESCE(SUM(u.prediction_rows), 0)::float8 AS rows FROM usage_counters u
       JOIN models m ON m.id = u.model_id WHERE m.name = $1 AND u.granularity = 'minute'`,
    [model],
  );
  return row?.rows ?? -1;
}

beforeAll(async () => {
  api = await startTestApi();
  worker = startWorker(api.server.services.config.DATABASE_URL);
  const ws = await api.gql(`mutation { createWorkspace(name: "explain-other") { id } }`);
  otherTenantKey = await api.createKey('ADMIN', ws.data.createWorkspace.id);
  const dataset = await api.gql(
    `mutation($n: String!, $c: String!) { createDataset(name: $n, csv: $c) { id } }`,
    { n: 'explain-data', c: CSV },
  );
  expect(dataset.errors).toBeUndefined();
  const datasetId = dataset.data.createDataset.id as string;
  const features = ['x1', 'x2', 'colour'];
  const jobs = {
    'ex-lin': await train(
      'ex-lin',
      'REGRESSION',
      {
        algorithm: 'LINEAR_REGRESSION',
        target: 'y',
        features,
        hyperparameters: { validationSplit: 0 },
      },
      datasetId,
    ),
    'ex-logit': await train(
      'ex-logit',
      'BINARY_CLASSIFICATION',
      {
        algorithm: 'LOGISTIC_REGRESSION',
        target: 'label',
        features,
        hyperparameters: { validationSplit: 0 },
      },
      datasetId,
    ),
    'ex-mlp': await train(
      'ex-mlp',
      'REGRESSION',
      {
        algorithm: 'MLP',
        target: 'y',
        features,
        hyperparameters: { validationSplit: 0, hiddenLayers: [8], task: 'regression', epochs: 60 },
      },
      datasetId,
    ),
    'ex-mlp-cls': await train(
      'ex-mlp-cls',
      'BINARY_CLASSIFICATION',
      {
        algorithm: 'MLP',
        target: 'label',
        features,
        hyperparameters: {
          validationSplit: 0,
          hiddenLayers: [6],
          task: 'classification',
          epochs: 60,
        },
      },
      datasetId,
    ),
  };
  for (const [model, job] of Object.entries(jobs)) await finished(model, job);
}, 180_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('exact explanations of linear models', () => {
  it('linear regression: weights × standardised difference from the training mean, on the prediction', async () => {
    const res = await api.gql(EXPLAIN, { i: { model: 'ex-lin', records: RECORDS, explain: true } });
    expect(res.errors).toBeUndefined();
    const { explanation, outputs } = res.data.predict;
    expect(explanation.method).toBe('exact-linear');
    expect(explanation.output).toBe('prediction');
    const oracle = await closedForm('ex-lin', (r) => run('ex-lin', r, 'prediction'));
    RECORDS.forEach((record, i) => {
      const got = explanation.records[i];
      expect(got.baseline).toBeCloseTo(oracle.baseline, 3);
      const want = oracle.contributions(record);
      for (const [feature, value] of Object.entries(want))
        expect(byFeature(got)[feature], feature).toBeCloseTo(value, 3);
      expect(got.contributions.map((c: { value: unknown }) => c.value)).toEqual([
        record.x1,
        record.x2,
        record.colour,
      ]);
      // They add up to the served prediction minus the baseline.
      expect(sum(got) + got.baseline).toBeCloseTo(outputs.predictions[i], 3);
    });
  });

  it('logistic regression: on the log-odds of the second label', async () => {
    const res = await api.gql(EXPLAIN, {
      i: { model: 'ex-logit', records: RECORDS, explain: true },
    });
    expect(res.errors).toBeUndefined();
    const { explanation, outputs } = res.data.predict;
    expect(explanation.method).toBe('exact-linear');
    expect(explanation.output).toBe('log-odds of "yes"');
    const logOdds = async (r: Record<string, number | string>[]) => {
      const p = await run('ex-logit', r, 'probabilities');
      return r.map((_, i) => Math.log((p[i * 2 + 1] as number) / (p[i * 2] as number)));
    };
    const oracle = await closedForm('ex-logit', logOdds);
    RECORDS.forEach((record, i) => {
      const got = explanation.records[i];
      expect(got.baseline).toBeCloseTo(oracle.baseline, 3);
      for (const [feature, value] of Object.entries(oracle.contributions(record)))
        expect(byFeature(got)[feature], feature).toBeCloseTo(value, 3);
      const p = outputs.probabilities[i].yes as number;
      expect(sum(got) + got.baseline).toBeCloseTo(Math.log(p / (1 - p)), 3);
    });
  });

  it('the sampling path on the same linear model gives the exact values (an additive model)', async () => {
    const auth = await api.server.services.auth.authenticate(`Bearer ${api.adminKey}`);
    if (!auth) throw new Error('no auth');
    const exact = await api.gql(EXPLAIN, {
      i: { model: 'ex-lin', records: RECORDS, explain: true },
    });
    const sampled = await api.server.services.predictions.predict(auth, {
      name: 'ex-lin',
      records: RECORDS,
      explain: true,
      explainMethod: 'sampling-shapley',
    });
    expect(sampled.explanation?.method).toBe('sampling-shapley');
    RECORDS.forEach((_, i) => {
      const want = exact.data.predict.explanation.records[i];
      const got = sampled.explanation?.records[i];
      expect(got?.baseline).toBeCloseTo(want.baseline, 3);
      got?.contributions.forEach((c, f) =>
        expect(c.contribution).toBeCloseTo(want.contributions[f].contribution, 3),
      );
    });
  });
});

describe('sampled Shapley values of an MLP', () => {
  it('add up to prediction − baseline within the stated tolerance, against the training data', async () => {
    const before = await predictionRows('ex-mlp');
    const res = await api.gql(EXPLAIN, { i: { model: 'ex-mlp', records: RECORDS, explain: true } });
    expect(res.errors).toBeUndefined();
    const { explanation, outputs } = res.data.predict;
    expect(explanation.method).toBe('sampling-shapley');
    expect(explanation.output).toBe('prediction');
    // The background is the whole training split here: the baseline is the mean served output on it.
    const onTraining = await run('ex-mlp', ROWS, 'prediction');
    const meanOutput = onTraining.reduce((s, v) => s + v, 0) / onTraining.length;
    RECORDS.forEach((_, i) => {
      const got = explanation.records[i];
      const prediction = outputs.predictions[i] as number;
      expect(got.baseline).toBeCloseTo(meanOutput, 4);
      const magnitude =
        1 +
        Math.abs(prediction) +
        Math.abs(got.baseline) +
        got.contributions.reduce(
          (s: number, c: { contribution: number }) => s + Math.abs(c.contribution),
          0,
        );
      expect(Math.abs(sum(got) - (prediction - got.baseline))).toBeLessThanOrEqual(
        1e-5 * magnitude,
      );
    });
    // Usage: the 3 records plus every model evaluation the explanation ran:
    // the 40 background rows once, then 3 records × 2 orders × 40 background rows × 2 inner steps.
    expect((await predictionRows('ex-mlp')) - before).toBe(3 + 40 + 3 * 2 * 40 * 2);
  });
});

describe('sampled Shapley values of an MLP classifier', () => {
  it("explain each record's predicted-class probability against the training data", async () => {
    const res = await api.gql(EXPLAIN, {
      i: { model: 'ex-mlp-cls', records: RECORDS, explain: true },
    });
    expect(res.errors).toBeUndefined();
    const { explanation, outputs } = res.data.predict;
    expect(explanation.method).toBe('sampling-shapley');
    expect(explanation.output).toBe('probability of the predicted class');
    const onTraining = await run('ex-mlp-cls', ROWS, 'probabilities');
    RECORDS.forEach((_, i) => {
      const got = explanation.records[i];
      const label = outputs.predictions[i] as string;
      const p = outputs.probabilities[i][label] as number;
      const c = trained['ex-mlp-cls']?.labels?.indexOf(label) ?? -1;
      expect(c).toBeGreaterThanOrEqual(0);
      let mean = 0;
      for (let r = 0; r < ROWS.length; r++) mean += (onTraining[r * 2 + c] as number) / ROWS.length;
      expect(got.baseline).toBeCloseTo(mean, 4);
      expect(Math.abs(sum(got) - (p - got.baseline))).toBeLessThanOrEqual(
        1e-5 * (2 + got.baseline),
      );
    });
  });
});

describe('refusals', () => {
  it('refuses more than 32 records before running anything', async () => {
    const before = await predictionRows('ex-mlp');
    const records = Array.from({ length: 33 }, () => RECORDS[0]);
    const res = await api.gql(EXPLAIN, { i: { model: 'ex-mlp', records, explain: true } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at most 32 records/);
    expect(await predictionRows('ex-mlp')).toBe(before);
    // Without explain the same batch is a plain prediction.
    const plain = await api.gql(EXPLAIN, { i: { model: 'ex-mlp', records } });
    expect(plain.errors).toBeUndefined();
    expect(plain.data.predict.explanation).toBeNull();
  });

  it('refuses tensor inputs and models without features', async () => {
    await api.gql(`mutation { createModel(input: { name: "ex-tensor" }) { id } }`);
    expect(
      (await api.upload('ex-tensor', buildLinearModel({ weights: [[1, 2]], bias: [0] }))).status,
    ).toBe(201);
    const tensors = await api.gql(EXPLAIN, {
      i: { model: 'ex-tensor', inputs: { input: [[1, 2]] }, explain: true },
    });
    expect(tensors.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tensors.errors?.[0]?.message).toMatch(/explain works on tabular "records"/);
    const records = await api.gql(EXPLAIN, {
      i: { model: 'ex-tensor', records: [{ a: 1 }], explain: true },
    });
    expect(records.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an uploaded tabular model has no reference data; a wide one is refused on its cost first', async () => {
    await api.gql(
      `mutation { createModel(input: { name: "ex-upload", task: REGRESSION }) { id } }`,
    );
    const up = await api.upload(
      'ex-upload',
      buildLinearModel({
        weights: [[1, 2]],
        bias: [0],
        outputName: 'prediction',
        tabular: { features: ['a', 'b'] },
      }),
    );
    expect(up.status).toBe(201);
    const res = await api.gql(EXPLAIN, {
      i: { model: 'ex-upload', records: [{ a: 1, b: 2 }], explain: true },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/no reference data/);

    const wide = Array.from({ length: 40 }, (_, i) => `f${i}`);
    await api.gql(`mutation { createModel(input: { name: "ex-wide", task: REGRESSION }) { id } }`);
    const upWide = await api.upload(
      'ex-wide',
      buildLinearModel({
        weights: [wide.map(() => 1)],
        bias: [0],
        outputName: 'prediction',
        tabular: { features: wide },
      }),
    );
    expect(upWide.status).toBe(201);
    const record = Object.fromEntries(wide.map((f) => [f, 1]));
    const costly = await api.gql(EXPLAIN, {
      i: { model: 'ex-wide', records: Array.from({ length: 32 }, () => record), explain: true },
    });
    expect(costly.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(costly.errors?.[0]?.message).toMatch(/model evaluations/);
  });

  it("an uploaded tabular model explains against its deployment's reference dataset: the linear closed form", async () => {
    // y = 0.25 + 1.5a − 2b + 0.5c, c categorical: the model is fed its index in LEVELS.
    const W = [1.5, -2, 0.5];
    const BIAS = 0.25;
    const LEVELS = ['lo', 'hi', 'mid'];
    const model = await api.gql(
      `mutation { createModel(input: { name: "ex-ref", task: REGRESSION }) { id } }`,
    );
    const up = await api.upload(
      'ex-ref',
      buildLinearModel({
        weights: [W],
        bias: [BIAS],
        outputName: 'prediction',
        tabular: { features: ['a', 'b', 'c'], categories: { c: LEVELS } },
      }),
    );
    expect(up.status).toBe(201);
    const created = await api.gql(
      `mutation($m: ID!, $v: ID!) { createDeployment(input: { name: "ex-ref-dep", modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
      { m: model.data.createModel.id, v: up.body.id },
    );
    expect(created.errors).toBeUndefined();
    const REF_RECORDS = [
      { a: 1, b: 0.5, c: 'hi' },
      { a: -2, b: 3, c: 'lo' },
    ];
    const explain = (model: string) =>
      api.gql(EXPLAIN, { i: { model, records: REF_RECORDS, explain: true } });

    // No training data and no reference dataset yet: refused, with the way out.
    const before = await explain('ex-ref-dep');
    expect(before.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(before.errors?.[0]?.message).toMatch(/no reference data/);
    expect(before.errors?.[0]?.message).toMatch(/setDeploymentReference/);

    // 30 complete rows (fewer than the 50 of a background sample: all of them are the
    // background) and two the background leaves out (a missing value, an unknown level).
    const ref = Array.from({ length: 30 }, (_, i) => ({
      a: ((i * 7) % 11) / 2 - 2,
      b: ((i * 5) % 13) / 4,
      c: LEVELS[(i * 2) % 3] as string,
    }));
    const csv = [
      'a,b,c,extra',
      ...ref.map((r, i) => `${r.a},${r.b},${r.c},${i}`),
      '1,,hi,0',
      '1,1,other,0',
    ].join('\n');
    const dataset = await api.gql(
      `mutation($c: String!) { createDataset(name: "ex-ref-data", csv: $c) { id } }`,
      { c: csv },
    );
    expect(dataset.errors).toBeUndefined();
    const datasetId = dataset.data.createDataset.id as string;

    // Another tenant's dataset cannot be named, nor used if a row pointed at it.
    const foreign = await api.gql(
      `mutation($c: String!) { createDataset(name: "ex-ref-foreign", csv: $c) { id } }`,
      { c: csv },
      otherTenantKey,
    );
    expect(foreign.errors).toBeUndefined();
    const foreignId = foreign.data.createDataset.id as string;
    const SET_REF = `mutation($d: ID) { setDeploymentReference(name: "ex-ref-dep", datasetId: $d) { referenceDataset { id } } }`;
    const named = await api.gql(SET_REF, { d: foreignId });
    expect(named.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const db = api.server.services.db;
    await db.query(`UPDATE deployments SET reference_dataset_id = $1 WHERE name = 'ex-ref-dep'`, [
      foreignId,
    ]);
    const smuggled = await explain('ex-ref-dep');
    expect(smuggled.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(smuggled.errors?.[0]?.message).toMatch(/no reference data/);
    expect(JSON.stringify(smuggled)).not.toContain(foreignId);

    const set = await api.gql(SET_REF, { d: datasetId });
    expect(set.errors).toBeUndefined();
    expect(set.data.setDeploymentReference.referenceDataset.id).toBe(datasetId);
    const res = await explain('ex-ref-dep');
    expect(res.errors).toBeUndefined();
    const { explanation, outputs } = res.data.predict;
    expect(explanation.method).toBe('sampling-shapley');
    expect(explanation.output).toBe('prediction');

    // The oracle: the background's column means, from the rows the test wrote.
    const encode = (r: { a: number; b: number; c: string }) => [r.a, r.b, LEVELS.indexOf(r.c)];
    const mean = [0, 1, 2].map(
      (f) => ref.reduce((acc, r) => acc + (encode(r)[f] as number), 0) / ref.length,
    );
    const baseline = BIAS + W.reduce((acc, w, f) => acc + w * (mean[f] as number), 0);
    REF_RECORDS.forEach((record, r) => {
      const x = encode(record);
      const prediction = BIAS + W.reduce((acc, w, f) => acc + w * (x[f] as number), 0);
      expect(outputs.predictions[r]).toBeCloseTo(prediction, 4);
      const e = explanation.records[r];
      expect(e.baseline).toBeCloseTo(baseline, 4);
      expect(e.contributions.map((c: any) => c.feature)).toEqual(['a', 'b', 'c']);
      expect(e.contributions.map((c: any) => c.value)).toEqual([record.a, record.b, record.c]);
      e.contributions.forEach((c: any, f: number) =>
        expect(c.contribution).toBeCloseTo(
          (W[f] as number) * ((x[f] as number) - (mean[f] as number)),
          4,
        ),
      );
      const sum = e.contributions.reduce((acc: number, c: any) => acc + c.contribution, 0);
      expect(sum).toBeCloseTo(outputs.predictions[r] - e.baseline, 4);
    });

    // By the model's name (no deployment, so no reference dataset) it is still refused.
    const byModel = await explain('ex-ref');
    expect(byModel.errors?.[0]?.message).toMatch(/no reference data/);
    // A deleted reference dataset is no reference either.
    const deleted = await api.gql(`mutation($id: ID!) { deleteDataset(id: $id) }`, {
      id: datasetId,
    });
    expect(deleted.errors).toBeUndefined();
    const after = await explain('ex-ref-dep');
    expect(after.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(after.errors?.[0]?.message).toMatch(/reference dataset has been deleted/);
  });

  it('counts the evaluations against maxPredictionsPerDay: over it, the explanation is refused', async () => {
    const viewer = await api.gql(`{ viewer { workspace { id } } }`);
    const workspaceId = viewer.data.viewer.workspace.id as string;
    const setQuota = (max: number | null) =>
      api.gql(
        `mutation($w: ID!, $q: QuotaInput!) { setWorkspaceQuota(workspaceId: $w, quota: $q) { id } }`,
        { w: workspaceId, q: { maxPredictionsPerDay: max } },
      );
    await api.server.services.usageMeter.flush();
    const today = await usageToday(api.server.services.db, [workspaceId]);
    const used = today.get(workspaceId)?.predictions ?? 0;
    // Room for the 3 records, not for the 520 evaluations of their explanation.
    expect((await setQuota(used + 100)).errors).toBeUndefined();
    try {
      const explained = await api.gql(EXPLAIN, {
        i: { model: 'ex-mlp', records: RECORDS, explain: true },
      });
      expect(explained.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
      const plain = await api.gql(EXPLAIN, { i: { model: 'ex-mlp', records: RECORDS } });
      expect(plain.errors).toBeUndefined();
    } finally {
      await setQuota(null);
    }
  });

  it("another workspace's model is NOT_FOUND", async () => {
    const res = await api.gql(
      EXPLAIN,
      { i: { model: 'ex-lin', records: RECORDS, explain: true } },
      otherTenantKey,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
