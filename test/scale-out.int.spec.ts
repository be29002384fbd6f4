// The scale-out shape of docs/operations.md, as plain processes: two API replicas, two training
// workers and one inference worker against one PostgreSQL. What one replica does, the other sees:
// a subscription on A follows a job started through B; a key revoked through A is refused by B
// within a second; a model uploaded through A predicts through B; SIGKILL of A leaves B serving
// and a running job finishing.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getFreePort } from '@maas/db';
import { buildLinearModel } from '@maas/onnx';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import { seedExampleCsv } from '@maas/training';

const ROOT = path.resolve(__dirname, '..');
const API_MAIN = path.join(ROOT, 'apps/api/dist/main.js');
const WORKER_MAIN = path.join(ROOT, 'apps/worker/dist/main.js');
const INFERENCE_MAIN = path.join(ROOT, 'apps/inference-worker/dist/main.js');
const TOKEN = `scale-out-${randomBytes(8).toString('hex')}`;
const ADMIN_KEY = `maas_root_${randomBytes(18).toString('base64url')}`;
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

function start(name: string, main: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, output: [] };
  child.stdout?.on('data', (d: Buffer) => proc.output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => proc.output.push(d.toString()));
  return proc;
}

function alive(proc: Proc): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

function stop(proc: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!alive(proc)) return Promise.resolve();
  return new Promise((done) => {
    proc.child.once('exit', () => done());
    proc.child.kill(signal);
    setTimeout(() => proc.child.kill('SIGKILL'), 10_000).unref();
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

class Replica {
  constructor(
    readonly proc: Proc,
    readonly url: string,
  ) {}

  async gql(query: string, variables: Record<string, unknown> = {}, key = ADMIN_KEY) {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: any[] };
    return { status: res.status, ...body };
  }

  ws(key = ADMIN_KEY): Client {
    return createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazy: true,
    });
  }
}

let db: TestDatabase;
let cacheDir: string;
const procs: Proc[] = [];
let a: Replica;
let b: Replica;

