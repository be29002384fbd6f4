import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getFreePorts } from '@maas/db';
import {
  cleanEnv,
  isAlive,
  portIsFree,
  REPO_ROOT,
  SUPERVISOR_MAIN,
  SupervisorProcess,
  waitUntilGone,
} from './supervisor-process';

const FAKE_API = path.join(__dirname, 'fixtures/fake-api.js');
const FAKE_WORKER = path.join(__dirname, 'fixtures/fake-worker.js');
const REAL_WORKER = path.resolve(__dirname, '..', '..', 'worker', 'dist', 'main.js');
const REAL_API = path.join(REPO_ROOT, 'apps/api/dist/main.js');

/**
 * A stand-in for apps/console: a folder with a "start" script and a `.next/BUILD_ID`, started as
 * the real one is (`npm run start`, so npm → sh → node: the server is a grandchild).
 */
async function writeFakeConsole(dir: string): Promise<void> {
  await mkdir(path.join(dir, '.next'), { recursive: true });
  await writeFile(path.join(dir, '.next', 'BUILD_ID'), 'fake\n');
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'fake-console', private: true, scripts: { start: 'node server.js' } }),
  );
  await writeFile(
    path.join(dir, 'server.js'),
    `const http = require('node:http');
const { PORT, CONSOLE_PORT, MAAS_API_URL } = process.env;
http.createServer((req, res) => res.end(JSON.stringify({ PORT, CONSOLE_PORT, MAAS_API_URL }))).listen(Number(PORT), () =>
  console.log('fake console pid ' + process.pid + ' on ' + PORT));
`,
  );
}

