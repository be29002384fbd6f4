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
  promptTokens: number;
  completionTokens: number;
  /** Time to first token; all zero while no generation produced one. */
  ttftHistogram: number[];
}

/** What a language-model request adds to its deployment's stats. */
export interface TokenSample {
  promptTokens: number;
  completionTokens: number;
  /** Set when a generation produced a token. */
  timeToFirstTokenMs?: number;
}

/** A histogram as stored: counts per upper bound in ms, e.g. {"1": 10, "2.5": 3, "+Inf": 0}. */
function histogramRecord(histogram: readonly number[]): Record<string, number> {
  return Object.fromEntries(histogram.map((n, i) => [String(LATENCY_BOUNDS_MS[i] ?? '+Inf'), n]));
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
    tokens?: TokenSample,
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
        promptTokens: 0,
        completionTokens: 0,
        ttftHistogram: emptyHistogram(),
      };
      this.cells.set(key, cell);
    }
    if (tokens) {
      cell.promptTokens += tokens.promptTokens;
      cell.completionTokens += tokens.completionTokens;
      if (tokens.timeToFirstTokenMs !== undefined) {
        const t = bucketOf(tokens.timeToFirstTokenMs);
        cell.ttftHistogram[t] = (cell.ttftHistogram[t] ?? 0) + 1;
      }
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
            latencyHistogram: histogramRecord(c.histogram),
            promptTokens: c.promptTokens,
            completionTokens: c.completionTokens,
            ttftHistogram: c.ttftHistogram.some((n) => n > 0)
              ? histogramRecord(c.ttftHistogram)
              : null,
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

/** One deployment's (or version's) sums over a window. */
export interface StatsSums {
  requests: number;
  errors: number;
  histogram: number[];
  promptTokens: number;
  completionTokens: number;
  ttftHistogram: number[];
}

const emptySums = (): StatsSums => ({
  requests: 0,
  errors: 0,
  histogram: emptyHistogram(),
  promptTokens: 0,
  completionTokens: 0,
  ttftHistogram: emptyHistogram(),
});

/**
 * Sums the stored samples of one deployment over a window into the numbers `DeploymentStats`
 * shows. PostgreSQL does the sums (per version, and per histogram bucket), so the API reads
 * versions × (2 × buckets + 1) rows, however many replicas wrote samples and however long the
 * window.
 */
export async function readDeploymentStats(
  db: DataSource,
  deploymentId: string,
  /** The last `windowSeconds` seconds, or the samples written since a moment (a rollout step's start). */
  window: number | { since: Date },
): Promise<StatsSums & { byVersion: Map<string, StatsSums> }> {
  const [filter, bound] =
    typeof window === 'number'
      ? ['bucket_start > now() - make_interval(secs => $2)', window]
      : ['bucket_start >= $2', window.since];
  const rows = await db.query<
    {
      version_id: string;
      kind: 'sums' | 'latency' | 'ttft';
      bucket: string | null;
      requests: string;
      errors: string;
      prompt_tokens: string;
      completion_tokens: string;
    }[]
  >(
    `WITH s AS (
       SELECT version_id, requests, errors, latency_histogram, prompt_tokens, completion_tokens,
              ttft_histogram
         FROM deployment_stats
        WHERE deployment_id = $1 AND ${filter})
     SELECT version_id, 'sums' AS kind, NULL AS bucket, sum(requests)::text AS requests,
            sum(errors)::text AS errors, sum(prompt_tokens)::text AS prompt_tokens,
            sum(completion_tokens)::text AS completion_tokens
       FROM s GROUP BY version_id
     UNION ALL
     SELECT s.version_id, 'latency', h.key, sum(h.value::numeric)::text, '0', '0', '0'
       FROM s, jsonb_each_text(s.latency_histogram) h GROUP BY s.version_id, h.key
     UNION ALL
     SELECT s.version_id, 'ttft', h.key, sum(h.value::numeric)::text, '0', '0', '0'
       FROM s, jsonb_each_text(s.ttft_histogram) h
      WHERE s.ttft_histogram IS NOT NULL GROUP BY s.version_id, h.key`,
    [deploymentId, bound],
  );
  const bucketIndex = new Map<string, number>(
    [...LATENCY_BOUNDS_MS.map(String), '+Inf'].map((key, i) => [key, i]),
  );
  const total = emptySums();
  const byVersion = new Map<string, StatsSums>();
  for (const row of rows) {
    let v = byVersion.get(row.version_id);
    if (!v) {
      v = emptySums();
      byVersion.set(row.version_id, v);
    }
    for (const target of [total, v]) {
      if (row.kind === 'sums') {
        target.requests += Number(row.requests);
        target.errors += Number(row.errors);
        target.promptTokens += Number(row.prompt_tokens);
        target.completionTokens += Number(row.completion_tokens);
      } else {
        const i = row.bucket === null ? undefined : bucketIndex.get(row.bucket);
        const histogram = row.kind === 'latency' ? target.histogram : target.ttftHistogram;
        if (i !== undefined) histogram[i] = (histogram[i] ?? 0) + Number(row.requests);
      }
    }
  }
  return { ...total, byVersion };
}
