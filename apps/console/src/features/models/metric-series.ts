// Data for the "metric across versions" chart on a model page.

export interface MetricPoint {
  version: number;
  value: number;
}

/** Numeric metric names found in at least two versions, most common first. */
export function comparableMetrics(versions: readonly { metrics: unknown }[]): string[] {
  const counts = new Map<string, number>();
  for (const { metrics } of versions) {
    if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) continue;
    for (const [name, value] of Object.entries(metrics as Record<string, unknown>)) {
      if (typeof value === 'number' && Number.isFinite(value))
        counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .filter(([, count]) => count >= 2)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name]) => name);
}

/** The metric's value per version, oldest version first. */
export function metricSeries(
  versions: readonly { version: number; metrics: unknown }[],
  metric: string,
): MetricPoint[] {
  return versions
    .flatMap(({ version, metrics }) => {
      const value = (metrics as Record<string, unknown> | null)?.[metric];
      return typeof value === 'number' && Number.isFinite(value) ? [{ version, value }] : [];
    })
    .sort((a, b) => a.version - b.version);
}
