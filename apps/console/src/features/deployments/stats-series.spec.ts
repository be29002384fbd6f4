import { describe, expect, it } from 'vitest';
import { appendStats, versionStats } from './stats-series';

const snapshot = (at: string, rps: number) => ({
  windowSeconds: 60,
  requests: rps * 60,
  errors: 0,
  requestsPerSecond: rps,
  p50Ms: 1.5,
  p99Ms: 4,
  byVersion: {},
  at,
});

describe('appendStats', () => {
  it('keeps snapshots in time order, without repeats, up to a limit', () => {
    let series = appendStats([], snapshot('2025-01-01T00:00:05Z', 1));
    series = appendStats(series, snapshot('2025-01-01T00:00:10Z', 2));
    series = appendStats(series, snapshot('2025-01-01T00:00:10Z', 9));
    series = appendStats(series, snapshot('2025-01-01T00:00:08Z', 9));
    expect(series.map((p) => p.requestsPerSecond)).toEqual([1, 2]);
    series = appendStats(series, snapshot('2025-01-01T00:00:15Z', 3), 2);
    expect(series.map((p) => p.requestsPerSecond)).toEqual([2, 3]);
  });

  it('replaces a snapshot that follows the last one within a second', () => {
    let series = appendStats([], snapshot('2025-01-01T00:00:05.000Z', 1));
    series = appendStats(series, snapshot('2025-01-01T00:00:05.200Z', 2));
    expect(series.map((p) => p.requestsPerSecond)).toEqual([2]);
  });
});

describe('versionStats', () => {
  it('reads byVersion, highest version first, tolerating missing numbers', () => {
    expect(
      versionStats({
        '1': { requests: 80, errors: 1, p50Ms: 2, p99Ms: 5 },
        '2': { requests: 20, errors: 0 },
      }),
    ).toEqual([
      { version: '2', requests: 20, errors: 0, p50Ms: null, p99Ms: null },
      { version: '1', requests: 80, errors: 1, p50Ms: 2, p99Ms: 5 },
    ]);
    expect(versionStats(null)).toEqual([]);
  });
});
