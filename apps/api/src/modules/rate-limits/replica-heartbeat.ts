import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Startable } from '../../common/closers';
import type { Logger } from '../../common/logger';

/** How many heartbeat intervals a replica may miss before the others count it gone. */
export const STALE_AFTER_HEARTBEATS = 3;

/**
 * This API replica's row in `api_replicas`, and how many replicas are live. Every `intervalMs`
 * one round trip upserts this replica's heartbeat, deletes the rows of replicas that missed
 * STALE_AFTER_HEARTBEATS beats (they died without saying goodbye) and counts the rest; the request
 * path only reads the count this left in memory. A graceful stop deletes the row, so the others
 * take over its share at their next beat. If the database cannot be reached the last count stands.
 */
export class ReplicaHeartbeat implements Startable {
  readonly id = randomUUID();
  private live = 1;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly onCount: (replicas: number) => void = () => undefined,
  ) {}

  /** The live API replicas, this one included (at least 1). */
  get liveReplicas(): number {
    return this.live;
  }

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** One heartbeat now (also what the timer runs); resolves once the count is updated. */
  beat(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating;
    await this.db
      .query('DELETE FROM api_replicas WHERE id = $1', [this.id])
      .catch((err: unknown) => this.logger.warn({ err }, 'could not remove this API replica row'));
  }

  private async beatOnce(): Promise<void> {
    if (this.stopped) return;
    const staleMs = this.intervalMs * STALE_AFTER_HEARTBEATS;
    try {
      const rows = await this.db.query<{ live: number }[]>(
        `WITH beat AS (
           INSERT INTO api_replicas (id, heartbeat_at, started_at) VALUES ($1, now(), now())
           ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
         ), gone AS (
           DELETE FROM api_replicas
           WHERE heartbeat_at < now() - $2 * interval '1 millisecond' AND id <> $1
         )
         SELECT count(*)::int + 1 AS live FROM api_replicas
         WHERE heartbeat_at >= now() - $2 * interval '1 millisecond' AND id <> $1`,
        [this.id, staleMs],
      );
      if (this.stopped) return;
      this.live = Math.max(1, rows[0]?.live ?? 1);
      this.onCount(this.live);
    } catch (err) {
      this.logger.warn(
        { err, replicas: this.live },
        'API replica heartbeat failed; keeping the last count',
      );
    }
  }
}
