import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildIdentityModel, buildMlpModel } from '@maas/onnx';
import {
  InferenceInputError,
  InferenceTimeoutError,
  VersionNotFoundError,
  WorkerUnavailableError,
  createInferenceEngine,
  createRemoteInferenceClient,
  rendezvousOrder,
  startInferenceServer,
} from '@maas/inference';
import type {
  DecodedTensor,
  InferenceEngine,
  InferenceServer,
  RemoteInferenceClient,
  VersionKey,
} from '@maas/inference';
import { randomRows } from '@maas/testing';
import { MemoryArtifacts, expectClose, fp32, rowsOf } from './fixtures';

const TOKEN = 'remote-test-token';

/** A worker: its own engine and OIP server, on a fixed port once it has one (to restart it there). */
interface TestWorker {
  engine: InferenceEngine;
  server: InferenceServer;
  connections: number;
}

async function startWorker(artifacts: MemoryArtifacts, port = 0): Promise<TestWorker> {
  // Like the disk cache, an unknown artifact is a VersionNotFoundError (the worker's 404).
  const loadArtifact = (key: VersionKey) =>
    artifacts
      .loader(key)
      .catch(() => Promise.reject(new VersionNotFoundError(`no artifact ${key.sha256}`)));
  const engine = await createInferenceEngine({ threads: 1, loadArtifact });
  const server = await startInferenceServer({ port, host: '127.0.0.1', token: TOKEN, engine });
  const worker: TestWorker = { engine, server, connections: 0 };
  server.app.server.on('connection', () => worker.connections++);
  return worker;
}

async function stopWorker(worker: TestWorker): Promise<void> {
  await worker.server.close();
  await worker.engine.close();
}

