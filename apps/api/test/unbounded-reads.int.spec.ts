// Reads that used to return or load everything (issue 9, item 7), against the real API process:
// `history` pages with a bounded `first`, and `deploymentStats` over a day sums in PostgreSQL
// instead of loading every sample of every replica.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStillServing,
  SENTINEL_MODEL,
  startApiProcess,
  type ApiProcess,
} from './api-process';

let api: ApiProcess;
let db: pg.Client;
let modelId: string;
let versionId: string;

beforeAll(async () => {
  api = await startApiProcess();
  db = new pg.Client({ connectionString: api.databaseUrl });
  await db.connect();
  const model = await api.gql(
    `query($n: String!) { model(name: $n) { id latestVersion { id } } }`,
    {
      n: SENTINEL_MODEL,
    },
  );
  expect(model.errors).toBeUndefined();
  modelId = model.data.model.id;
  versionId = model.data.model.latestVersion.id;
}, 90_000);

afterAll(async () => {
  await db?.end();
  await api?.stop();
});

describe('TrainingJob.history', () => {
  it('returns at most `first` epochs (default 500, at most 1000), paged by afterEpoch', async () => {
    const dataset = await api.gql(
      `mutation($c: String!) { createDataset(name: "epochs", csv: $c) { id } }`,
      { c: 'x1,x2,y\n1,2,3\n2,1,4\n3,3,5\n4,0,9\n' },
    );
    expect(dataset.errors).toBeUndefined();
    const job = await api.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId: dataset.data.createDataset.id,
          algorithm: 'LINEAR_REGRESSION',
          target: 'y',
        },
      },
    );
    expect(job.errors).toBeUndefined();
    const id = job.data.startTrainingJob.id;
    // A long job's epochs, written as the worker writes them (no worker runs here).
    await db.query(
      `INSERT INTO training_epochs (job_id, epoch, workspace_id, loss)
       SELECT id, g, workspace_id, 1.0 / g FROM training_jobs, generate_series(1, 2500) g
       WHERE id = $1`,
      [id],
    );
    const history = `query($id: ID!, $after: Int, $first: Int) {
      trainingJob(id: $id) { history(afterEpoch: $after, first: $first) { epoch loss } } }`;

    const firstPage = await api.gql(history, { id });
    expect(firstPage.errors).toBeUndefined();
    const epochs = firstPage.data.trainingJob.history.map((e: { epoch: number }) => e.epoch);
    expect(epochs).toHaveLength(500);
    expect([epochs[0], epochs[499]]).toEqual([1, 500]);

    const next = await api.gql(history, { id, after: 500, first: 1000 });
    expect(next.errors).toBeUndefined();
    const more = next.data.trainingJob.history;
    expect(more).toHaveLength(1000);
    expect([more[0].epoch, more[999].epoch]).toEqual([501, 1500]);
    expect(more[0].loss).toBeCloseTo(1 / 501);

    const last = await api.gql(history, { id, after: 2400, first: 1000 });
    expect(last.data.trainingJob.history).toHaveLength(100);

    const tooMany = await api.gql(history, { id, first: 1001 });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    await expectStillServing(api);
  });
});

describe('deploymentStats', () => {
  it('sums a day of samples from three replicas in the database, and answers quickly', async () => {
    const created = await api.gql(
      `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
      { i: { name: 'busy', modelId, routes: [{ versionId, weight: 100 }] } },
    );
    expect(created.errors).toBeUndefined();
    const deploymentId = created.data.createDeployment.id;
    // One sample every 2 s for (nearly) a day from each of three replicas: 129,000 rows, each with 4
    // requests (one of them an error), all in the 3 ms latency bucket.
    const histogram = JSON.stringify({ '3': 4 });
    await db.query(
      `INSERT INTO deployment_stats (workspace_id, deployment_id, version_id, replica_id,
         bucket_start, bucket_seconds, requests, errors, latency_sum_ms, latency_histogram)
       SELECT d.workspace_id, d.id, $2, 'replica-' || r, now() - make_interval(secs => g * 2),
         2, 4, 1, 12, $3::jsonb
       FROM deployments d, generate_series(1, 43000) g, generate_series(1, 3) r WHERE d.id = $1`,
      [deploymentId, versionId, histogram],
    );
    const started = Date.now();
    const stats = await api.gql(
      `{ deploymentStats(name: "busy", windowSeconds: 86400) { requests errors p50Ms p99Ms byVersion } }`,
    );
    const elapsed = Date.now() - started;
    expect(stats.errors).toBeUndefined();
    const samples = 43_000 * 3;
    expect(stats.data.deploymentStats).toMatchObject({
      requests: samples * 4,
      errors: samples,
      byVersion: { '1': { requests: samples * 4, errors: samples } },
    });
    // Every request fell in the (2, 3] ms bucket.
    expect(stats.data.deploymentStats.p50Ms).toBeGreaterThan(2);
    expect(stats.data.deploymentStats.p99Ms).toBeLessThanOrEqual(3);
    expect(elapsed).toBeLessThan(5_000);
    await expectStillServing(api);
  });
});
