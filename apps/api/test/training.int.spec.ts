import { seedExampleCsv } from '@maas/training';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { startWorker } from './worker-process';
import { collect, wsClient } from './ws-client';

const JOB_FIELDS = `id status epoch epochs progress attempts error seq resultVersion { id version parentVersion { version } trainingJob { id } }`;

let api: TestApi;
let worker: ReturnType<typeof startWorker>;
let modelId: string;

beforeAll(async () => {
  api = await startTestApi();
  worker = startWorker(api.server.services.config.DATABASE_URL);
  const res = await api.gql(
    `mutation { createModel(input: { name: "seed", task: REGRESSION }) { id } }`,
  );
  modelId = res.data.createModel.id;
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

async function createDataset(name: string, csv: string): Promise<string> {
  const res = await api.gql(
    `mutation($n: String!, $c: String!) { createDataset(name: $n, csv: $c) { id rowCount } }`,
    { n: name, c: csv },
  );
  expect(res.errors).toBeUndefined();
  return res.data.createDataset.id;
}

async function predictAt(x: number, version?: number): Promise<number> {
  const res = await api.gql(`query($i: PredictInput!) { predict(input: $i) { outputs } }`, {
    i: { model: 'seed', ...(version ? { version } : {}), records: [{ x }] },
  });
  expect(res.errors).toBeUndefined();
  return res.data.predict.outputs.predictions[0];
}

describe('the seed example, end to end through the public API', () => {
  it('trains y = 3x + noise, streams every epoch in order, serves, and updates from fresh data', async () => {
    const datasetId = await createDataset('seed-1', seedExampleCsv(1000, 1));
    const started = await api.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { ${JOB_FIELDS} hyperparameters } }`,
      {
        i: { modelId, datasetId, algorithm: 'LINEAR_REGRESSION', target: 'y' },
      },
    );
    expect(started.errors).toBeUndefined();
    const job = started.data.startTrainingJob;
    expect(job.status).toBe('QUEUED');

    const client = wsClient(api.url, api.adminKey);
    const stream = collect<{ trainingJobUpdated: any }>(
      client,
      `subscription($id: ID!) { trainingJobUpdated(id: $id) { ${JOB_FIELDS} } }`,
      { id: job.id },
    );
    await stream.done; // completes after the final state
    await client.dispose();

    const events = stream.results.map((r) => r.trainingJobUpdated);
    const final = events[events.length - 1];
    expect(final.status, JSON.stringify(final)).toBe('SUCCEEDED');
    expect(final.progress).toBe(1);
    expect(final.resultVersion.version).toBe(1);
    expect(final.resultVersion.trainingJob.id).toBe(job.id);
    // The attempt's wall-clock seconds are metered for the workspace, the model and the key that
    // started the job (the root key here).
    const db = api.server.services.db;
    const [times] = await db.query<{ seconds: number; key_id: string; root_id: string }[]>(
      `SELECT extract(epoch FROM j.finished_at - j.started_at)::float8 AS seconds,
              j.started_by_key_id AS key_id, k.id AS root_id
         FROM training_jobs j, api_keys k WHERE j.id = $1 AND k.is_root AND k.revoked_at IS NULL`,
      [job.id],
    );
    expect(times?.key_id).toBe(times?.root_id);
    const metered = await db.query<{ granularity: string; seconds: number }[]>(
      `SELECT granularity, SUM(training_seconds)::float8 AS seconds FROM usage_counters
        WHERE api_key_id = $1 AND model_id = $2 GROUP BY granularity ORDER BY granularity`,
      [times?.key_id, modelId],
    );
    expect(metered.map((r) => r.granularity)).toEqual(['day', 'hour', 'minute']);
    for (const r of metered) expect(r.seconds).toBeCloseTo(times?.seconds ?? -1, 3);
    // Sequence numbers only grow, and epochs never go back.
    for (let i = 1; i < events.length; i++) {
      expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
      expect(events[i].epoch).toBeGreaterThanOrEqual(events[i - 1].epoch);
    }
    const history = await api.gql(
      `query($id: ID!) { trainingJob(id: $id) { epochs history { epoch loss validationLoss } tail: history(afterEpoch: 3) { epoch } } }`,
      { id: job.id },
    );
    const epochs = history.data.trainingJob.history.map((h: any) => h.epoch);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(history.data.trainingJob.tail[0].epoch).toBe(4);
    expect(history.data.trainingJob.history.at(-1).loss).toBeLessThan(
      history.data.trainingJob.history[0].loss,
    );

    // Weight near 3, bias near 0.5, read off the served model.
    const bias = await predictAt(0);
    const weight = (await predictAt(1)) - bias;
    expect(weight).toBeGreaterThan(2.9);
    expect(weight).toBeLessThan(3.1);
    expect(bias).toBeGreaterThan(0.4);
    expect(bias).toBeLessThan(0.6);

    // The ONNX artifact run in onnxruntime directly gives the same predictions.
    const artifact = await fetch(`${api.url}/v1/models/seed/versions/1/artifact`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    const session = await ort.InferenceSession.create(new Uint8Array(await artifact.arrayBuffer()));
    const direct = await session.run({
      [session.inputNames[0] as string]: new ort.Tensor(
        'float32',
        Float32Array.from([0, 0.25, 1]),
        [3, 1],
      ),
    });
    const values = Array.from(direct.prediction?.data as Float32Array);
    const served = await api.gql(
      `query { predict(input: { model: "seed", inputs: { input: [[0], [0.25], [1]] } }) { outputs } }`,
    );
    expect(served.data.predict.outputs.prediction.map((r: number[]) => r[0])).toEqual(
      values.map((v) => Number(v.toPrecision(9))),
    );
    await session.release();

    // Model update: fresh data from the same source, warm-started from version 1.
    const freshId = await createDataset('seed-2', seedExampleCsv(1000, 2));
    const update = await api.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId: freshId,
          algorithm: 'LINEAR_REGRESSION',
          target: 'y',
          warmStartVersionId: final.resultVersion.id,
          hyperparameters: { epochs: 20 },
        },
      },
    );
    expect(update.errors).toBeUndefined();
    let updated: any;
    for (let i = 0; i < 100; i++) {
      const r = await api.gql(
        `query($id: ID!) { trainingJob(id: $id) { ${JOB_FIELDS} warmStartVersion { version } } }`,
        { id: update.data.startTrainingJob.id },
      );
      updated = r.data.trainingJob;
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(updated.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(updated.status, JSON.stringify(updated)).toBe('SUCCEEDED');
    expect(updated.resultVersion.version).toBe(2);
    expect(updated.resultVersion.parentVersion.version).toBe(1);
    expect(updated.warmStartVersion.version).toBe(1);
    const weight2 = (await predictAt(1, 2)) - (await predictAt(0, 2));
    expect(Math.abs(weight2 - 3)).toBeLessThan(0.1);
  });

  it('streams every job change of the workspace to trainingJobsUpdated', async () => {
    const datasetId = await createDataset('seed-dashboard', seedExampleCsv(200, 5));
    const client = wsClient(api.url, api.adminKey);
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let jobId = '';
    const seen: { id: string; status: string; seq: number }[] = [];
    const stream = collect<{ trainingJobsUpdated: { id: string; status: string; seq: number } }>(
      client,
      'subscription { trainingJobsUpdated { id status seq } }',
      {},
      (r) => {
        seen.push(r.trainingJobsUpdated);
        if (r.trainingJobsUpdated.id === jobId && r.trainingJobsUpdated.status === 'SUCCEEDED')
          resolveDone();
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is listening
    const res = await api.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId,
          algorithm: 'LINEAR_REGRESSION',
          target: 'y',
          hyperparameters: { epochs: 10 },
        },
      },
    );
    jobId = res.data.startTrainingJob.id;
    await Promise.race([
      done,
      new Promise((_, reject) => setTimeout(() => reject(new Error(JSON.stringify(seen))), 20_000)),
    ]);
    stream.stop();
    await client.dispose();
    const mine = seen.filter((e) => e.id === jobId);
    expect(mine.map((e) => e.status)).toContain('RUNNING');
    expect(mine.at(-1)?.status).toBe('SUCCEEDED');
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.seq).toBeGreaterThan(mine[i - 1]!.seq);
  });

  it('refuses bad training requests with clear errors and queues nothing', async () => {
    const datasetId = await createDataset('seed-bad', seedExampleCsv(50, 3));
    const start = (i: Record<string, unknown>) =>
      api.gql(`mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`, {
        i: { modelId, datasetId, algorithm: 'LINEAR_REGRESSION', target: 'y', ...i },
      });
    const before = await api.gql(`{ trainingJobs { totalCount } }`);
    const noColumn = await start({ target: 'nope' });
    expect(noColumn.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(noColumn.errors?.[0]?.message).toMatch(/no column "nope"/);
    const badHyper = await start({ hyperparameters: { learningRate: -1 } });
    expect(badHyper.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badHyper.errors?.[0]?.message).toMatch(/learningRate/);
    const unknownKey = await start({ hyperparameters: { nope: 1 } });
    expect(unknownKey.errors?.[0]?.message).toMatch(/nope/);
    const sameAsTarget = await start({ features: ['y'] });
    expect(sameAsTarget.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await api.gql(`{ trainingJobs { totalCount } }`);
    expect(after.data.trainingJobs.totalCount).toBe(before.data.trainingJobs.totalCount);
    const algorithms = await api.gql(
      `{ algorithms { algorithm tasks hyperparameters { name type default min max } } }`,
    );
    const linear = algorithms.data.algorithms.find((a: any) => a.algorithm === 'LINEAR_REGRESSION');
    expect(linear.hyperparameters.find((h: any) => h.name === 'learningRate')).toMatchObject({
      type: 'float',
    });
  });

  it('cancels a running job within seconds and retries it as a new attempt', async () => {
    const datasetId = await createDataset('seed-long', seedExampleCsv(20000, 4));
    const res = await api.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId,
          algorithm: 'MLP',
          target: 'y',
          hyperparameters: { epochs: 5000, hiddenLayers: [64, 64], earlyStoppingPatience: 0 },
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const id = res.data.startTrainingJob.id;
    const status = async () =>
      (await api.gql(`query($id: ID!) { trainingJob(id: $id) { status epoch attempts } }`, { id }))
        .data.trainingJob;
    for (let i = 0; i < 100 && (await status()).epoch < 1; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await status()).status).toBe('RUNNING');
    const cancelAt = Date.now();
    const cancel = await api.gql(`mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`, {
      id,
    });
    expect(cancel.errors).toBeUndefined();
    while ((await status()).status !== 'CANCELLED' && Date.now() - cancelAt < 10_000)
      await new Promise((r) => setTimeout(r, 100));
    expect((await status()).status).toBe('CANCELLED');
    expect(Date.now() - cancelAt).toBeLessThan(5000);
    const again = await api.gql(`mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const retried = await api.gql(`mutation($id: ID!) { retryTrainingJob(id: $id) { status } }`, {
      id,
    });
    // A worker may take it before the mutation re-reads the row.
    expect(['QUEUED', 'RUNNING']).toContain(retried.data.retryTrainingJob.status);
    for (let i = 0; i < 100 && (await status()).status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await status()).attempts).toBe(2);
    await api.gql(`mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`, { id });
  });
});
