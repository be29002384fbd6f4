// Vitest global setup: one PostgreSQL for the whole run, migrated once into a template database;
// each integration test file copies the template (createTestDatabase of @maas/testing). With DATABASE_URL set,
// that server is used (its user needs CREATEDB); otherwise an embedded PostgreSQL is started in a
// fresh temporary folder on a free port. Runs that select no *.int.spec.ts file skip all of it.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import type { TestDatabaseContext } from '@maas/testing';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The CLI's file filters (`vitest run packages/onnx`); vitest keeps them on an internal field.
  // Without them every test file counts, which only costs an unneeded PostgreSQL.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters ?? project.vitest.config.filters);
  if (!testFiles.some((file) => file.endsWith('.int.spec.ts'))) {
    project.provide('maasDatabase', null);
    return async () => {};
  }

  // The built package (npm test builds first); the harness tests what ships.
  const db = await import('@maas/db').catch((err: unknown) => {
    throw new Error(
      `Cannot load @maas/db for the test database (${String(err)}). Build first: ` +
        '`npx turbo run build` (npm test does).',
    );
  });
  const runId = randomBytes(3).toString('hex');
  const external = process.env.DATABASE_URL?.trim();
  const started = Date.now();
  const server = external ? null : await db.startScratchPostgres();
  const adminUrl = external ?? server?.url ?? '';
  // A private template name on a shared external server, so concurrent runs do not collide.
  const template = external ? `maas_template_${runId}` : 'maas_template';

  const dropEverything = async () => {
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'maas\\_test\\_' || $1 || '\\_%'",
        [runId],
      );
      for (const { datname } of rows)
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };

  try {
    if (external) await dropEverything();
    const templateUrl = await db.ensureDatabase(adminUrl, template);
    await db.runMigrations(templateUrl, { logging: ['error'] });
    // Nobody may connect to the template: a connection would block CREATE DATABASE ... TEMPLATE.
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${template} WITH ALLOW_CONNECTIONS false`);
    await admin.end();
  } catch (err) {
    await server?.stop();
    throw err;
  }
  const context: TestDatabaseContext = { adminUrl, template, runId };
  project.provide('maasDatabase', context);
  if (process.env.MAAS_TEST_VERBOSE) {
    console.log(`[global-setup] PostgreSQL ready in ${Date.now() - started} ms (${template})`);
  }

  return async () => {
    if (server) {
      await server.stop();
    } else {
      await dropEverything();
    }
  };
}
