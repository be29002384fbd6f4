import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDataSource, resolveMigrationsDir } from '../data-source';
import { findRepoRoot } from '../postgres/repo-root';
import { withScratchDatabase } from '../postgres/scratch-postgres';

/** One SQL statement of a schema change. */
export interface SqlStatement {
  query: string;
  parameters?: unknown[];
}

/** What it takes to bring a database to the entities' schema (`up`), and back (`down`). */
export interface SchemaDiff {
  up: SqlStatement[];
  down: SqlStatement[];
}

/**
 * Applies the compiled migrations to the (empty or partly migrated) database at `url`, then asks
 * TypeORM's schema builder what the entities still need. Both lists are empty when the entities
 * and `migrations/` agree. Never changes the schema beyond running the migrations.
 */
export async function migrateAndDiff(
  url: string,
  migrationsDir: string = resolveMigrationsDir(),
): Promise<SchemaDiff> {
  const dataSource = createDataSource(url, { migrationsDir, poolSize: 2, logging: ['error'] });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'all' });
    const sql = await dataSource.driver.createSchemaBuilder().log();
    const toStatement = (q: { query: string; parameters?: unknown[] }): SqlStatement =>
      q.parameters?.length ? { query: q.query, parameters: q.parameters } : { query: q.query };
    return { up: sql.upQueries.map(toStatement), down: sql.downQueries.map(toStatement) };
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The drift check CI runs: migrates an empty scratch database (a new database on `adminUrl`
 * when given, else a throw-away embedded cluster) and returns what the schema builder would still
 * change. Anything in `up` means an entity changed without a migration.
 */
export async function checkSchemaDrift(adminUrl?: string): Promise<SchemaDiff> {
  return withScratchDatabase((url) => migrateAndDiff(url), adminUrl);
}

const MIGRATION_NAME = /^[A-Z][A-Za-z0-9]{0,80}$/;

/** Options of {@link generateMigration}. */
export interface GenerateMigrationOptions {
  /** PascalCase name, e.g. `AddDatasetTags`. */
  name: string;
  /** Admin URL of an external server to use instead of a scratch embedded cluster. */
  adminUrl?: string;
  /** Where migration sources live; default `<repository root>/migrations`. */
  sourceDir?: string;
  /** Milliseconds timestamp of the migration; default now. */
  timestamp?: number;
}

/**
 * Writes `migrations/<timestamp>-<Name>.ts` holding what the entities need beyond the existing
 * (compiled) migrations, and returns its path; `null` when there is nothing to migrate.
 */
export async function generateMigration(options: GenerateMigrationOptions): Promise<string | null> {
  if (!MIGRATION_NAME.test(options.name)) {
    throw new Error(
      `Migration name "${options.name}" must be PascalCase letters and digits, e.g. AddDatasetTags.`,
    );
  }
  const sourceDir = options.sourceDir ?? path.join(findRepoRoot(), 'migrations');
  const timestamp = options.timestamp ?? Date.now();
  const sources = (await readdir(sourceDir)).filter((file) => /^\d{13}-.+\.ts$/.test(file));
  let compiledDir: string;
  let emptyDir: string | null = null;
  if (sources.length > 0) {
    compiledDir = resolveMigrationsDir();
  } else {
    // The very first migration: nothing compiled yet, diff against an empty database.
    emptyDir = await mkdtemp(path.join(tmpdir(), 'maas-migrations-'));
    compiledDir = emptyDir;
  }
  try {
    const diff = await withScratchDatabase(
      (url) => migrateAndDiff(url, compiledDir),
      options.adminUrl,
    );
    if (diff.up.length === 0) return null;
    const file = path.join(sourceDir, `${timestamp}-${options.name}.ts`);
    await writeFile(file, renderMigration(options.name, timestamp, diff));
    return file;
  } finally {
    if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
  }
}

/** The TypeScript source of a migration class (house style: type imports, Prettier layout). */
export function renderMigration(name: string, timestamp: number, diff: SchemaDiff): string {
  const className = `${name}${timestamp}`;
  const statements = (list: SqlStatement[]) =>
    list
      .map((statement) => {
        const sql = `\`${escapeTemplate(statement.query)}\``;
        const params = statement.parameters?.length ? JSON.stringify(statement.parameters) : null;
        const oneLine = `    await queryRunner.query(${sql}${params ? `, ${params}` : ''});`;
        // The layout Prettier (printWidth 100) gives, so generated files need no reformatting.
        if (oneLine.length <= 100) return oneLine;
        const args = [sql, ...(params ? [params] : [])].map((arg) => `      ${arg},`).join('\n');
        return `    await queryRunner.query(\n${args}\n    );`;
      })
      .join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Generated from the entities by \`npm run migration:generate -w @maas/db -- ${name}\`. */
export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${statements(diff.up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${statements([...diff.down].reverse())}
  }
}
`;
}

function escapeTemplate(sql: string): string {
  return sql.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
}