beforeAll(async () => {
  db = await createTestDatabase();
  cacheDir = mkdtempSync(path.join(tmpdir(), 'maas-scale-out-'));
  const inferencePort = await getFreePort();
  const inferenceUrl = `http://127.0.0.1:${inferencePort}`;
  const inference = start('inference-worker', INFERENCE_MAIN, {
    DATABASE_URL: db.url,
    INFERENCE_PORT: String(inferencePort),
    INFERENCE_HOST: '127.0.0.1',
    INFERENCE_WORKER_TOKEN: TOKEN,
    INFERENCE_ARTIFACT_DIR: cacheDir,
    ORT_EXECUTION_PROVIDERS: 'cpu',
    INFERENCE_THREADS: '1',
  });
  procs.push(inference);
  for (const n of [1, 2]) {
    procs.push(
      start(`worker-${n}`, WORKER_MAIN, {
        DATABASE_URL: db.url,
        MAAS_WORKER_ID: `scale-out-worker-${n}`,
        DB_POOL_SIZE: '3',
      }),
    );
  }
  const replicas: Replica[] = [];
  for (const n of ['a', 'b']) {
    const port = await getFreePort();
    const proc = start(`api-${n}`, API_MAIN, {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_KEY,
      INFERENCE_WORKERS: inferenceUrl,
      INFERENCE_WORKER_TOKEN: TOKEN,
      DB_POOL_SIZE: '4',
    });
    procs.push(proc);
    replicas.push(new Replica(proc, `http://127.0.0.1:${port}`));
  }
  [a, b] = replicas as [Replica, Replica];
  for (const replica of replicas) {
    await until(
      `${replica.proc.name} and its inference worker`,
      async () => {
        if (!alive(replica.proc)) throw new Error(replica.proc.output.join(''));
        const res = await fetch(`${replica.url}/healthz`);
        const body = (await res.json()) as { inferenceWorkers?: { ok: boolean }[] };
        return res.status === 200 && body.inferenceWorkers?.every((w) => w.ok) ? true : undefined;
      },
      60_000,
      250,
    ).catch((err: unknown) => {
      const logs = procs.map((p) => `--- ${p.name}\n${p.output.join('')}`).join('\n');
      throw new Error(`${String(err)}\n${logs}`);
    });
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  await db?.drop();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

async function createModelAndDataset(via: Replica, name: string) {
  const model = await via.gql(
    `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
    { n: name },
  );
  expect(model.errors).toBeUndefined();
  const dataset = await via.gql(
    `mutation($n: String!, $csv: String!) { createDataset(name: $n, csv: $csv) { id } }`,
    { n: `${name}-data`, csv: seedExampleCsv(400, 42) },
  );
  expect(dataset.errors).toBeUndefined();
  return { modelId: model.data.createModel.id as string, datasetId: dataset.data.createDataset.id };
}

describe('two API replicas, two workers and an inference worker on one PostgreSQL', () => {
  it('a subscription on A follows a job started through B, run by one of the workers', async () => {
    const { modelId, datasetId } = await createModelAndDataset(b, 'followed');
    const started = await b.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id status } }`,
      {
        i: {
          modelId,
          datasetId,
          algorithm: 'LINEAR_REGRESSION',
          target: 'y',
          hyperparameters: { epochs: 60 },
        },
      },
    );
    expect(started.errors).toBeUndefined();
    const jobId = started.data.startTrainingJob.id as string;
    const client = a.ws();
    const seen: { status: string; epoch: number | null }[] = [];
    try {
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no end: ${JSON.stringify(seen)}`)), 60_000);
        client.subscribe<{ trainingJobUpdated: { status: string; epoch: number | null } }>(
          {
            query: `subscription($id: ID!) { trainingJobUpdated(id: $id) { status epoch } }`,
            variables: { id: jobId },
          },
          {
            next: (r) => {
              if (r.data) seen.push(r.data.trainingJobUpdated);
            },
            error: (e) => fail(e instanceof Error ? e : new Error(JSON.stringify(e))),
            complete: () => {
              clearTimeout(timer);
              done();
            },
          },
        );
      });
    } finally {
      await client.dispose();
    }
    expect(seen.at(-1)?.status).toBe('SUCCEEDED');
    // Epoch updates arrived on A, in order, from whichever worker ran the job.
    const epochs = seen.map((s) => s.epoch).filter((e): e is number => e !== null);
    expect(epochs.length).toBeGreaterThan(1);
    expect([...epochs].sort((x, y) => x - y)).toEqual(epochs);
    const job = await a.gql(
      `query($id: ID!) { trainingJob(id: $id) { status resultVersion { version } } }`,
      { id: jobId },
    );
    expect(job.data.trainingJob).toEqual({ status: 'SUCCEEDED', resultVersion: { version: 1 } });
    const owner = await b.gql(`query($id: ID!) { trainingJob(id: $id) { status } }`, { id: jobId });
    expect(owner.data.trainingJob.status).toBe('SUCCEEDED');
  }, 90_000);

  it('a key revoked through A is refused by B within a second', async () => {
    const created = await a.gql(
      `mutation { createApiKey(name: "short-lived", role: VIEWER) { secret apiKey { id } } }`,
    );
    expect(created.errors).toBeUndefined();
    const { secret } = created.data.createApiKey;
    const keyId = created.data.createApiKey.apiKey.id;
    // B has seen (and cached) the key before the revocation.
    expect((await b.gql('{ viewer { role } }', {}, secret)).data).toEqual({
      viewer: { role: 'VIEWER' },
    });
    const revoked = await a.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
      id: keyId,
    });
    expect(revoked.errors).toBeUndefined();
    const revokedAt = Date.now();
    await until(
      'B to refuse the revoked key',
      async () =>
        (await b.gql('{ viewer { role } }', {}, secret)).status === 401 ? true : undefined,
      5_000,
      25,
    );
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  it('a key revoked through A closes its open WebSocket on B within a second', async () => {
    const created = await a.gql(
      `mutation { createApiKey(name: "ws-revoked", role: VIEWER) { secret apiKey { id } } }`,
    );
    expect(created.errors).toBeUndefined();
    const client = b.ws(created.data.createApiKey.secret as string);
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      client.on('closed', (e) => resolve({ code: (e as { code: number }).code, at: Date.now() })),
    );
    // A subscription that stays open (nothing is training in this workspace right now).
    client.subscribe(
      { query: 'subscription { trainingJobsUpdated { id } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await connected;
    const revoked = await a.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
      id: created.data.createApiKey.apiKey.id,
    });
    expect(revoked.errors).toBeUndefined();
    const revokedAt = Date.now();
    const close = await Promise.race([
      closed,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000)),
    ]);
    expect(close, "B kept the revoked key's socket open").not.toBeNull();
    expect(close!.code).toBe(4403);
    expect(close!.at - revokedAt).toBeLessThan(1_000);
    await client.dispose();
  });

  it('a model uploaded through A predicts through B, on the inference worker', async () => {
    await a.gql(`mutation { createModel(input: { name: "uploaded", task: REGRESSION }) { id } }`);
    const upload = await fetch(`${a.url}/v1/models/uploaded/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/octet-stream' },
      body: buildLinearModel({ weights: [[3, -2]], bias: [0.5] }),
    });
    expect(upload.status).toBe(201);
    const res = await b.gql(
      `{ predict(input: { model: "uploaded", inputs: { input: [[1, 1], [2, 0.25]] } }) { outputs modelVersion { version } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.predict).toEqual({
      outputs: { output: [[3 - 2 + 0.5], [6 - 0.5 + 0.5]] },
      modelVersion: { version: 1 },
    });
    const inference = await (await fetch(`${b.url}/healthz`)).json();
    expect(inference).toMatchObject({ status: 'ok', inferenceWorkers: [{ ok: true }] });
  });

  it('SIGKILL of A leaves B serving and a job started through A finishing', async () => {
    const { modelId, datasetId } = await createModelAndDataset(a, 'orphaned-replica');
    const started = await a.gql(
      `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
      {
        i: {
          modelId,
          datasetId,
          algorithm: 'MLP',
          target: 'y',
          hyperparameters: { epochs: 150, hiddenLayers: [16] },
        },
      },
    );
    expect(started.errors).toBeUndefined();
    const jobId = started.data.startTrainingJob.id as string;
    const jobOnB = async () =>
      (await b.gql(`query($id: ID!) { trainingJob(id: $id) { status epoch } }`, { id: jobId })).data
        ?.trainingJob as { status: string; epoch: number | null } | undefined;
    await until(
      'the job to start',
      async () => ((await jobOnB())?.status === 'RUNNING' ? true : undefined),
      30_000,
    );

    await stop(a.proc, 'SIGKILL');
    expect(a.proc.child.signalCode).toBe('SIGKILL');
    const health = await fetch(`${b.url}/healthz`);
    expect(health.status).toBe(200);
    const predict = await b.gql(
      `{ predict(input: { model: "uploaded", inputs: { input: [[1, 1]] } }) { outputs } }`,
    );
    expect(predict.data?.predict.outputs).toEqual({ output: [[1.5]] });

    const finished = await until(
      'the job to finish',
      async () => {
        const job = await jobOnB();
        return job && TERMINAL.includes(job.status) ? job : undefined;
      },
      60_000,
      250,
    );
    expect(finished).toMatchObject({ status: 'SUCCEEDED' });
    const version = await b.gql(
      `query($id: ID!) { trainingJob(id: $id) { resultVersion { version source } } }`,
      { id: jobId },
    );
    expect(version.data.trainingJob.resultVersion).toEqual({ version: 1, source: 'TRAINING' });
  }, 120_000);
});
