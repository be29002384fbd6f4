import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planChildren } from './child-plan';
import { loadSupervisorConfig } from './env';

const SHARED = {
  databaseUrl: 'postgres://u:p@127.0.0.1:5/maas',
  adminKey: 'maas_test_admin_key_0123',
};

describe('planChildren', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'maas-plan-'));
    await mkdir(path.join(root, 'apps/api/dist'), { recursive: true });
    await writeFile(path.join(root, 'apps/api/dist/main.js'), '');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const config = (env: NodeJS.ProcessEnv = {}) =>
    loadSupervisorConfig({ PORT: '4100', ...env }, root);

  it('starts the API with the shared database and key, and says why the rest is left out', () => {
    const plan = planChildren(config({ HOME: '/home/x' }), SHARED);
    expect(plan.children.map((c) => c.name)).toEqual(['api']);
    const [api] = plan.children;
    expect(api).toMatchObject({
      command: process.execPath,
      args: [path.join(root, 'apps/api/dist/main.js')],
      cwd: root,
    });
    expect(api?.env).toMatchObject({
      HOME: '/home/x',
      DATABASE_URL: SHARED.databaseUrl,
      ADMIN_API_KEY: SHARED.adminKey,
      PORT: '4100',
      CONSOLE_PORT: '3000',
      MAAS_API_URL: 'http://localhost:4100',
      MAAS_DATA_DIR: path.join(root, '.maas'),
    });
    expect(plan.skipped).toEqual([
      'worker: not started (apps/worker/dist/main.js does not exist yet)',
      'console: not started (apps/console does not exist yet)',
    ]);
  });

  it('refuses to start without a built API', async () => {
    await rm(path.join(root, 'apps/api/dist/main.js'));
    expect(() => planChildren(config(), SHARED)).toThrow(
      /The API is not built: apps\/api\/dist\/main\.js is missing/,
    );
  });

  it('adds the worker once built, and fails on an explicit entry that does not exist', async () => {
    await mkdir(path.join(root, 'apps/worker/dist'), { recursive: true });
    await writeFile(path.join(root, 'apps/worker/dist/main.js'), '');
    expect(planChildren(config(), SHARED).children.map((c) => c.name)).toEqual(['api', 'worker']);
    expect(() => planChildren(config({ MAAS_WORKER_ENTRY: 'nope.js' }), SHARED)).toThrow(
      /MAAS_WORKER_ENTRY: .*nope\.js does not exist/,
    );
  });

  it('starts a built console with `npm run start` on CONSOLE_PORT, without the outer npm settings', async () => {
    const dir = path.join(root, 'apps/console');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ scripts: { start: 'next start' } }),
    );
    expect(planChildren(config(), SHARED).skipped).toContain(
      'console: not started (not built: apps/console/.next is missing; run `npm run build`)',
    );

    await mkdir(path.join(dir, '.next'));
    await writeFile(path.join(dir, '.next/BUILD_ID'), 'x');
    const env = {
      CONSOLE_PORT: '3100',
      npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
      npm_config_registry: 'https://example.invalid/',
      npm_lifecycle_event: 'start',
      INIT_CWD: root,
    };
    const consoleChild = planChildren(config(env), SHARED).children.find(
      (c) => c.name === 'console',
    );
    expect(consoleChild).toMatchObject({
      command: process.execPath,
      args: ['/usr/lib/node_modules/npm/bin/npm-cli.js', 'run', 'start'],
      cwd: dir,
    });
    expect(consoleChild?.env).toMatchObject({
      PORT: '3100',
      CONSOLE_PORT: '3100',
      MAAS_API_URL: 'http://localhost:4100',
    });
    expect(consoleChild?.env).not.toHaveProperty('npm_config_registry');
    expect(consoleChild?.env).not.toHaveProperty('npm_lifecycle_event');
    expect(consoleChild?.env).not.toHaveProperty('INIT_CWD');
  });

  it('hands ADMIN_API_KEY to the API only, never to the worker or the console', async () => {
    await mkdir(path.join(root, 'apps/worker/dist'), { recursive: true });
    await writeFile(path.join(root, 'apps/worker/dist/main.js'), '');
    const dir = path.join(root, 'apps/console');
    await mkdir(path.join(dir, '.next'), { recursive: true });
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ scripts: { start: 'next start' } }),
    );
    await writeFile(path.join(dir, '.next/BUILD_ID'), 'x');
    // Also when the supervisor itself was started with ADMIN_API_KEY in its environment.
    const plan = planChildren(config({ ADMIN_API_KEY: SHARED.adminKey }), SHARED);
    const env = Object.fromEntries(plan.children.map((c) => [c.name, c.env]));
    expect(Object.keys(env)).toEqual(['api', 'worker', 'console']);
    expect(env.api).toMatchObject({ ADMIN_API_KEY: SHARED.adminKey });
    expect(env.worker).not.toHaveProperty('ADMIN_API_KEY');
    expect(env.console).not.toHaveProperty('ADMIN_API_KEY');
    expect(env.worker).toMatchObject({ DATABASE_URL: SHARED.databaseUrl });
    expect(env.console).toMatchObject({ DATABASE_URL: SHARED.databaseUrl });
  });
});
