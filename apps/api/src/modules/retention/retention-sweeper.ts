import { RETENTION_DELETE_SETTING, type UsageGranularityName } from '@maas/db';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import type { ApiConfig } from '../../env';
import { IDEMPOTENCY_WINDOW_HOURS } from '../idempotency/idempotency';

/**
 * Rows of `table` whose `column` is older than `days` days are deleted (only those of one usage
 * `granularity`, for `usage_counters`); 0 keeps them forever.
 */
export interface RetentionRule {
  table:
    | 'prediction_log'
    | 'deployment_stats'
    | 'audit_events'
    | 'idempotency_keys'
    | 'usage_counters'
    | 'monitoring_alerts';
  column: 'created_at' | 'bucket_start' | 'resolved_at';
  days: number;
  granularity?: UsageGranularityName;
}

/** The retention the configuration sets, one rule per table. */
export function retentionRules(config: ApiConfig): RetentionRule[] {
  return [
    { table: 'prediction_log', column: 'created_at', days: config.PREDICTION_LOG_RETENTION_DAYS },
    {
      table: 'deployment_stats',
      column: 'bucket_start',
      days: config.SERVING_STATS_RETENTION_DAYS,
    },
    { table: 'audit_events', column: 'created_at', days: config.AUDIT_RETENTION_DAYS },
    // Resolved alerts only: an open one has no resolved_at and stays until it resolves.
    {
      table: 'monitoring_alerts',
      column: 'resolved_at',
      days: config.MONITORING_ALERT_RETENTION_DAYS,
    },
    // Keys answer retries for IDEMPOTENCY_WINDOW_HOURS (a day), and are useless after.
    { table: 'idempotency_keys', column: 'created_at', days: IDEMPOTENCY_WINDOW_HOURS / 24 },
    ...(
      [
        ['minute', config.USAGE_MINUTE_RETENTION_DAYS],
        ['hour', config.USAGE_HOUR_RETENTION_DAYS],
        ['day', config.USAGE_DAY_RETENTION_DAYS],
      ] as const
    ).map(([granularity, days]) => ({
      table: 'usage_counters' as const,
      column: 'bucket_start' as const,
      days,
      granularity,
    })),
  ];
}

/** Advisory-lock key of the sweep: ('maas' as int4, 2); the migration runner holds ('maas', 1). */
export const RETENTION_LOCK_KEY: readonly [number, number] = [0x6d616173, 2];

/** Batches one sweep deletes from one table at most; the rest waits for the next sweep. */
const MAX_BATCHES_PER_SWEEP = 1000;

/**
 * Deletes rows past their retention every `everyMs`, `batchSize` rows a statement, so no delete
 * holds locks or fills the WAL for long. Only one replica sweeps at a time: a sweep runs only
 * while it holds a session-level PostgreSQL advisory lock, and the others skip their turn.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly rules: readonly RetentionRule[],
    private readonly everyMs: number,
    private readonly batchSize: number,
    private readonly onDeleted: (table: string, rows: number) => void = () => {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.everyMs);
    this.timer.unref();
  }

  /** One sweep (after the one in progress, if any); resolves to the rows it deleted. */
  sweep(): Promise<number> {
    this.running = this.running.then(async () => {
      if (this.stopping) return 0;
      try {
        return await this.sweepLocked();
      } catch (err) {
        this.logger.warn({ err }, 'retention sweep failed');
        return 0;
      }
    });
    return this.running;
  }

  private async sweepLocked(): Promise<number> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [
        ...RETENTION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (!row?.locked) return 0; // another replica is sweeping
      try {
        let total = 0;
        for (const rule of this.rules)
          if (rule.days > 0) total += await this.sweepTable(runner, rule);
        return total;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, $2)', [...RETENTION_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async sweepTable(
    runner: ReturnType<DataSource['createQueryRunner']>,
    { table, column, days, granularity }: RetentionRule,
  ): Promise<number> {
    // Table and column names are the constants above, never input.
    const only = granularity ? ' AND granularity = $3' : '';
    const sql =
      `DELETE FROM "${table}" WHERE ctid IN (SELECT ctid FROM "${table}" ` +
      `WHERE "${column}" < now() - make_interval(days => $1)${only} LIMIT $2)`;
    const params = granularity ? [days, this.batchSize, granularity] : [days, this.batchSize];
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && !this.stopping; batch++) {
      const affected = await this.deleteBatch(runner, sql, params);
      deleted += affected;
      if (affected < this.batchSize) break;
    }
    if (deleted > 0) {
      this.onDeleted(table, deleted);
      this.logger.info({ table, granularity, deleted, days }, 'deleted rows past their retention');
    }
    return deleted;
  }

  /**
   * One batch, in its own transaction that says it is the retention sweep: the append-only
   * trigger on `audit_events` refuses any other DELETE.
   */
  private async deleteBatch(
    runner: ReturnType<DataSource['createQueryRunner']>,
    sql: string,
    params: readonly unknown[],
  ): Promise<number> {
    await runner.startTransaction();
    try {
      await runner.query(RETENTION_DELETE_SETTING);
      const result = (await runner.query(sql, [...params], true)) as {
        affected?: number;
      };
      await runner.commitTransaction();
      return result.affected ?? 0;
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }
}
