import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource, type LoggerOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { pgPoolTimeouts, type PoolTimeouts } from './pool-timeouts';
import { ParameterFreeLogger } from './parameter-free-logger';

/** Options of {@link createDataSource}. */
export interface DataSourceSettings {
  /** Connections in the DataSource's pool. Default 10. */
  poolSize?: number;
  /** `application_name` shown in pg_stat_activity. Default `maas`. */
  applicationName?: string;
  /** TypeORM logging (`['error']`, `'all'`, ...), never with parameters. Default: warnings and errors. */
  logging?: LoggerOptions;
  /** Folder of the compiled migrations; default {@link resolveMigrationsDir}. */
  migrationsDir?: string;
  /** Statement, idle-in-transaction and connect timeouts of the pool; default DEFAULT_POOL_TIMEOUTS. */
  timeouts?: PoolTimeouts;
}

/**
 * Folder holding the compiled migrations (`migrations/*.ts` at the repository root, compiled by
 * `@maas/db`'s build into `dist/migrations`). Also found when this module runs from `src/` (tests).
 */
export function resolveMigrationsDir(): string {
  const candidates = [
    path.join(__dirname, 'migrations'),
    path.resolve(__dirname, '..', 'dist', 'migrations'),
  ];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) {
    throw new Error(
      `Compiled migrations not found (looked in ${candidates.join(', ')}). ` +
        'Build @maas/db first: `npx turbo run build --filter=@maas/db`.',
    );
  }
  return found;
}

/** Names of the compiled migration files, in the order they run. */
export function listMigrationFiles(dir: string = resolveMigrationsDir()): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .sort();
}

/**
 * A TypeORM DataSource for maas's PostgreSQL: every entity, the compiled migrations, and never
 * `synchronize` (the schema changes only through migrations). Not yet initialized.
 */
export function createDataSource(url: string, settings: DataSourceSettings = {}): DataSource {
  const migrationsDir = settings.migrationsDir ?? resolveMigrationsDir();
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [path.join(migrationsDir, '*.js')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension, no superuser needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: settings.poolSize ?? 10,
    applicationName: settings.applicationName ?? 'maas',
    logging: settings.logging ?? ['error', 'warn'],
    extra: pgPoolTimeouts(settings.timeouts),
    // Never the parameters: a failed insert's values are tenants' data.
    logger: new ParameterFreeLogger(settings.logging ?? ['error', 'warn']),
  });
}

/** Advisory-lock key of the migration runner: ('maas' as int4, 1). */
export const MIGRATION_LOCK_KEY: readonly [number, number] = [0x6d616173, 1];

/**
 * Runs the pending migrations, each exactly once, under a session-level PostgreSQL advisory lock:
 * concurrent starters (several replicas, the supervisor and a test) wait for one another instead
 * of racing. Returns the names of the migrations this call applied (empty when up to date).
 */
export async function runMigrations(
  url: string,
  settings: Omit<DataSourceSettings, 'poolSize'> = {},
): Promise<string[]> {
  const migrationsDir = settings.migrationsDir ?? resolveMigrationsDir();
  if (listMigrationFiles(migrationsDir).length === 0) {
    throw new Error(`No compiled migrations in ${migrationsDir}: build @maas/db first.`);
  }
  // The lock lives on its own connection so it spans TypeORM's own transaction handling.
  const lock = new Client({ connectionString: url, application_name: 'maas-migrations' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEY]);
    // A migration may rewrite a large table: no statement or idle limits for it.
    const dataSource = createDataSource(url, {
      ...settings,
      migrationsDir,
      poolSize: 2,
      timeouts: { statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0, ...settings.timeouts },
    });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Closing the session releases the lock even if the unlock fails.
    await lock.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK_KEY]).catch(() => {});
    await lock.end();
  }
}

/** `url` with its database name replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates database `name` unless it exists (connecting with `adminUrl`, which must be allowed to
 * CREATE DATABASE) and returns the URL of `name`. Safe to call concurrently.
 */
export async function ensureDatabase(
  adminUrl: string,
  name: string,
  options: { template?: string } = {},
): Promise<string> {
  for (const value of [name, options.template]) {
    if (value !== undefined && !DATABASE_NAME.test(value)) {
      throw new Error(
        `Invalid database name "${value}": use 1-63 lowercase letters, digits and underscores, ` +
          'not starting with a digit.',
      );
    }
  }
  const admin = new Client({ connectionString: adminUrl, application_name: 'maas-admin' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      const template = options.template ? ` TEMPLATE ${options.template}` : '';
      try {
        await admin.query(`CREATE DATABASE ${name}${template}`);
      } catch (err) {
        // Someone else created it between our check and our CREATE.
        const code = (err as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw err;
      }
    }
  } finally {
    await admin.end();
  }
  return withDatabase(adminUrl, name);
}
