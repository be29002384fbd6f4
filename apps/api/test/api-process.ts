// The API as a real process (`node apps/api/dist/main.js`) against a fresh test database, for
// attack tests: what a hostile request does to the process a user runs, not to an in-test server.
// `expectStillServing` is the check every attack test ends with: the process is alive, /healthz
// answers, and a normal predict on another model returns the right numbers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getFreePort } from '@maas/db';
import { buildLinearModel } from '@maas/onnx';
import { expect } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import { apiClient, type GraphQLResponse } from './api-harness';

const API_MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
/** The model every attack test predicts on afterwards: y = 2·x1 − x2 + 0.25. */
export const SENTINEL_MODEL = 'sentinel';

export interface ApiProcess {
  url: string;
  adminKey: string;
  databaseUrl: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  alive(): boolean;
  /** Resident memory of the process in bytes (Linux /proc). */
  rssBytes(): number;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
  ): Promise<GraphQLResponse<T>>;
  upload(
    modelName: string,
    bytes: Uint8Array,
    key?: string,
  ): Promise<{ status: number; body: any }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Options of {@link startApiProcess}. */
export interface ApiProcessOptions {
  /**
   * Another replica: run against this database (e.g. another process's `databaseUrl`) instead of
   * a new one; the sentinel model is expected to be there already, and `stop` leaves the
   * database to its owner.
   */
  databaseUrl?: string;
  /** The root key (ADMIN_API_KEY) to start with; default a new random one. */
  adminKey?: string;
}

/**
 * Starts `node apps/api/dist/main.js` on a free 127.0.0.1 port against a new copy of the migrated
 * template database, waits for /healthz, and registers the sentinel model (version 1).
 */
export async function startApiProcess(
  env: Record<string, string> = {},
  options: ApiProcessOptions = {},
): Promise<ApiProcess> {
  const database: TestDatabase = options.databaseUrl
    ? { url: options.databaseUrl, name: '', drop: () => Promise.resolve() }
    : await createTestDatabase();
  const adminKey = options.adminKey ?? `maas_root_${randomBytes(18).toString('base64url')}`;
  const port = await getFreePort();
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: database.url,
      ADMIN_API_KEY: adminKey,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ORT_EXECUTION_PROVIDERS: 'cpu',
      DB_POOL_SIZE: '5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;

  const { gql, upload } = apiClient(url, adminKey);

  const api: ApiProcess = {
    url,
    adminKey,
    databaseUrl: database.url,
    child,
    output: () => chunks.join(''),
    alive,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
    gql,
    upload,
    async stop(signal = 'SIGTERM') {
      if (alive()) {
        await new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill(signal);
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        });
      }
      await database.drop();
    },
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!alive()) throw new Error(`the API exited at start:\n${api.output()}`);
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await api.stop('SIGKILL');
      throw new Error(`the API did not answer /healthz within 60 s:\n${api.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (options.databaseUrl) return api;
  const created = await gql(
    `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
    { n: SENTINEL_MODEL },
  );
  if (created.errors) throw new Error(`createModel failed: ${JSON.stringify(created.errors)}`);
  const up = await api.upload(
    SENTINEL_MODEL,
    buildLinearModel({ weights: [[2, -1]], bias: [0.25] }),
  );
  if (up.status !== 201) throw new Error(`sentinel upload failed: ${JSON.stringify(up.body)}`);
  return api;
}

/**
 * What every attack test checks after its attack: the process is alive, /healthz answers 200,
 * and a normal predict on the sentinel model returns the right numbers, within `withinMs`.
 */
export async function expectStillServing(api: ApiProcess, withinMs = 5_000): Promise<void> {
  expect(api.alive(), `the API process died:\n${api.output().slice(-4000)}`).toBe(true);
  const started = Date.now();
  const signal = AbortSignal.timeout(withinMs);
  const health = await fetch(`${api.url}/healthz`, { signal });
  expect(health.status).toBe(200);
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
    body: JSON.stringify({
      query: `{ predict(input: { model: "${SENTINEL_MODEL}", inputs: { input: [[1, 2], [3, 0.5]] } }) { outputs } }`,
    }),
  });
  const body = (await res.json()) as { data?: { predict: { outputs: unknown } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data?.predict.outputs).toEqual({ output: [[0.25], [5.75]] });
  expect(Date.now() - started).toBeLessThan(withinMs);
}
