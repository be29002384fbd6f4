// The live serving chart keeps the stats snapshots it has received (the API pushes one every
// few seconds), oldest first, without repeats, and only the most recent ones.
import type { DeploymentStatsFieldsFragment } from '@/gql/graphql';

export interface StatsPoint {
  /** Seconds since the epoch. */
  at: number;
  requestsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  requests: number;
}

/**
 * Appends a snapshot unless one at the same or a later time is already held; one less than a
 * second after the last (the query's answer, then the subscription's first push) replaces it.
 */
export function appendStats(
  series: readonly StatsPoint[],
  stats: DeploymentStatsFieldsFragment,
  keep = 120,
): StatsPoint[] {
  const at = Date.parse(stats.at) / 1000;
  const last = series[series.length - 1];
  if (!Number.isFinite(at) || (last && at <= last.at)) return series as StatsPoint[];
  const point: StatsPoint = {
    at,
    requestsPerSecond: stats.requestsPerSecond,
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    errors: stats.errors,
    requests: stats.requests,
  };
  const base = last && at - last.at < 1 ? series.slice(0, -1) : series;
  return [...base, point].slice(-keep);
}

export interface VersionStats {
  version: string;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** `byVersion` JSON ({version: {requests, errors, p50Ms, p99Ms}}) as rows, highest version first. */
export function versionStats(byVersion: unknown): VersionStats[] {
  if (!byVersion || typeof byVersion !== 'object' || Array.isArray(byVersion)) return [];
  const num = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? value : null;
  return Object.entries(byVersion as Record<string, Record<string, unknown> | null>)
    .map(([version, stats]) => ({
      version,
      requests: num(stats?.requests) ?? 0,
      errors: num(stats?.errors) ?? 0,
      p50Ms: num(stats?.p50Ms),
      p99Ms: num(stats?.p99Ms),
    }))
    .sort((a, b) => Number(b.version) - Number(a.version) || b.version.localeCompare(a.version));
}
