// Per-file test databases copied from the template that the root's test/global-setup.ts migrated.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** What the global setup hands to test files. */
export interface TestDatabaseContext {
  /** A connection with CREATEDB on the test server. */
  adminUrl: string;
  /** The migrated template database. */
  template: string;
  /** Prefix of this run's databases, so teardown finds leftovers. */
  runId: string;
}

/** A database of one test file. */
export interface TestDatabase {
  /** `postgres://...` of the new database, fully migrated. */
  url: string;
  name: string;
  /** Drops the database (ending its open sessions). */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, migrated database for one integration test file (`CREATE DATABASE ...
 * TEMPLATE`), typically in `beforeAll`, with `drop()` in `afterAll`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  // vitest is ESM only, and this package is CommonJS: import it when a test asks.
  const { inject } = await import('vitest');
  const context = inject('maasDatabase');
  if (!context) {
    throw new Error(
      'No test database: the root test/global-setup.ts starts PostgreSQL only when the run includes a ' +
        '*.int.spec.ts file. Name integration test files *.int.spec.ts.',
    );
  }
  const name = `maas_test_${context.runId}_${randomBytes(5).toString('hex')}`;
  await withAdmin(context.adminUrl, async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${context.template}`);
        return;
      } catch (err) {
        // 55006: a session on the template (PostgreSQL waits 5 s for it, then gives up).
        if ((err as { code?: string }).code !== '55006' || attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  });
  const url = new URL(context.adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(context.adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

async function withAdmin<T>(adminUrl: string, fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl, application_name: 'maas-tests' });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
