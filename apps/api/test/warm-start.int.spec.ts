import { buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { startWorker } from './worker-process';

// Model updates (warm starts) through the public API: startTrainingJob applies the same
// warm-start rules as the trainer, so an update that cannot continue from its parent is refused
// with BAD_USER_INPUT before it is queued, and one that can keeps the parent's features and shape.

/** Rows of x, z (numeric), c (categorical) and y = 2x − c-offset + noise, seeded. */
function csv(rows: number, seed: number, header = 'x,z,c,y'): string {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const x = random();
    const c = random() < 0.5 ? 'red' : 'blue';
    lines.push(`${x},${random()},${c},${2 * x - (c === 'red' ? 0.5 : 0) + 0.1 * random()}`);
  }
  return lines.join('\n');
}

const START = `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id features hyperparameters } }`;
const VERSION_FIELDS = `id version hyperparameters parentVersion { version } signature { features metadata }`;

let api: TestApi;
let worker: ReturnType<typeof startWorker>;
let modelId: string;
let datasetId: string;
let parent: { id: string; version: number; hyperparameters: any; signature: any };

async function create(query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await api.gql(query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}
const createModel = async (name: string): Promise<string> =>
  (await create(`mutation($n: String!) { createModel(input: { name: $n }) { id } }`, { n: name }))
    .createModel.id;
const createDataset = async (name: string, text: string): Promise<string> =>
  (
    await create(`mutation($n: String!, $c: String!) { createDataset(name: $n, csv: $c) { id } }`, {
      n: name,
      c: text,
    })
  ).createDataset.id;

async function finished(jobId: string): Promise<any> {
  for (let i = 0; i < 300; i++) {
    const res = await api.gql(
      `query($id: ID!) { trainingJob(id: $id) { status error features hyperparameters resultVersion { ${VERSION_FIELDS} } } }`,
      { id: jobId },
    );
    const job = res.data.trainingJob;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`training job ${jobId} did not finish: ${worker.output.join('')}`);
}

async function jobCount(model = modelId): Promise<number> {
  const res = await api.gql(`query($m: ID) { trainingJobs(modelId: $m) { totalCount } }`, {
    m: model,
  });
  return res.data.trainingJobs.totalCount;
}

beforeAll(async () => {
  api = await startTestApi();
  worker = startWorker(api.server.services.config.DATABASE_URL);
  modelId = await createModel('updates');
  datasetId = await createDataset('updates-1', csv(300, 1));
  // The parent: an MLP on x and c only, with hidden layers other than the default [32, 32].
  const started = await create(START, {
    i: {
      modelId,
      datasetId,
      algorithm: 'MLP',
      target: 'y',
      features: ['x', 'c'],
      hyperparameters: { epochs: 3, hiddenLayers: [5, 3] },
    },
  });
  const job = await finished(started.startTrainingJob.id);
  expect(job.status, job.error).toBe('SUCCEEDED');
  parent = job.resultVersion;
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('a model update through startTrainingJob', () => {
  it("without hiddenLayers or features keeps the parent's, trains to completion and records them", async () => {
    expect(parent.hyperparameters.hiddenLayers).toEqual([5, 3]);
    const freshId = await createDataset('updates-2', csv(300, 2));
    const started = await create(START, {
      i: {
        modelId,
        datasetId: freshId,
        algorithm: 'MLP',
        target: 'y',
        warmStartVersionId: parent.id,
        hyperparameters: { epochs: 2 },
      },
    });
    // The job as the API reports it: the parent's features (not every numeric column: z is
    // numeric too) and the parent's layers (not the default [32, 32]).
    expect(started.startTrainingJob.features).toEqual(['x', 'c']);
    expect(started.startTrainingJob.hyperparameters).toMatchObject({
      epochs: 2,
      hiddenLayers: [5, 3],
    });

    const job = await finished(started.startTrainingJob.id);
    expect(job.status, job.error).toBe('SUCCEEDED');
    const version = job.resultVersion;
    expect(version.version).toBe(parent.version + 1);
    expect(version.parentVersion.version).toBe(parent.version);
    expect(version.hyperparameters.hiddenLayers).toEqual([5, 3]);
    expect(version.signature.features).toEqual(['x', 'c']);
    // The exported model itself has the parent's shape.
    expect(JSON.parse(version.signature.metadata['maas.state']).hiddenLayers).toEqual([5, 3]);
  }, 120_000);

  const refusals: {
    name: string;
    input: () => Record<string, unknown> | Promise<Record<string, unknown>>;
    field: string;
    key?: string;
    message: RegExp;
  }[] = [
    {
      name: 'another target',
      input: () => ({ target: 'z' }),
      field: 'target',
      message: /parent's target 'y', not 'z': set target to 'y'/,
    },
    {
      name: 'another algorithm',
      input: () => ({ algorithm: 'LINEAR_REGRESSION', features: ['x'] }),
      field: 'algorithm',
      message: /parent's algorithm MLP, not LINEAR_REGRESSION: set algorithm to MLP/,
    },
    {
      name: 'other hiddenLayers',
      input: () => ({ hyperparameters: { hiddenLayers: [32, 32] } }),
      field: 'hyperparameters',
      key: 'hiddenLayers',
      message:
        /hiddenLayers must match the parent model's \[5, 3\].*got \[32, 32\]: omit hiddenLayers/,
    },
    {
      name: "features that are not the parent's",
      input: () => ({ features: ['x', 'z'] }),
      field: 'features',
      message: /features in the same order: 'x', 'c', got 'x', 'z': omit features/,
    },
    {
      name: "the parent's features in another order",
      input: () => ({ features: ['c', 'x'] }),
      field: 'features',
      message: /features in the same order: 'x', 'c', got 'c', 'x'/,
    },
    {
      name: 'another task',
      input: () => ({ hyperparameters: { task: 'classification' } }),
      field: 'hyperparameters',
      key: 'task',
      message: /parent model does regression.*set the hyperparameter task to 'regression'/,
    },
    {
      name: 'a dataset without a parent feature',
      input: async () => ({ datasetId: await createDataset('no-c', csv(50, 3, 'x,z,colour,y')) }),
      field: 'datasetId',
      message: /no column 'c', a feature of the parent model/,
    },
    {
      name: 'a dataset where a parent feature has another kind',
      input: async () => ({ datasetId: await createDataset('swapped', csv(50, 4, 'c,z,x,y')) }),
      field: 'datasetId',
      message: /feature 'x' is numeric in the parent model but categorical in this dataset/,
    },
    {
      name: 'a parent of another model',
      input: async () => ({ modelId: await createModel('someone-else') }),
      field: 'warmStartVersionId',
      message:
        /Version 1 of model "updates" cannot be warm-started into model "someone-else": a model update continues from a version of the same model/,
    },
    {
      name: 'a parent maas did not train (an upload with tabular metadata)',
      input: async () => {
        const uploadModelId = await createModel('uploaded');
        const upload = await api.upload(
          'uploaded',
          buildLinearModel({
            weights: [[1, 0]],
            bias: [0],
            tabular: { features: ['x', 'z'] },
            metadata: { 'maas.algorithm': 'LINEAR_REGRESSION' },
          }),
        );
        expect(upload.status).toBe(201);
        return {
          modelId: uploadModelId,
          algorithm: 'LINEAR_REGRESSION',
          features: ['x', 'z'],
          warmStartVersionId: upload.body.id,
        };
      },
      field: 'warmStartVersionId',
      message:
        /Version 1 cannot be warm-started: .*only models trained by maas can be warm-started/,
    },
  ];

  it.each(refusals)('refuses $name with BAD_USER_INPUT and queues nothing', async (refusal) => {
    const overrides = await refusal.input();
    const model = (overrides.modelId as string | undefined) ?? modelId;
    const before = await jobCount(model);
    const res = await api.gql(START, {
      i: {
        modelId,
        datasetId,
        algorithm: 'MLP',
        target: 'y',
        warmStartVersionId: parent.id,
        hyperparameters: { epochs: 1 },
        ...overrides,
      },
    });
    expect(res.data).toBeNull();
    const error = res.errors?.[0];
    expect(error?.extensions?.code, JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.field).toBe(refusal.field);
    expect(error?.extensions?.key).toBe(refusal.key);
    expect(error?.message).toMatch(refusal.message);
    expect(await jobCount(model)).toBe(before);
  });

  it('answers NOT_FOUND for a parent version that does not exist', async () => {
    const res = await api.gql(START, {
      i: {
        modelId,
        datasetId,
        algorithm: 'MLP',
        target: 'y',
        warmStartVersionId: '00000000-0000-4000-8000-000000000000',
      },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
