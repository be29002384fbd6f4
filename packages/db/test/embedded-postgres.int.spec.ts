import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { getFreePort, startEmbeddedPostgres } from '../src';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'maas-embedded-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('initialises a cluster once and reuses it, data and password included', async () => {
    const port = await getFreePort();
    const first = await startEmbeddedPostgres({ dataDir, port, durable: false });
    expect(first.url).toMatch(
      new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${port}/postgres$`),
    );
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');
    const [settings] = await query<{ max_connections: string; server_version_num: string }>(
      first.url,
      "SELECT current_setting('max_connections') AS max_connections, current_setting('server_version_num') AS server_version_num",
    );
    expect(Number(settings?.max_connections)).toBeGreaterThanOrEqual(200);
    expect(Number(settings?.server_version_num)).toBeGreaterThanOrEqual(150000);
    await first.stop();
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();

    const password = await readFile(path.join(dataDir, 'postgres.password'), 'utf8');
    expect((await stat(path.join(dataDir, 'postgres.password'))).mode & 0o077).toBe(0);
    const second = await startEmbeddedPostgres({ dataDir, port: await getFreePort() });
    try {
      expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
      expect(await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).toBe(password);
    } finally {
      await second.stop();
    }
  });

  it('explains why a second server on the same cluster cannot start', async () => {
    const lines: string[] = [];
    const running = await startEmbeddedPostgres({ dataDir, port: await getFreePort() });
    try {
      await expect(
        startEmbeddedPostgres({ dataDir, port: await getFreePort(), log: (l) => lines.push(l) }),
      ).rejects.toThrow(/Another PostgreSQL already runs/);
      // The first one is unharmed.
      expect(await query(running.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await running.stop();
    }
  });

  it('rejects a bad port before touching the disk', async () => {
    await expect(startEmbeddedPostgres({ dataDir, port: 70000 })).rejects.toThrow(/port must be/);
  });
});
