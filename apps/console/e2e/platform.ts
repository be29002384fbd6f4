// Starts the whole platform as `npm start` does (the supervisor: embedded PostgreSQL in a fresh
// folder, migrations, API, worker, built console) on free ports, for one e2e run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getFreePorts } from '@maas/db';

export const repoRoot = path.resolve(__dirname, '../../..');
const supervisorMain = path.join(repoRoot, 'apps/supervisor/dist/main.js');

export interface RunningPlatform {
  apiUrl: string;
  consoleUrl: string;
  adminKey: string;
  /** Everything the supervisor printed so far (for failure messages). */
  log: () => string;
  stop: () => Promise<void>;
}

function required(file: string, hint: string): void {
  if (!existsSync(file)) throw new Error(`${path.relative(repoRoot, file)} is missing: ${hint}`);
}

/** Starts the platform and resolves once the supervisor says it is ready. */
export async function startPlatform(
  options: {
    timeoutMs?: number;
    /** More variables for the supervisor and its children (e.g. `MAAS_SEED_DEMO: 'false'`). */
    env?: Record<string, string>;
  } = {},
): Promise<RunningPlatform> {
  required(supervisorMain, 'build first (`npx turbo run build`)');
  required(path.join(repoRoot, 'apps/api/dist/main.js'), 'build first (`npx turbo run build`)');
  required(
    path.join(repoRoot, 'apps/console/.next/BUILD_ID'),
    'build the console first (`npm run build -w @maas/console`)',
  );

  const dataDir = await mkdtemp(path.join(tmpdir(), 'maas-console-e2e-'));
  const [apiPort, consolePort, pgPort] = await getFreePorts(3);
  const adminKey = `maas_e2e_${randomBytes(12).toString('hex')}`;
  const apiUrl = `http://localhost:${apiPort}`;
  const consoleUrl = `http://localhost:${consolePort}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    MAAS_DATA_DIR: dataDir,
    MAAS_PG_PORT: String(pgPort),
    PORT: String(apiPort),
    CONSOLE_PORT: String(consolePort),
    MAAS_API_URL: apiUrl,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [supervisorMain], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (!/\bReady: API /.test(output)) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`The supervisor exited (${child.exitCode}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The platform was not ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { apiUrl, consoleUrl, adminKey, log: () => output, stop };
}

export interface GraphQLAnswer<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** One GraphQL request to the platform's API as `apiKey`, as any client would send it. */
export async function apiGraphql<T = Record<string, unknown>>(
  apiUrl: string,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer<T>> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLAnswer<T>;
}
