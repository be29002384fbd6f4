// The inference worker as its own process (dist/main.js), configured by its environment: artifacts
// from the disk cache alone, and cache misses read from the shared artifact store (@maas/db).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createArtifactStore } from '@maas/db';
import { ARTIFACT_SHA256_HEADER } from '@maas/inference';
import { buildMlpModel } from '@maas/onnx';
import { createTestDatabase, randomRows, type TestDatabase } from '@maas/testing';

const TOKEN = 'test-worker-token';
const WORKER_MAIN = join(__dirname, '..', 'dist', 'main.js');
const mlp = buildMlpModel({ inputSize: 10, hiddenLayers: [16], outputSize: 2, seed: 3 });
const mlpSha = createHash('sha256').update(mlp.bytes).digest('hex');

interface Worker {
  address: string;
  child: ChildProcess;
}

/** Starts the worker with `env` and resolves once it logs its address. */
async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH,
      INFERENCE_PORT: '0',
      INFERENCE_HOST: '127.0.0.1',
      INFERENCE_WORKER_TOKEN: TOKEN,
      INFERENCE_THREADS: '1',
      ORT_EXECUTION_PROVIDERS: 'cpu',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  return { address, child };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGTERM');
  await exited;
}

function infer(worker: Worker, sha256: string, rows: number[][]): Promise<Response> {
  return fetch(`${worker.address}/v2/models/some-version/infer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, [ARTIFACT_SHA256_HEADER]: sha256 },
    body: JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 10], data: rows.flat() }],
    }),
  });
}

async function expectForwardPass(res: Response, rows: number[][]): Promise<void> {
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { outputs: { data: number[] }[] };
  const expected = mlp.forward(rows).flat();
  const actual = answer.outputs[0]?.data ?? [];
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 4));
}

const dirs: string[] = [];
const cacheDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'maas-inference-worker-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the inference worker process', () => {
  it('without DATABASE_URL serves artifacts already in its disk cache, 404 for the rest', async () => {
    const dir = cacheDir();
    writeFileSync(join(dir, `${mlpSha}.onnx`), mlp.bytes);
    const worker = await startWorker({ INFERENCE_ARTIFACT_DIR: dir, DATABASE_URL: '' });
    try {
      const rows = randomRows(2, 10, 2);
      await expectForwardPass(await infer(worker, mlpSha, rows), rows);
      const missing = await infer(worker, 'a'.repeat(64), rows);
      expect(missing.status).toBe(404);
    } finally {
      await stopWorker(worker);
    }
  }, 60_000);

  it('without DATABASE_URL keeps its whole disk cache, whatever INFERENCE_DISK_CACHE_BYTES says (nothing removed could come back)', async () => {
    const dir = cacheDir();
    const dayAgo = new Date(Date.now() - 86_400_000);
    const model = join(dir, `${mlpSha}.onnx`);
    const other = join(dir, `${'c'.repeat(64)}.onnx`);
    writeFileSync(other, Buffer.alloc(20_000));
    writeFileSync(model, mlp.bytes);
    for (const file of [model, other]) utimesSync(file, dayAgo, dayAgo);
    const worker = await startWorker({
      INFERENCE_ARTIFACT_DIR: dir,
      DATABASE_URL: '',
      INFERENCE_DISK_CACHE_BYTES: '1',
    });
    try {
      const rows = randomRows(2, 10, 6);
      await expectForwardPass(await infer(worker, mlpSha, rows), rows);
      await new Promise((r) => setTimeout(r, 500));
      expect(existsSync(model) && existsSync(other)).toBe(true);
    } finally {
      await stopWorker(worker);
    }
  }, 60_000);

  it('refuses a negative INFERENCE_DISK_CACHE_BYTES at start, naming the variable', async () => {
    await expect(
      startWorker({ INFERENCE_ARTIFACT_DIR: cacheDir(), INFERENCE_DISK_CACHE_BYTES: '-1' }),
    ).rejects.toThrow(/INFERENCE_DISK_CACHE_BYTES/);
  }, 30_000);

  describe('with DATABASE_URL', () => {
    let db: TestDatabase;
    let worker: Worker;
    let dir: string;

    beforeAll(async () => {
      db = await createTestDatabase();
      const store = createArtifactStore({ databaseUrl: db.url });
      try {
        await store.put(Readable.from([mlp.bytes]));
      } finally {
        await store.close();
      }
      dir = cacheDir();
      worker = await startWorker({ INFERENCE_ARTIFACT_DIR: dir, DATABASE_URL: db.url });
    }, 60_000);
    afterAll(async () => {
      if (worker) await stopWorker(worker);
      await db?.drop();
    });

    it('fetches a miss from the shared artifact store into the disk cache, then serves it', async () => {
      expect(existsSync(join(dir, `${mlpSha}.onnx`))).toBe(false);
      const rows = randomRows(3, 10, 7);
      await expectForwardPass(await infer(worker, mlpSha, rows), rows);
      expect(existsSync(join(dir, `${mlpSha}.onnx`))).toBe(true);
    });

    it('answers 404 for an artifact the store does not have', async () => {
      const res = await infer(worker, 'b'.repeat(64), randomRows(1, 10));
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/does not exist/);
    });

    it('trims its disk cache to INFERENCE_DISK_CACHE_BYTES at start, oldest first, and serves on', async () => {
      const dir = cacheDir();
      const dayAgo = new Date(Date.now() - 86_400_000);
      const stale = ['c', 'd', 'e'].map((c) => join(dir, `${c.repeat(64)}.onnx`));
      for (const file of stale) {
        writeFileSync(file, Buffer.alloc(20_000));
        utimesSync(file, dayAgo, dayAgo);
      }
      const staleBundle = join(dir, 'bundles', 'f'.repeat(64));
      mkdirSync(staleBundle, { recursive: true });
      writeFileSync(join(staleBundle, 'model.onnx'), Buffer.alloc(20_000));
      utimesSync(staleBundle, dayAgo, dayAgo);
      // The model served is the newest entry: it stays.
      writeFileSync(join(dir, `${mlpSha}.onnx`), mlp.bytes);
      const worker = await startWorker({
        INFERENCE_ARTIFACT_DIR: dir,
        DATABASE_URL: db.url,
        INFERENCE_DISK_CACHE_BYTES: String(mlp.bytes.length + 25_000),
      });
      try {
        const deadline = Date.now() + 10_000;
        // 80 kB of stale entries over a budget of the model + 25 kB: three of the four go (they are
        // equally old, so which one stays is arbitrary).
        while (Date.now() < deadline && [...stale, staleBundle].filter(existsSync).length > 1)
          await new Promise((r) => setTimeout(r, 50));
        expect([...stale, staleBundle].filter(existsSync)).toHaveLength(1);
        expect(existsSync(join(dir, `${mlpSha}.onnx`))).toBe(true);
        const rows = randomRows(2, 10, 5);
        await expectForwardPass(await infer(worker, mlpSha, rows), rows);
      } finally {
        await stopWorker(worker);
      }
    }, 60_000);
  });
});