async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** SIGTERM, then: exit code 0, every child and PostgreSQL gone, their ports free again. */
async function stopAndCheckCleanShutdown(
  supervisor: SupervisorProcess,
  ports: { api: number; pg: number },
  dataDir: string,
): Promise<void> {
  const childPids = [...supervisor.startedPids().values()].flat();
  const pgPid = Number(/PostgreSQL is up \(pid (\d+)/.exec(supervisor.text)?.[1]);
  expect(childPids.length).toBeGreaterThan(0);
  expect(isAlive(pgPid)).toBe(true);

  supervisor.child.kill('SIGTERM');
  const exit = await supervisor.exit;
  expect(exit, supervisor.text).toEqual({ code: 0, signal: null });

  for (const pid of [...childPids, pgPid])
    expect(await waitUntilGone(pid), `pid ${pid}`).toBe(true);
  expect(await portIsFree(ports.api)).toBe(true);
  expect(await portIsFree(ports.pg, '127.0.0.1')).toBe(true);
  // A clean PostgreSQL shutdown removes its pid file.
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  // The database goes last, after every child reported its exit.
  const text = supervisor.text;
  const pgStop = text.indexOf('[maas] Stopping the embedded PostgreSQL');
  expect(pgStop).toBeGreaterThan(-1);
  for (const name of supervisor.startedPids().keys()) {
    const stopped = text.lastIndexOf(`[maas] ${name} stopped (`);
    expect(stopped, `${name} stopped before the database`).toBeGreaterThan(-1);
    expect(stopped).toBeLessThan(pgStop);
  }
  expect(text).toContain('[maas] Stopped.');
}

describe('supervisor, as a real process', () => {
  let tempRoot: string;
  let dataDir: string;

  beforeAll(async () => {
    // npm test builds everything first; a missing build is a failure, never a silent skip.
    for (const built of [SUPERVISOR_MAIN, REAL_API, REAL_WORKER]) {
      if (!existsSync(built))
        throw new Error(`${built} is missing: build first (npx turbo run build; npm test does).`);
    }
    tempRoot = await mkdtemp(path.join(tmpdir(), 'maas-supervisor-'));
    // Run as root, PostgreSQL runs as the user "postgres", which must traverse every folder above
    // its cluster; mkdtemp makes 0700 folders.
    await chmod(tempRoot, 0o711);
    dataDir = path.join(tempRoot, 'data');
  });

  afterAll(async () => {
    if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
  });

  it('starts PostgreSQL, migrates, hands children the database and a new admin key, restarts a killed child, and stops everything on SIGTERM', async () => {
    const [api, pg, consolePort] = (await getFreePorts(3)) as [number, number, number];
    const ports = { api, pg };
    const consoleDir = path.join(tempRoot, 'console');
    await writeFakeConsole(consoleDir);
    const supervisor = new SupervisorProcess(
      cleanEnv({
        MAAS_DATA_DIR: dataDir,
        MAAS_PG_PORT: String(ports.pg),
        PORT: String(ports.api),
        CONSOLE_PORT: String(consolePort),
        MAAS_API_ENTRY: FAKE_API,
        MAAS_WORKER_ENTRY: FAKE_WORKER,
        MAAS_CONSOLE_DIR: consoleDir,
      }),
    );
    try {
      await supervisor.waitFor(/\[maas\] Ready: API http:\/\/localhost:\d+\/graphql/);
      expect(supervisor.text).toContain(`[maas] API      http://localhost:${ports.api}/graphql`);
      expect((await getJson(`http://127.0.0.1:${ports.api}/healthz`)).status).toBe(200);

      // The admin key: generated, printed once, saved with mode 0600, handed to the children.
      const printed = /Admin API key: (\S+)/.exec(supervisor.text)?.[1] ?? '';
      expect(printed).toMatch(/^maas_[0-9a-f-]{36}_[\w-]{43}$/);
      const keyFile = path.join(dataDir, 'admin-key');
      expect(await readFile(keyFile, 'utf8')).toBe(`${printed}\n`);
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const { body: env } = await getJson(`http://127.0.0.1:${ports.api}/env`);
      expect(env).toMatchObject({
        DATABASE_URL: expect.stringMatching(new RegExp(`@127\\.0\\.0\\.1:${ports.pg}/maas$`)),
        ADMIN_API_KEY: printed,
        PORT: String(ports.api),
        MAAS_DATA_DIR: dataDir,
        MAAS_API_URL: `http://localhost:${ports.api}`,
        migrations: expect.any(Number),
      });
      expect((env as { migrations: number }).migrations).toBeGreaterThan(0);

      // Output passes through labelled; JSON lines stay JSON.
      expect(supervisor.stdout).toMatch(
        /^\{"child":"api","level":30,"msg":"fake api listening","port":\d+\}$/m,
      );
      expect(supervisor.text).toContain('[api] fake api: a plain stderr line');
      expect(supervisor.stdout).toMatch(/^\{"level":30,"name":"worker","msg":"fake worker up"\}$/m);

      // The console listens on CONSOLE_PORT (Next.js reads PORT) and finds the API at MAAS_API_URL.
      expect(supervisor.text).toContain(`[maas] Console  http://localhost:${consolePort}`);
      const consoleServer = await supervisor.waitFor(/\[console\] fake console pid (\d+) on (\d+)/);
      const consoleServerPid = Number(consoleServer[0]?.[1]);
      expect(await getJson(`http://127.0.0.1:${consolePort}/`)).toEqual({
        status: 200,
        body: {
          PORT: String(consolePort),
          CONSOLE_PORT: String(consolePort),
          MAAS_API_URL: `http://localhost:${ports.api}`,
        },
      });

      // A child that dies is restarted.
      const firstApi = supervisor.startedPids().get('api')?.[0] ?? -1;
      process.kill(firstApi, 'SIGKILL');
      await supervisor.waitFor(
        /\[maas\] warning: api exited unexpectedly \(killed by SIGKILL\); restarting in 1 s/,
      );
      await supervisor.waitFor(/\[maas\] api started \(pid \d+\)/, 30_000, 2);
      const secondApi = supervisor.startedPids().get('api')?.[1];
      expect(secondApi).not.toBe(firstApi);
      await supervisor.waitFor(/fake api listening/, 30_000, 2);
      expect((await getJson(`http://127.0.0.1:${ports.api}/healthz`)).status).toBe(200);

      await stopAndCheckCleanShutdown(supervisor, ports, dataDir);
      // The console's server is npm's grandchild: stopped with its process group.
      expect(await waitUntilGone(consoleServerPid)).toBe(true);
      expect(await portIsFree(consolePort)).toBe(true);
    } finally {
      await supervisor.ensureStopped();
    }
  }, 180_000);

  it('runs the real API and worker on the same data directory with the saved admin key', async () => {
    const [api, pg] = (await getFreePorts(2)) as [number, number];
    const ports = { api, pg };
    const supervisor = new SupervisorProcess(
      cleanEnv({
        MAAS_DATA_DIR: dataDir,
        MAAS_PG_PORT: String(ports.pg),
        PORT: String(ports.api),
        MAAS_CONSOLE_DIR: 'off',
        LOG_LEVEL: 'warn',
      }),
    );
    try {
      await supervisor.waitFor(/\[maas\] Ready: API/, 120_000);
      expect(supervisor.text).not.toContain('Admin API key:');
      const saved = (await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim();
      expect(saved.length).toBeGreaterThan(16);

      const health = await getJson(`http://127.0.0.1:${ports.api}/healthz`);
      expect(health).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
      // The API accepts the saved key as the root key, and only that key.
      const query = `http://127.0.0.1:${ports.api}/graphql?query=${encodeURIComponent('{ __typename }')}`;
      const withKey = await getJson(query, { authorization: `Bearer ${saved}` });
      expect(withKey).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      const withoutKey = await getJson(query, { authorization: `Bearer ${saved}x` });
      expect(withoutKey.status).toBe(401);

      // First start of an empty database: the seed example is trained and aliased production.
      await supervisor.waitFor(/Demo ready/, 120_000);
      const demo = await getJson(
        `http://127.0.0.1:${ports.api}/graphql?query=${encodeURIComponent('{ model(name: "demo-linear") { aliases { alias version { version source } } } }')}`,
        { authorization: `Bearer ${saved}` },
      );
      expect(demo.body).toEqual({
        data: {
          model: {
            aliases: [{ alias: 'production', version: { version: 1, source: 'TRAINING' } }],
          },
        },
      });
      // And the demo language models, uploaded as bundles after the platform said it was ready
      // (the seed never holds up the start; test/seed-demo.int.spec.ts checks them in depth).
      const seeded = await supervisor.waitFor(
        /Demo language model ready: deployment "([\w-]+)"/g,
        60_000,
        2,
      );
      expect(seeded.map((m) => m[1]).sort()).toEqual(['demo-chat', 'demo-embeddings']);
      expect(supervisor.text.indexOf('[maas] Ready:')).toBeLessThan(seeded[0]?.index ?? -1);
      const deployments = await getJson(
        `http://127.0.0.1:${ports.api}/graphql?query=${encodeURIComponent('{ deployments { name model { name task } } }')}`,
        { authorization: `Bearer ${saved}` },
      );
      expect(deployments.body).toEqual({
        data: {
          deployments: expect.arrayContaining([
            { name: 'demo-chat', model: { name: 'demo-gpt2', task: 'TEXT_GENERATION' } },
            { name: 'demo-embeddings', model: { name: 'demo-bert', task: 'EMBEDDING' } },
          ]),
        },
      });

      await stopAndCheckCleanShutdown(supervisor, ports, dataDir);
    } finally {
      await supervisor.ensureStopped();
    }
  }, 180_000);
});
