import type { PoolConfig } from 'pg';

/**
 * Time limits of a PostgreSQL connection pool; every maas pool (the TypeORM DataSource, the
 * artifact stores' pools, pg-boss's) uses them, so no query, transaction or connection attempt can
 * hold a connection forever. 0 turns a limit off.
 */
export interface PoolTimeouts {
  /** Longest a single statement may run (PostgreSQL `statement_timeout`). */
  statementTimeoutMs?: number;
  /**
   * Longest a session may sit idle inside an open transaction before the server ends it
   * (`idle_in_transaction_session_timeout`).
   */
  idleInTransactionTimeoutMs?: number;
  /** Longest to wait for a connection, from the pool or a new one (`connectionTimeoutMillis`). */
  connectTimeoutMs?: number;
}

/** The defaults of {@link PoolTimeouts}. */
export const DEFAULT_POOL_TIMEOUTS: Readonly<Required<PoolTimeouts>> = {
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
};

/** `timeouts` (defaults filled in) as node-postgres pool options. */
export function pgPoolTimeouts(
  timeouts: PoolTimeouts = {},
): Pick<
  PoolConfig,
  'statement_timeout' | 'idle_in_transaction_session_timeout' | 'connectionTimeoutMillis'
> {
  const pick = (key: keyof PoolTimeouts) => {
    const value = timeouts[key] ?? DEFAULT_POOL_TIMEOUTS[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${key} must be a non-negative integer (0: no limit), got ${value}.`);
    }
    return value;
  };
  return {
    statement_timeout: pick('statementTimeoutMs'),
    idle_in_transaction_session_timeout: pick('idleInTransactionTimeoutMs'),
    connectionTimeoutMillis: pick('connectTimeoutMs'),
  };
}
