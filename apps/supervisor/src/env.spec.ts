import path from 'node:path';
import { loadMigrateConfig, loadSupervisorConfig } from './env';

const ROOT = '/repo';

describe('loadSupervisorConfig', () => {
  it('applies the documented defaults, with paths under the repository root', () => {
    const config = loadSupervisorConfig({}, ROOT);
    expect(config).toMatchObject({
      repoRoot: ROOT,
      dataDir: path.join(ROOT, '.maas'),
      databaseUrl: undefined,
      pgPort: 54329,
      apiPort: 4000,
      consolePort: 3000,
      apiUrl: 'http://localhost:4000',
      adminApiKey: undefined,
      apiEntry: path.join(ROOT, 'apps/api/dist/main.js'),
      workerEntry: path.join(ROOT, 'apps/worker/dist/main.js'),
      workerEntryExplicit: false,
      consoleDir: path.join(ROOT, 'apps/console'),
      stopTimeoutMs: 15_000,
    });
  });

  it('resolves MAAS_DATA_DIR against the repository root, not the current folder', () => {
    expect(loadSupervisorConfig({ MAAS_DATA_DIR: 'state/here' }, ROOT).dataDir).toBe(
      '/repo/state/here',
    );
    expect(loadSupervisorConfig({ MAAS_DATA_DIR: '/var/maas' }, ROOT).dataDir).toBe('/var/maas');
  });

  it('follows PORT in the default MAAS_API_URL and treats empty variables as unset', () => {
    const config = loadSupervisorConfig(
      { PORT: '4100', DATABASE_URL: '', MAAS_PG_PORT: ' ' },
      ROOT,
    );
    expect(config.apiUrl).toBe('http://localhost:4100');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.pgPort).toBe(54329);
  });

  it('turns the worker and the console off with "off"', () => {
    const config = loadSupervisorConfig(
      { MAAS_WORKER_ENTRY: 'off', MAAS_CONSOLE_DIR: 'OFF' },
      ROOT,
    );
    expect(config.workerEntry).toBeNull();
    expect(config.consoleDir).toBeNull();
  });

  it('lists every invalid variable with what to change', () => {
    expect(() =>
      loadSupervisorConfig(
        { PORT: 'http', MAAS_PG_PORT: '70000', DATABASE_URL: 'mysql://x', ADMIN_API_KEY: 'short' },
        ROOT,
      ),
    ).toThrow(
      /Invalid configuration:\n {2}DATABASE_URL: must be a postgres.*\n {2}MAAS_PG_PORT: must be a port in 1\.\.65535\n {2}PORT: must be a port number\n {2}ADMIN_API_KEY: must be at least 16/,
    );
  });

  it('refuses two services on one port', () => {
    expect(() => loadSupervisorConfig({ PORT: '3000' }, ROOT)).toThrow(
      /PORT and CONSOLE_PORT are both 3000/,
    );
    // With an external database the embedded port is unused, and so cannot clash.
    expect(
      loadSupervisorConfig({ PORT: '54329', DATABASE_URL: 'postgres://h/db' }, ROOT).apiPort,
    ).toBe(54329);
  });
});

describe('loadMigrateConfig', () => {
  it('requires DATABASE_URL', () => {
    expect(() => loadMigrateConfig({})).toThrow(/DATABASE_URL: is required/);
    expect(loadMigrateConfig({ DATABASE_URL: 'postgresql://u@h/db' })).toEqual({
      databaseUrl: 'postgresql://u@h/db',
    });
  });
});
