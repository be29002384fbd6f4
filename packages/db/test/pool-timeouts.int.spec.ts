// The statement and idle-in-transaction timeouts every pool gets, against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, DEFAULT_POOL_TIMEOUTS, pgPoolTimeouts } from '../src';
import { createTestDatabase, type TestDatabase } from '@maas/testing';

describe('pool timeouts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('maps the settings to node-postgres options, with defaults and 0 for no limit', () => {
    expect(pgPoolTimeouts()).toEqual({
      statement_timeout: DEFAULT_POOL_TIMEOUTS.statementTimeoutMs,
      idle_in_transaction_session_timeout: DEFAULT_POOL_TIMEOUTS.idleInTransactionTimeoutMs,
      connectionTimeoutMillis: DEFAULT_POOL_TIMEOUTS.connectTimeoutMs,
    });
    expect(pgPoolTimeouts({ statementTimeoutMs: 0 }).statement_timeout).toBe(0);
    expect(() => pgPoolTimeouts({ connectTimeoutMs: -1 })).toThrow(/non-negative integer/);
  });

  it('ends a statement past DB_STATEMENT_TIMEOUT_MS and a transaction left idle past its limit', async () => {
    const dataSource = await createDataSource(db.url, {
      poolSize: 2,
      logging: false,
      timeouts: { statementTimeoutMs: 300, idleInTransactionTimeoutMs: 300 },
    }).initialize();
    try {
      await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toMatchObject({
        driverError: { code: '57014' },
      });
      const runner = dataSource.createQueryRunner();
      await runner.startTransaction();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // The server ended the idle transaction's session; the process lives on.
      await expect(runner.query('SELECT 1')).rejects.toThrow();
      await runner.release().catch(() => undefined);
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await dataSource.destroy();
    }
  });
});
