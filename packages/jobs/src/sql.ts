import type { EntityManager } from 'typeorm';

/** Throws unless `manager` runs inside a transaction (writes must commit with the caller's rows). */
export function assertInTransaction(manager: EntityManager, what: string): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      `${what} must run inside the caller's transaction (dataSource.transaction(manager => ...)), ` +
        'so it commits or rolls back together with the rows it belongs to.',
    );
  }
}

/**
 * Runs `sql` and returns its rows, whatever the statement (TypeORM answers a bare UPDATE or DELETE
 * with `[rows, count]`; the structured result has the rows for every command).
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const own = manager.queryRunner ? null : manager.connection.createQueryRunner();
  const runner = manager.queryRunner ?? own;
  if (!runner) throw new Error('No query runner available.');
  try {
    const result = await runner.query(sql, params, true);
    return (result.records ?? []) as T[];
  } finally {
    await own?.release();
  }
}
