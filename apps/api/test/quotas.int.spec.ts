import { Readable } from 'node:stream';
import { TrainingJobLeaseStore } from '@maas/jobs';
import { buildLinearModel } from '@maas/onnx';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, sweepRetention, type GraphQLResponse, type TestApi } from './api-harness';

// Quotas and idempotency through the real API: every refusal names its quota, limit and usage and
// leaves no row and no artifact behind; retries with a key create one object.

let api: TestApi;
let db: DataSource;
let teamId: string;
let admin: string;
let viewer: string;

const linear = (w: number) => buildLinearModel({ weights: [[w, 2 * w]], bias: [0.5] });

const QUOTA_FIELDS =
  'maxModels maxVersionsPerModel maxStorageBytes maxDatasetBytes maxConcurrentJobs maxQueuedJobs maxPredictionsPerDay maxTokensPerDay requestsPerSecond';
const USAGE_FIELDS =
  'models storageBytes datasetBytes runningJobs queuedJobs predictionsToday tokensToday';

type Counts = Record<
  'models' | 'versions' | 'datasets' | 'jobs' | 'artifacts' | 'largeObjects',
  number
>;

async function counts(): Promise<Counts> {
  const [row] = await db.query<Record<string, string>[]>(
    `SELECT (SELECT count(*) FROM models WHERE workspace_id = $1) AS models,
            (SELECT count(*) FROM model_versions WHERE workspace_id = $1) AS versions,
            (SELECT count(*) FROM datasets WHERE workspace_id = $1) AS datasets,
            (SELECT count(*) FROM training_jobs WHERE workspace_id = $1) AS jobs,
            (SELECT count(*) FROM artifacts) AS artifacts,
            (SELECT count(*) FROM pg_largeobject_metadata) AS "largeObjects"`,
    [teamId],
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)])) as Counts;
}

const setQuota = (quota: Record<string, number | null>, key = api.adminKey) =>
  api.gql(
    `mutation($w: ID!, $q: QuotaInput!) { setWorkspaceQuota(workspaceId: $w, quota: $q) { id quota { ${QUOTA_FIELDS} } } }`,
    { w: teamId, q: quota },
    key,
  );

function expectQuotaError(res: GraphQLResponse, quota: string, limit: number, usage: number) {
  expect(res.errors?.[0]?.extensions).toMatchObject({
    code: 'QUOTA_EXCEEDED',
    quota,
    limit,
    usage,
  });
}

const createModel = (name: string) =>
  api.gql(`mutation($n: String!) { createModel(input: { name: $n }) { id } }`, { n: name }, admin);

const createDataset = (name: string, csv: string, idempotencyKey?: string) =>
  api.gql(
    `mutation($n: String!, $c: String!, $k: String) { createDataset(name: $n, csv: $c, idempotencyKey: $k) { id sizeBytes } }`,
    { n: name, c: csv, k: idempotencyKey ?? null },
    admin,
  );

const startJob = (modelId: string, datasetId: string, idempotencyKey?: string, target = 'y') =>
  api.gql(
    `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id status } }`,
    {
      i: { modelId, datasetId, algorithm: 'LINEAR_REGRESSION', target, idempotencyKey },
    },
    admin,
  );