/** A plain HTTP server answering every request with `handler`. */
async function fakeWorker(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('remote inference client (two real OIP workers)', () => {
  const artifacts = new MemoryArtifacts();
  const mlp = buildMlpModel({ inputSize: 10, hiddenLayers: [64, 64], outputSize: 2, seed: 5 });
  const versions: VersionKey[] = Array.from({ length: 8 }, (_, i) =>
    artifacts.add(`mlp-${i}`, mlp.bytes),
  );
  const identity = artifacts.add(
    'identity',
    buildIdentityModel([
      { name: 'ids', datatype: 'INT64', shape: [-1] },
      { name: 'flags', datatype: 'BOOL', shape: [-1] },
      { name: 'words', datatype: 'BYTES', shape: [-1] },
    ]),
  );
  let a: TestWorker;
  let b: TestWorker;
  let client: RemoteInferenceClient;

  beforeAll(async () => {
    a = await startWorker(artifacts);
    b = await startWorker(artifacts);
    client = createRemoteInferenceClient({
      workers: [a.server.url, `${b.server.url}/`],
      token: TOKEN,
      healthIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await client.close();
    await stopWorker(a);
    await stopWorker(b);
  });

  it('runs each version on its rendezvous worker, with the same numbers as the model', async () => {
    const x = randomRows(4, 10, 9);
    for (const key of versions) {
      const out = await client.infer(key, { input: fp32(x) });
      expectClose(rowsOf(out.output), mlp.forward(x), 1e-4);
    }
    const onA = versions.filter(
      (v) => rendezvousOrder(v.id, client.workers)[0] === a.server.url,
    ).length;
    expect(onA).toBeGreaterThan(0);
    expect(onA).toBeLessThan(versions.length);
    expect(a.engine.status().loadedVersions).toBe(onA);
    expect(b.engine.status().loadedVersions).toBe(versions.length - onA);
    expect(client.route(versions[0]?.id ?? '')).toEqual(
      rendezvousOrder(versions[0]?.id ?? '', client.workers),
    );
  });

  it('carries INT64, BOOL and string tensors exactly, and returns only the outputs asked for', async () => {
    const inputs: Record<string, DecodedTensor> = {
      ids: { datatype: 'INT64', shape: [3], data: BigInt64Array.from([2n ** 60n + 1n, -7n, 0n]) },
      flags: { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
      words: { datatype: 'BYTES', shape: [2], data: ['zürich', 'a b'] },
    };
    const all = await client.infer(identity, inputs);
    expect(all.ids_out).toEqual(inputs.ids);
    expect(all.flags_out).toEqual(inputs.flags);
    expect(all.words_out).toEqual(inputs.words);
    const some = await client.infer(identity, inputs, { outputs: ['words_out'] });
    expect(Object.keys(some)).toEqual(['words_out']);
  });

  it('keeps connections alive across requests', async () => {
    const before = a.connections + b.connections;
    const key = versions[0] as VersionKey;
    for (let i = 0; i < 20; i++) await client.infer(key, { input: fp32(randomRows(1, 10, i)) });
    expect(a.connections + b.connections - before).toBeLessThanOrEqual(1);
  });

  it("maps a worker's 400 to InferenceInputError and its 404 to VersionNotFoundError", async () => {
    const key = versions[0] as VersionKey;
    const wrong = client.infer(key, { input: fp32(randomRows(2, 3)) });
    await expect(wrong).rejects.toBeInstanceOf(InferenceInputError);
    await expect(wrong).rejects.toThrow(/input 'input'.*\[-1, 10\]/);
    await expect(
      client.infer({ id: 'absent', sha256: 'a'.repeat(64) }, { input: fp32(randomRows(1, 10)) }),
    ).rejects.toBeInstanceOf(VersionNotFoundError);
    // Caller errors never mark a worker down.
    expect((await client.health()).every((w) => w.ok)).toBe(true);
  });

  it('reports the workers, their provider and loaded sessions', async () => {
    await client.health(); // status() reuses a probe younger than a second: make it a fresh one
    const status = await client.status();
    expect(status).toEqual({
      executionProvider: 'cpu',
      workers: 2,
      loadedVersions: a.engine.status().loadedVersions + b.engine.status().loadedVersions,
      loadedBytes: a.engine.status().loadedBytes + b.engine.status().loadedBytes,
    });
  });

  it('fails over to the next worker when one is gone, reports it, and takes it back once it answers again', async () => {
    const port = a.server.port;
    await stopWorker(a);
    const x = randomRows(3, 10, 4);
    for (const key of versions)
      expectClose(
        rowsOf((await client.infer(key, { input: fp32(x) })).output),
        mlp.forward(x),
        1e-4,
      );
    const identityOnB = rendezvousOrder(identity.id, client.workers)[0] === b.server.url ? 1 : 0;
    expect(b.engine.status().loadedVersions).toBe(versions.length + identityOnB);
    const health = await client.health();
    expect(health.find((w) => w.url === a.server.url)).toEqual({
      url: a.server.url,
      ok: false,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(health.find((w) => w.url === b.server.url)).toEqual({ url: b.server.url, ok: true });
    expect((await client.status()).workers).toBe(1);

    a = await startWorker(artifacts, port);
    expect((await client.health()).every((w) => w.ok)).toBe(true);
    const back = versions.find(
      (v) => rendezvousOrder(v.id, client.workers)[0] === a.server.url,
    ) as VersionKey;
    await client.infer(back, { input: fp32(x) });
    expect(a.engine.status().loadedVersions).toBe(1);
  });
});

describe('remote inference client failures', () => {
  const key = { id: 'v1', sha256: 'b'.repeat(64) };
  const input = { input: fp32([[1, 2]]) };
  const servers: Server[] = [];
  const clients: RemoteInferenceClient[] = [];
  const make = (workers: string[], options: { timeoutMs?: number; token?: string } = {}) => {
    const client = createRemoteInferenceClient({
      workers,
      token: options.token ?? TOKEN,
      healthIntervalMs: 0,
      timeoutMs: options.timeoutMs,
    });
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map(closeServer));
  });

  it('fails over on 503 and marks that worker down; a 5xx-unavailable fleet is WorkerUnavailableError', async () => {
    const unavailable = await fakeWorker((_req, res) =>
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"error":"inference engine closed"}'),
    );
    const answered: string[] = [];
    const healthy = await fakeWorker((req, res) => {
      answered.push(req.headers.authorization ?? '');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          '{"model_name":"v1","outputs":[{"name":"y","datatype":"FP32","shape":[1],"data":[3]}]}',
        );
    });
    servers.push(unavailable.server, healthy.server);
    const client = make([unavailable.url, healthy.url]);
    // A version id whose first choice is the unavailable worker.
    const id =
      Array.from({ length: 50 }, (_, i) => `v${i}`).find(
        (v) => rendezvousOrder(v, client.workers)[0] === unavailable.url,
      ) ?? '';
    const out = await client.infer({ ...key, id }, input);
    expect(Array.from(out.y?.data as Float32Array)).toEqual([3]);
    expect(answered).toEqual([`Bearer ${TOKEN}`]);
    expect(client.route(id)).toEqual([healthy.url, unavailable.url]);

    const lonely = make([unavailable.url]);
    await expect(lonely.infer(key, input)).rejects.toThrow(WorkerUnavailableError);
    await expect(lonely.infer(key, input)).rejects.toThrow(/HTTP 503: inference engine closed/);
  });

  it('turns the deadline into InferenceTimeoutError without failing over', async () => {
    let calls = 0;
    const hanging = await fakeWorker(() => {
      calls++; // never answers
    });
    servers.push(hanging.server);
    const client = make([hanging.url, 'http://127.0.0.1:9'], { timeoutMs: 150 });
    const started = performance.now();
    await expect(client.infer(key, input)).rejects.toBeInstanceOf(InferenceTimeoutError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(calls).toBe(1);
  });

  it('says so when a worker refuses our token', async () => {
    const engine = await createInferenceEngine({ threads: 1 });
    const server = await startInferenceServer({
      port: 0,
      host: '127.0.0.1',
      token: 'another-token',
      engine,
    });
    try {
      const client = make([server.url]);
      expect(await client.health()).toEqual([
        {
          url: server.url,
          ok: false,
          error: expect.stringMatching(/refused our INFERENCE_WORKER_TOKEN \(HTTP 401\)/),
        },
      ]);
      await expect(client.infer(key, input)).rejects.toThrow(/refused our INFERENCE_WORKER_TOKEN/);
    } finally {
      await server.close();
      await engine.close();
    }
  });

  it('refuses bad configuration with a clear message', () => {
    expect(() => createRemoteInferenceClient({ workers: ['http://a:1'], token: '' })).toThrow(
      /INFERENCE_WORKER_TOKEN/,
    );
    expect(() => createRemoteInferenceClient({ workers: ['nope'], token: TOKEN })).toThrow(
      /'nope' is not a URL/,
    );
    expect(() => createRemoteInferenceClient({ workers: ['ftp://a:1'], token: TOKEN })).toThrow(
      /http:\/\//,
    );
    expect(() =>
      createRemoteInferenceClient({ workers: ['http://a:1', 'http://a:1/'], token: TOKEN }),
    ).toThrow(/twice/);
    expect(() => createRemoteInferenceClient({ workers: [' '], token: TOKEN })).toThrow(
      /no worker URL/,
    );
  });
});
