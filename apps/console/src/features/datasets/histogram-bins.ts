// Histogram bins of a numeric column from the preview rows (a sample: the API returns at most
// 100 rows), over the column's full min..max from its stats so samples of different columns
// share nothing but their own range.

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** `bins` equal-width bins over [min, max]; values outside or not numbers are skipped. */
export function histogramBins(
  values: readonly unknown[],
  min: number,
  max: number,
  bins = 12,
): Bin[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min || bins < 1) return [];
  // A constant column: one bin holding every value.
  if (max === min) {
    const count = values.filter((v) => typeof v === 'number' && v === min).length;
    return [{ from: min, to: max, count }];
  }
  const width = (max - min) / bins;
  const result: Bin[] = Array.from({ length: bins }, (_, i) => ({
    from: min + i * width,
    to: i === bins - 1 ? max : min + (i + 1) * width,
    count: 0,
  }));
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
      continue;
    const index = Math.min(bins - 1, Math.floor((value - min) / width));
    const bin = result[index];
    if (bin) bin.count += 1;
  }
  return result;
}

/** Counts per category (most frequent first), for categorical and boolean columns. */
export function categoryCounts(
  values: readonly unknown[],
  limit = 8,
): { label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const value of values) {
    if (value === null || value === undefined || value === '') continue;
    const label =
      typeof value === 'object'
        ? JSON.stringify(value)
        : String(value as string | number | boolean);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([label, count]) => ({ label, count }));
}