async function upload(model: string, bytes: Uint8Array, idempotencyKey?: string) {
  const res = await fetch(`${api.url}/v1/models/${model}/versions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      authorization: `Bearer ${admin}`,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const csvOf = (rows: number, offset = 0) =>
  ['x,y', ...Array.from({ length: rows }, (_, i) => `${i + offset},${2 * (i + offset) + 1}`)].join(
    '\n',
  );

beforeAll(async () => {
  api = await startTestApi({ QUOTA_DEFAULT_MAX_MODELS: '7', QUOTA_DEFAULT_MAX_QUEUED_JOBS: '9' });
  db = api.server.services.db;
  const ws = await api.gql(
    `mutation { createWorkspace(name: "team") { id quota { maxModels maxQueuedJobs maxStorageBytes } } }`,
  );
  expect(ws.errors).toBeUndefined();
  teamId = ws.data.createWorkspace.id;
  // A new workspace starts with the QUOTA_DEFAULT_* settings; unset ones are unlimited.
  expect(ws.data.createWorkspace.quota).toEqual({
    maxModels: 7,
    maxQueuedJobs: 9,
    maxStorageBytes: null,
  });
  admin = await api.createKey('ADMIN', teamId);
  viewer = await api.createKey('VIEWER', teamId);
});
afterAll(async () => {
  await api?.close();
});

describe('setWorkspaceQuota', () => {
  it('is for the root key only; fields left out stay, null is unlimited; audited', async () => {
    const refused = await setQuota({ maxModels: 1 }, admin);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const bad = await setQuota({ maxStorageBytes: -1 });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'maxStorageBytes',
    });
    const tooMany = await setQuota({ maxModels: 2_000_000 });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ field: 'maxModels' });

    const first = await setQuota({ maxVersionsPerModel: 4, maxModels: null });
    expect(first.errors).toBeUndefined();
    expect(first.data.setWorkspaceQuota.quota).toMatchObject({
      maxModels: null,
      maxVersionsPerModel: 4,
      maxQueuedJobs: 9,
    });
    expect((await setQuota({})).data.setWorkspaceQuota.quota.maxVersionsPerModel).toBe(4);
    const second = await setQuota({ maxStorageBytes: 10_000_000 });
    expect(second.data.setWorkspaceQuota.quota).toMatchObject({
      maxModels: null,
      maxVersionsPerModel: 4,
      maxStorageBytes: 10_000_000,
    });
    const [row] = await db.query<{ details: any }[]>(
      `SELECT details FROM audit_events WHERE workspace_id = $1 AND action = 'quota.set'
        ORDER BY id DESC LIMIT 1`,
      [teamId],
    );
    expect(row?.details.before.maxStorageBytes).toBeNull();
    expect(row?.details.after.maxStorageBytes).toBe(10_000_000);

    // The default workspace stays unlimited.
    const root = await api.gql(`{ viewer { workspace { name quota { ${QUOTA_FIELDS} } } } }`);
    expect(root.data.viewer.workspace.name).toBe('default');
    expect(Object.values(root.data.viewer.workspace.quota).every((v) => v === null)).toBe(true);
  });
});

describe('quotas refuse at exactly their limit, changing nothing', () => {
  it('maxModels, concurrent requests at limit − 1 included', async () => {
    await setQuota({ maxModels: 2 });
    expect((await createModel('m1')).errors).toBeUndefined();
    const before = await counts();
    const both = await Promise.all([createModel('m2'), createModel('m3')]);
    expect(both.filter((r) => !r.errors)).toHaveLength(1);
    const loser = both.find((r) => r.errors) as GraphQLResponse;
    expectQuotaError(loser, 'maxModels', 2, 2);
    expect(await counts()).toEqual({ ...before, models: before.models + 1 });
    expectQuotaError(await createModel('m4'), 'maxModels', 2, 2);
  });

  it('maxVersionsPerModel on uploads (REST 403 naming the quota)', async () => {
    await setQuota({ maxVersionsPerModel: 1 });
    expect((await upload('m1', linear(1))).status).toBe(201);
    const before = await counts();
    const res = await upload('m1', linear(2));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'maxVersionsPerModel',
      limit: 1,
      usage: 1,
    });
    expect(typeof res.body.error).toBe('string');
    expect(await counts()).toEqual(before);
  });

  it('maxStorageBytes: nothing stored over it; bytes already held do not count again', async () => {
    await setQuota({ maxVersionsPerModel: 10 });
    const held = linear(1).byteLength;
    const usage = (await api.gql(`{ viewer { workspace { usage { storageBytes } } } }`, {}, admin))
      .data.viewer.workspace.usage.storageBytes;
    expect(usage).toBe(held);
    await setQuota({ maxStorageBytes: held + 10 });
    const before = await counts();
    const over = await upload('m1', linear(3));
    expect(over.status).toBe(403);
    expect(over.body).toMatchObject({ quota: 'maxStorageBytes', limit: held + 10, usage: held });
    expect(await counts()).toEqual(before);
    // Identical bytes: a new version sharing the artifact, no new storage.
    const same = await upload('m1', linear(1));
    expect(same.status).toBe(201);
    expect(same.body.version).toBe(2);
    expect(await counts()).toEqual({ ...before, versions: before.versions + 1 });
  });

  it('maxStorageBytes and maxDatasetBytes on datasets', async () => {
    const csv = csvOf(20);
    await setQuota({ maxStorageBytes: null, maxDatasetBytes: Buffer.byteLength(csv) - 1 });
    const before = await counts();
    expectQuotaError(
      await createDataset('too-big', csv),
      'maxDatasetBytes',
      Buffer.byteLength(csv) - 1,
      0,
    );
    expect(await counts()).toEqual(before);
    await setQuota({ maxDatasetBytes: null, maxStorageBytes: linear(1).byteLength + 5 });
    const over = await createDataset('too-big', csv);
    expect(over.errors?.[0]?.extensions).toMatchObject({ quota: 'maxStorageBytes' });
    expect(await counts()).toEqual(before);
    await setQuota({ maxStorageBytes: null, maxDatasetBytes: Buffer.byteLength(csv) });
    expect((await createDataset('fits', csv)).errors).toBeUndefined();
  });

  it('maxQueuedJobs on startTrainingJob and retryTrainingJob', async () => {
    await setQuota({ maxQueuedJobs: 1 });
    const model = (await api.gql(`{ model(name: "m1") { id } }`, {}, admin)).data.model.id;
    const dataset = (await api.gql(`{ datasets { edges { node { id } } } }`, {}, admin)).data
      .datasets.edges[0].node.id;
    const first = await startJob(model, dataset);
    expect(first.data.startTrainingJob.status).toBe('QUEUED');
    const before = await counts();
    expectQuotaError(await startJob(model, dataset), 'maxQueuedJobs', 1, 1);
    expect(await counts()).toEqual(before);
    // A cancelled job retried while another waits: refused too.
    const jobId = first.data.startTrainingJob.id;
    await api.gql(`mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`, { id: jobId }, admin);
    const second = await startJob(model, dataset);
    expect(second.errors).toBeUndefined();
    const retried = await api.gql(
      `mutation($id: ID!) { retryTrainingJob(id: $id) { status } }`,
      { id: jobId },
      admin,
    );
    expectQuotaError(retried, 'maxQueuedJobs', 1, 1);
    const [job] = await db.query<{ status: string }[]>(
      'SELECT status FROM training_jobs WHERE id = $1',
      [jobId],
    );
    expect(job?.status).toBe('CANCELLED');
    // The operator's view: /metrics counts the one job waiting (no worker runs in this test).
    const metrics = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    const text = await metrics.text();
    expect(text).toMatch(/^maas_training_jobs\{status="QUEUED"\} 1$/m);
    expect(text).toMatch(/^maas_training_jobs\{status="RUNNING"\} 0$/m);
  });

  it('maxVersionsPerModel at start and when the trained version is committed', async () => {
    await setQuota({ maxQueuedJobs: null, maxVersionsPerModel: null });
    const model = (await api.gql(`{ model(name: "m1") { id } }`, {}, admin)).data.model.id;
    const dataset = (await api.gql(`{ datasets { edges { node { id } } } }`, {}, admin)).data
      .datasets.edges[0].node.id;
    expect((await startJob(model, dataset)).data.startTrainingJob.status).toBe('QUEUED');
    // The model fills up while the job waits: the commit refuses, the job fails with the reason.
    await setQuota({ maxVersionsPerModel: 2 });
    expectQuotaError(await startJob(model, dataset), 'maxVersionsPerModel', 2, 2);
    const leases = new TrainingJobLeaseStore(db, {
      enqueueTraining: () => Promise.resolve(),
    } as never);
    // The fair queue hands out a job of this workspace (each one trains model m1).
    const leased = await leases.claimNext('quota-test');
    expect(leased).not.toBeNull();
    const bytes = linear(9);
    const stored = await api.server.services.store.put(Readable.from([Buffer.from(bytes)]));
    const [signature] = await db.query<{ signature: any }[]>(
      'SELECT signature FROM model_versions WHERE model_id = $1 LIMIT 1',
      [model],
    );
    const before = await counts();
    const outcome = await leases.completeWithVersion(leased as NonNullable<typeof leased>, {
      signature: signature?.signature,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      metrics: {},
      hyperparameters: {},
    });
    expect(outcome).toBe('QUOTA_EXCEEDED');
    expect((await counts()).versions).toBe(before.versions);
    expect(leased?.modelId).toBe(model);
    const failed = await api.gql(
      `query($id: ID!) { trainingJob(id: $id) { status error } }`,
      { id: leased?.id },
      admin,
    );
    expect(failed.data.trainingJob.status).toBe('FAILED');
    expect(failed.data.trainingJob.error).toMatch(/maxVersionsPerModel quota: 2 of 2/);
  });
});

describe('Workspace.quota and usage', () => {
  it('a VIEWER reads its workspace; usage equals what was created', async () => {
    const res = await api.gql(
      `{ viewer { workspace { quota { ${QUOTA_FIELDS} } usage { ${USAGE_FIELDS} } } } }`,
      {},
      viewer,
    );
    expect(res.errors).toBeUndefined();
    const { quota, usage } = res.data.viewer.workspace;
    expect(quota).toMatchObject({ maxModels: 2, maxVersionsPerModel: 2 });
    // Independent oracle: the artifacts this workspace references, from the rows.
    const [oracle] = await db.query<{ storage: string; csv: string }[]>(
      `SELECT (SELECT SUM(size_bytes) FROM artifacts WHERE sha256 IN (
                 SELECT sha256 FROM model_versions WHERE workspace_id = $1
                 UNION SELECT source_sha256 FROM datasets WHERE workspace_id = $1
                 UNION SELECT columns_sha256 FROM datasets WHERE workspace_id = $1)) AS storage,
              (SELECT SUM(size_bytes) FROM datasets WHERE workspace_id = $1) AS csv`,
      [teamId],
    );
    expect(usage).toEqual({
      models: 2,
      storageBytes: Number(oracle?.storage),
      datasetBytes: Buffer.byteLength(csvOf(20)),
      runningJobs: 0,
      queuedJobs: 1,
      predictionsToday: 0,
      tokensToday: 0,
    });
    expect(usage.storageBytes).toBeGreaterThan(linear(1).byteLength + Buffer.byteLength(csvOf(20)));
  });

  it('the root key lists every workspace with its usage in a fixed number of queries', async () => {
    const query = `{ workspaces { name quota { maxModels } usage { models storageBytes } } }`;
    // The statements of the list and its usage (a key lookup or last-used write may come too).
    const listQueries = () =>
      api.queries.statements.filter((q) => /FROM "workspaces"|workspace_id = ANY/.test(q)).length;
    api.queries.reset();
    const two = await api.gql(query);
    const queriesForTwo = listQueries();
    for (const name of ['w3', 'w4', 'w5'])
      await api.gql(`mutation { createWorkspace(name: "${name}") { id } }`);
    api.queries.reset();
    const five = await api.gql(query);
    expect(two.data.workspaces).toHaveLength(2);
    expect(five.data.workspaces).toHaveLength(5);
    expect(listQueries()).toBe(queriesForTwo);
    expect(queriesForTwo).toBe(6);
    expect(five.data.workspaces.find((w: any) => w.name === 'team').usage.models).toBe(2);
    // Another workspace's quota is not readable through a key of this one.
    const denied = await api.gql(`{ workspaces { quota { maxModels } } }`, {}, admin);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('idempotency', () => {
  it('uploads: a retry returns the first version, another body is CONFLICT, concurrent ones make one', async () => {
    await setQuota({ maxVersionsPerModel: null, maxModels: null, maxDatasetBytes: null });
    expect((await createModel('idem')).errors).toBeUndefined();
    const first = await upload('idem', linear(5), 'upload-key-1');
    expect(first.status).toBe(201);
    const before = await counts();
    const retry = await upload('idem', linear(5), 'upload-key-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: first.body.id, version: first.body.version });
    const other = await upload('idem', linear(6), 'upload-key-1');
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('CONFLICT');
    expect(await counts()).toEqual(before);

    const together = await Promise.all(
      [1, 2, 3].map(() => upload('idem', linear(7), 'upload-key-2')),
    );
    expect(together.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(together.map((r) => r.body.id)).size).toBe(1);
    expect((await counts()).versions).toBe(before.versions + 1);

    const bad = await upload('idem', linear(7), 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_USER_INPUT');
  });

  it('createDataset and startTrainingJob', async () => {
    const csv = csvOf(10, 100);
    const first = await createDataset('idem-ds', csv, 'ds-key');
    const before = await counts();
    const retry = await createDataset('idem-ds', csv, 'ds-key');
    expect(retry.errors).toBeUndefined();
    expect(retry.data.createDataset.id).toBe(first.data.createDataset.id);
    const other = await createDataset('idem-ds', csvOf(11, 100), 'ds-key');
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const together = await Promise.all(
      [1, 2, 3].map(() => createDataset('idem-ds2', csv, 'ds-key-2')),
    );
    expect(new Set(together.map((r) => r.data?.createDataset.id)).size).toBe(1);
    expect((await counts()).datasets).toBe(before.datasets + 1);

    // The REST dataset upload takes the header.
    const post = async (body: string) => {
      const res = await fetch(`${api.url}/v1/datasets?name=rest-ds`, {
        method: 'POST',
        headers: {
          'content-type': 'text/csv',
          authorization: `Bearer ${admin}`,
          'idempotency-key': 'rest-key',
        },
        body,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const rest = await post(csv);
    expect(rest.status).toBe(201);
    expect((await post(csv)).body.id).toBe(rest.body.id);
    expect((await post(csvOf(3))).status).toBe(409);
    expect((await counts()).datasets).toBe(before.datasets + 2);

    const model = (await api.gql(`{ model(name: "idem") { id } }`, {}, admin)).data.model.id;
    const datasetId = first.data.createDataset.id;
    const jobs = await Promise.all([1, 2].map(() => startJob(model, datasetId, 'job-key')));
    expect(jobs[0]?.errors).toBeUndefined();
    expect(jobs[1]?.data.startTrainingJob.id).toBe(jobs[0]?.data.startTrainingJob.id);
    const again = await startJob(model, datasetId, 'job-key');
    expect(again.data.startTrainingJob.id).toBe(jobs[0]?.data.startTrainingJob.id);
    const otherJob = await startJob(model, datasetId, 'job-key', 'x');
    expect(otherJob.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await counts()).jobs).toBe(before.jobs + 1);
    const empty = await startJob(model, datasetId, '');
    expect(empty.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'idempotencyKey',
    });
  });

  it('a key older than 24 h is a new key, and the retention sweep removes it', async () => {
    const model = (await api.gql(`{ model(name: "idem") { id } }`, {}, admin)).data.model.id;
    const datasetId = (
      await api.gql(`{ datasets { edges { node { id name } } } }`, {}, admin)
    ).data.datasets.edges.find((e: any) => e.node.name === 'idem-ds').node.id;
    const first = (await startJob(model, datasetId, 'old-key')).data.startTrainingJob.id;
    await db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'`,
    );
    // Past the window: another request with the key is not a CONFLICT but a new job.
    const second = await startJob(model, datasetId, 'old-key', 'x');
    expect(second.errors).toBeUndefined();
    expect(second.data.startTrainingJob.id).not.toBe(first);
    await db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'`,
    );
    await sweepRetention(api);
    const left = await db.query<{ key: string }[]>('SELECT key FROM idempotency_keys');
    expect(left.map((r) => r.key)).not.toContain('old-key');
    expect(left.map((r) => r.key)).toContain('job-key');
  });
});
