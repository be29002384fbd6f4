import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DeploymentStatsSample } from '@maas/db';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';

/** Latency histogram bounds in ms; a percentile is read off the merged histogram. */
export const LATENCY_BOUNDS_MS = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
];
const FLUSH_EVERY_MS = 2000;

interface Cell {
  workspaceId: string;
  deploymentId: string;
  versionId: string;
  requests: number;
  errors: number;
  latencySumMs: number;
  histogram: number[];
}

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
}

export function bucketOf(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

/** The q-quantile of a histogram, interpolated linearly inside its bucket. */
export function quantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] as number);
      const upper = LATENCY_BOUNDS_MS[i] ?? lower * 2;
      return lower + ((rank - seen) / count) * (upper - lower);
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] ?? null;
}

/**
 * Counts this replica's predictions per deployment and version and writes them to
 * `deployment_stats` every couple of seconds, so `deploymentStats` sums the whole fleet.
 */
export class ServingStatsRecorder {
  private cells = new Map<string, Cell>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  readonly replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  record(
    workspaceId: string,
    deploymentId: string,
    versionId: string,
    latencyMs: number,
    ok: boolean,
  ): void {
    const key = `${deploymentId}/${versionId}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {
        workspaceId,
        deploymentId,
        versionId,
        requests: 0,
        errors: 0,
        latencySumMs: 0,
        histogram: emptyHistogram(),
      };
      this.cells.set(key, cell);
    }
    cell.requests += 1;
    if (!ok) cell.errors += 1;
    cell.latencySumMs += latencyMs;
    const b = bucketOf(latencyMs);
    cell.histogram[b] = (cell.histogram[b] ?? 0) + 1;
  }

  /** Writes what was counted since the last flush (one multi-row INSERT). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.cells.size === 0) return;
      const cells = [...this.cells.values()];
      this.cells = new Map();
      const bucketStart = new Date();
      try {
        await this.db.getRepository(DeploymentStatsSample).insert(
          cells.map((c) => ({
            workspaceId: c.workspaceId,
            deploymentId: c.deploymentId,
            versionId: c.versionId,
            replicaId: this.replicaId,
            bucketStart,
            bucketSeconds: FLUSH_EVERY_MS / 1000,
            requests: c.requests,
            errors: c.errors,
            latencySumMs: c.latencySumMs,
            latencyHistogram: Object.fromEntries(
              c.histogram.map((n, i) => [String(LATENCY_BOUNDS_MS[i] ?? '+Inf'), n]),
            ),
          })),
        );
      } catch (err) {
        this.logger.warn({ err }, 'could not write serving stats');
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/**
 * Sums the stored samples of one deployment over a window into the numbers `DeploymentStats`
 * shows. PostgreSQL does the sums (per version, and per histogram bucket), so the API reads
 * versions × (buckets + 1) rows, however many replicas wrote samples and however long the window.
 */
export async function readDeploymentStats(
  db: DataSource,
  deploymentId: string,
  windowSeconds: number,
): Promise<{
  requests: number;
  errors: number;
  histogram: number[];
  byVersion: Map<string, { requests: number; errors: number; histogram: number[] }>;
}> {
  const rows = await db.query<
    { version_id: string; bucket: string | null; requests: string; errors: string }[]
  >(
    `WITH s AS (
       SELECT version_id, requests, errors, latency_histogram FROM deployment_stats
       WHERE deployment_id = $1 AND bucket_start > now() - make_interval(secs => $2))
     SELECT version_id, NULL AS bucket, sum(requests)::text AS requests, sum(errors)::text AS errors
       FROM s GROUP BY version_id
     UNION ALL
     SELECT s.version_id, h.key, sum(h.value::numeric)::text, '0'
       FROM s, jsonb_each_text(s.latency_histogram) h GROUP BY s.version_id, h.key`,
    [deploymentId, windowSeconds],
  );
  const bucketIndex = new Map<string, number>(
    [...LATENCY_BOUNDS_MS.map(String), '+Inf'].map((key, i) => [key, i]),
  );
  const total = { requests: 0, errors: 0, histogram: emptyHistogram() };
  const byVersion = new Map<string, { requests: number; errors: number; histogram: number[] }>();
  for (const row of rows) {
    let v = byVersion.get(row.version_id);
    if (!v) {
      v = { requests: 0, errors: 0, histogram: emptyHistogram() };
      byVersion.set(row.version_id, v);
    }
    for (const target of [total, v]) {
      if (row.bucket === null) {
        target.requests += Number(row.requests);
        target.errors += Number(row.errors);
      } else {
        const i = bucketIndex.get(row.bucket);
        if (i !== undefined)
          target.histogram[i] = (target.histogram[i] ?? 0) + Number(row.requests);
      }
    }
  }
  return { ...total, byVersion };
}
