import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import {
  ensureDatabase,
  listMigrationFiles,
  migrateAndDiff,
  runMigrations,
  dropDatabase,
} from '../src';
import '@maas/testing';

const EXPECTED_TABLES = [
  'api_keys',
  'artifacts',
  'audit_events',
  'datasets',
  'deployment_routes',
  'deployments',
  'model_aliases',
  'model_versions',
  'models',
  'prediction_log',
  'training_epochs',
  'training_jobs',
  'workspaces',
];

describe('migrations', () => {
  const context = inject('maasDatabase');
  if (!context) throw new Error('global setup provided no database');
  const created: string[] = [];

  /** An empty database (not from the template). */
  async function emptyDatabase(): Promise<string> {
    const name = `maas_test_${context!.runId}_${randomBytes(5).toString('hex')}`;
    created.push(name);
    return ensureDatabase(context!.adminUrl, name);
  }

  async function tables(url: string): Promise<string[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      return rows.map((row) => row.tablename);
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    for (const name of created) await dropDatabase(context.adminUrl, name);
  });

  it('applies every migration to an empty database, then nothing on a second run', async () => {
    const url = await emptyDatabase();
    const first = await runMigrations(url);
    expect(first).toHaveLength(listMigrationFiles().length);
    expect(first.length).toBeGreaterThan(0);
    expect(await tables(url)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    expect(await runMigrations(url)).toEqual([]);
  });

  it('runs each migration once when several starters race (advisory lock)', async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([1, 2, 3, 4].map(() => runMigrations(url)));
    const appliers = results.filter((applied) => applied.length > 0);
    expect(appliers).toHaveLength(1);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*) FROM typeorm_migrations',
    );
    await client.end();
    expect(Number(rows[0]?.count)).toBe(listMigrationFiles().length);
  });

  it('leaves no drift between the entities and migrations/', async () => {
    const diff = await migrateAndDiff(await emptyDatabase());
    expect(diff.up.map((statement) => statement.query)).toEqual([]);
  });

  it('reports drift when migrations are missing (the check can fail)', async () => {
    const noMigrations = await mkdtemp(path.join(tmpdir(), 'maas-no-migrations-'));
    try {
      const diff = await migrateAndDiff(await emptyDatabase(), noMigrations);
      expect(diff.up.some((statement) => statement.query.includes('CREATE TABLE "models"'))).toBe(
        true,
      );
    } finally {
      await rm(noMigrations, { recursive: true, force: true });
    }
  });

  it('refuses invalid database names', async () => {
    await expect(ensureDatabase(context.adminUrl, 'bad-name; DROP')).rejects.toThrow(
      /Invalid database name/,
    );
  });
});
