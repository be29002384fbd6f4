// The API with INFERENCE_WORKERS: two real inference worker processes reading artifacts from the
// test database's store, versions spread over them by rendezvous hashing, failover when one dies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@maas/api';
import { getFreePorts } from '@maas/db';
import { rendezvousOrder, type InferenceEngine } from '@maas/inference';
import { buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInferenceBackend } from '../src/modules/predictions/inference-backend';
import { startTestApi, type TestApi } from './api-harness';
import {
  startWorker,
  stopWorker,
  workerMetadata,
  WORKER_TOKEN as TOKEN,
  type WorkerProcess,
} from './inference-worker-process';

const PREDICT = `query($input: PredictInput!) { predict(input: $input) { outputs modelVersion { id version } } }`;

async function healthz(api: TestApi): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}/healthz`);
  return { status: res.status, body: await res.json() };
}

let api: TestApi;
const workers: WorkerProcess[] = [];
const cacheDirs: string[] = [];
/** version number → [id, weight, bias] of y = weight·x1 + x2 + bias */
const versions: { id: string; version: number; weight: number; bias: number }[] = [];

const expected = (v: { weight: number; bias: number }, x1: number, x2: number) =>
  v.weight * x1 + x2 + v.bias;

beforeAll(async () => {
  const ports = await getFreePorts(2);
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  api = await startTestApi({ INFERENCE_WORKERS: urls.join(','), INFERENCE_WORKER_TOKEN: TOKEN });
  const databaseUrl = api.server.services.config.DATABASE_URL;
  for (const port of ports) {
    const dir = mkdtempSync(join(tmpdir(), 'maas-worker-cache-'));
    cacheDirs.push(dir);
    workers.push(await startWorker(port, databaseUrl, dir));
  }
  await api.gql(`mutation { createModel(input: { name: "line", task: REGRESSION }) { id } }`);
  // Versions until each worker is the first choice of at least two.
  for (let i = 1; i <= 16; i++) {
    const weight = i;
    const bias = i / 4;
    const up = await api.upload('line', buildLinearModel({ weights: [[weight, 1]], bias: [bias] }));
    expect(up.status).toBe(201);
    versions.push({ id: up.body.id, version: up.body.version, weight, bias });
    const firsts = versions.map((v) => rendezvousOrder(v.id, urls)[0]);
    if (i >= 4 && urls.every((u) => firsts.filter((f) => f === u).length >= 2)) break;
  }
  // The API's first probe may have run before the workers listened.
  expect((await healthz(api)).body).toEqual({
    status: 'ok',
    inferenceWorkers: urls.map((url) => ({ url, ok: true })),
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w, 'SIGKILL')));
  await api?.close();
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
});

describe('predictions on remote inference workers', () => {
  it('serves GraphQL predict and OIP infer through the workers, with the right numbers', async () => {
    for (const v of versions) {
      const res = await api.gql(PREDICT, {
        input: {
          model: 'line',
          version: v.version,
          inputs: {
            input: [
              [2, 3],
              [0.5, -1],
            ],
          },
        },
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.predict.modelVersion.id).toBe(v.id);
      expect(res.data.predict.outputs.output).toEqual([
        [expected(v, 2, 3)],
        [expected(v, 0.5, -1)],
      ]);
    }
    const last = versions[versions.length - 1] as (typeof versions)[number];
    const oip = await fetch(`${api.url}/v2/models/line/versions/${last.version}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 2], data: [1, 1] }],
      }),
    });
    expect(oip.status).toBe(200);
    expect(await oip.json()).toMatchObject({
      model_version: String(last.version),
      outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 1], data: [expected(last, 1, 1)] }],
    });
    const bad = await api.gql(PREDICT, {
      input: { model: 'line', inputs: { input: [[1, 2, 3]] } },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('loads each version on its rendezvous worker only, so both workers serve', async () => {
    const urls = workers.map((w) => w.url);
    const counts = urls.map(
      (url) => versions.filter((v) => rendezvousOrder(v.id, urls)[0] === url).length,
    );
    expect(counts.every((n) => n >= 2)).toBe(true);
    for (const [i, worker] of workers.entries()) {
      const meta = await workerMetadata(worker);
      expect(meta.loaded_versions).toBe(counts[i]);
      expect(meta.execution_provider).toBe('cpu');
    }
    // The client probes workers at most once a second: poll until a fresh probe is reported.
    let status = await api.gql(`{ inferenceStatus { executionProvider workers loadedVersions } }`);
    for (let i = 0; i < 30 && status.data.inferenceStatus.loadedVersions !== versions.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await api.gql(`{ inferenceStatus { executionProvider workers loadedVersions } }`);
    }
    expect(status.data.inferenceStatus).toEqual({
      executionProvider: 'cpu',
      workers: 2,
      loadedVersions: versions.length,
    });
  });

  it('workers refuse callers without the right token', async () => {
    const worker = workers[0] as WorkerProcess;
    const v = versions[0] as (typeof versions)[number];
    const body = JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 2], data: [1, 1] }],
    });
    for (const authorization of ['Bearer wrong-token', '']) {
      const res = await fetch(`${worker.url}/v2/models/${v.id}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body,
      });
      expect(res.status).toBe(401);
    }
  });

  it('keeps serving when a worker dies, and /healthz names the dead one', async () => {
    const [dead, alive] = workers as [WorkerProcess, WorkerProcess];
    await stopWorker(dead, 'SIGKILL');
    const results = await Promise.all(
      versions.map((v) =>
        api.gql(PREDICT, {
          input: { model: 'line', version: v.version, inputs: { input: [[1, 2]] } },
        }),
      ),
    );
    results.forEach((res, i) => {
      const v = versions[i] as (typeof versions)[number];
      expect(res.errors).toBeUndefined();
      expect(res.data.predict.outputs.output).toEqual([[expected(v, 1, 2)]]);
    });
    expect((await workerMetadata(alive)).loaded_versions).toBe(versions.length);
    const health = await healthz(api);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'degraded',
      inferenceWorkers: [
        { url: dead.url, ok: false, error: expect.stringMatching(/ECONNREFUSED/) },
        { url: alive.url, ok: true },
      ],
    });
    const status = await api.gql(`{ inferenceStatus { workers } }`);
    expect(status.data.inferenceStatus.workers).toBe(1);
  });

  it('refuses INFERENCE_WORKERS without INFERENCE_WORKER_TOKEN, naming both', () => {
    // Refused when the configuration is read, before anything is opened.
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://unused', INFERENCE_WORKERS: 'http://127.0.0.1:1' }),
    ).toThrow(/INFERENCE_WORKERS is set, so INFERENCE_WORKER_TOKEN must be too/);
    const logger = api.server.services.logger;
    const bad = loadConfig({
      DATABASE_URL: 'postgres://unused',
      INFERENCE_WORKERS: 'not a url',
      INFERENCE_WORKER_TOKEN: 't',
    });
    expect(() => createInferenceBackend(bad, {} as InferenceEngine, logger)).toThrow(
      /'not a url' is not a URL/,
    );
  });
});
