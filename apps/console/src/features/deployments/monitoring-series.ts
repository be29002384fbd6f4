/** A bucket as the Monitoring tab reads it (DeploymentMonitoring.buckets). */
export interface BucketInput {
  start: string;
  version: { id: string; version: number };
  feedbackCount: number;
  onlineMetrics?: unknown;
  inputDrift: readonly { feature: string; psi: number }[];
  predictionDrift?: number | null;
}

export interface MonitoringSeries {
  /** Bucket starts, seconds since the epoch, ascending. */
  x: number[];
  /** The online metric shown: RMSE for regressors, accuracy for classifiers; null without feedback. */
  metric: 'rmse' | 'accuracy' | null;
  /** Per version: the metric per bucket (null where it had no feedback). */
  online: { version: number; values: (number | null)[] }[];
  /** Per input feature: its largest PSI over the versions per bucket. */
  drift: { feature: string; values: (number | null)[] }[];
  /** Per input feature: its PSI in the latest bucket that measured it, largest first. */
  latestDrift: { feature: string; psi: number; version: number }[];
}

const numberAt = (value: unknown, key: string): number | null => {
  if (typeof value !== 'object' || value === null) return null;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/**
 * Turns the buckets (per bucket and version) into the chart series and the latest drift table.
 * With `bucketSeconds`, the x axis has every bucket from one before the first with data to one
 * after the last (empty ones null), so that a time axis reads as such even for one bucket.
 */
export function monitoringSeries(
  buckets: readonly BucketInput[],
  bucketSeconds?: number,
): MonitoringSeries {
  const seen = buckets.map((b) => Date.parse(b.start) / 1000);
  if (bucketSeconds && bucketSeconds > 0 && seen.length > 0) {
    const first = Math.min(...seen);
    const last = Math.max(...seen);
    for (let t = first - bucketSeconds; t <= last + bucketSeconds; t += bucketSeconds) seen.push(t);
  }
  const starts = [...new Set(seen)].sort((a, b) => a - b);
  const index = new Map(starts.map((s, i) => [s, i]));
  const metric = buckets.some((b) => numberAt(b.onlineMetrics, 'rmse') !== null)
    ? 'rmse'
    : buckets.some((b) => numberAt(b.onlineMetrics, 'accuracy') !== null)
      ? 'accuracy'
      : null;
  const online = new Map<number, (number | null)[]>();
  const drift = new Map<string, (number | null)[]>();
  const latest = new Map<string, { psi: number; version: number; at: number }>();
  for (const b of buckets) {
    const at = Date.parse(b.start) / 1000;
    const i = index.get(at) ?? 0;
    if (metric) {
      const value = numberAt(b.onlineMetrics, metric);
      if (value !== null) {
        const values =
          online.get(b.version.version) ?? new Array<number | null>(starts.length).fill(null);
        values[i] = value;
        online.set(b.version.version, values);
      }
    }
    for (const d of b.inputDrift) {
      const values = drift.get(d.feature) ?? new Array<number | null>(starts.length).fill(null);
      values[i] = Math.max(values[i] ?? -Infinity, d.psi);
      drift.set(d.feature, values);
      const seen = latest.get(d.feature);
      if (!seen || at > seen.at || (at === seen.at && d.psi > seen.psi))
        latest.set(d.feature, { psi: d.psi, version: b.version.version, at });
    }
  }
  return {
    x: starts,
    metric,
    online: [...online.entries()]
      .sort(([a], [b]) => a - b)
      .map(([version, values]) => ({ version, values })),
    drift: [...drift.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([feature, values]) => ({ feature, values })),
    latestDrift: [...latest.entries()]
      .map(([feature, { psi, version }]) => ({ feature, psi, version }))
      .sort((a, b) => b.psi - a.psi || a.feature.localeCompare(b.feature)),
  };
}

/** How a PSI reads, by common practice: stable below 0.1, moderate to 0.25, large above. */
export function driftLevel(psi: number): 'stable' | 'moderate' | 'large' {
  return psi < 0.1 ? 'stable' : psi <= 0.25 ? 'moderate' : 'large';
}
