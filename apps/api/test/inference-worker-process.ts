// A real inference worker process (`node apps/inference-worker/dist/main.js`) for the tests of
// INFERENCE_WORKERS: started on a port, against the test database's artifact store.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

export const WORKER_TOKEN = 'remote-inference-test-token';
const WORKER_MAIN = resolve(__dirname, '..', '..', 'inference-worker', 'dist', 'main.js');

export interface WorkerProcess {
  url: string;
  child: ChildProcess;
  output: string[];
}

/** `node apps/inference-worker/dist/main.js` on `port`, resolved once it listens. */
export async function startWorker(
  port: number,
  databaseUrl: string,
  cacheDir: string,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH,
      INFERENCE_PORT: String(port),
      INFERENCE_HOST: '127.0.0.1',
      INFERENCE_WORKER_TOKEN: WORKER_TOKEN,
      DATABASE_URL: databaseUrl,
      INFERENCE_ARTIFACT_DIR: cacheDir,
      ORT_EXECUTION_PROVIDERS: 'cpu',
      INFERENCE_THREADS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: WorkerProcess = { url: `http://127.0.0.1:${port}`, child, output: [] };
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`worker did not start:\n${worker.output.join('')}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      worker.output.push(chunk.toString());
      if (chunk.toString().includes('inference worker listening')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`worker exited with ${code}:\n${worker.output.join('')}`));
    });
  });
  return worker;
}

export function stopWorker(
  worker: WorkerProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    worker.child.once('exit', () => done());
    worker.child.kill(signal);
  });
}

/** A worker's own report (GET /v2 with the token): loaded sessions, decode batches. */
export async function workerMetadata(worker: WorkerProcess): Promise<{
  loaded_versions: number;
  execution_provider: string;
  generation: { version_id: string; running: number; queued: number }[];
}> {
  const res = await fetch(`${worker.url}/v2`, {
    headers: { authorization: `Bearer ${WORKER_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof workerMetadata>>;
}
