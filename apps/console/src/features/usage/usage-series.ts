// Usage records as the Usage page draws them: one point per UTC day (zero on days without
// records), and totals per model or key over the whole window.
import type { UsageSeriesQuery } from '@/gql/graphql';

export type UsageRecord = UsageSeriesQuery['usage'][number];

/** The figures a usage record counts. */
export const usageMetrics = [
  'requests',
  'predictionRows',
  'completionTokens',
  'trainingSeconds',
] as const;
export type UsageMetric = (typeof usageMetrics)[number];
export type UsageTotals = Record<UsageMetric | 'promptTokens', number>;

const dayMs = 86_400_000;

/** The last `days` UTC days, today included: `from` is the start of the first, `to` is now. */
export function usageWindow(now: Date, days = 30): { from: string; to: string; days: number } {
  const today = Math.floor(now.getTime() / dayMs) * dayMs;
  return {
    from: new Date(today - (days - 1) * dayMs).toISOString(),
    to: now.toISOString(),
    days,
  };
}

const zero = (): UsageTotals => ({
  requests: 0,
  predictionRows: 0,
  promptTokens: 0,
  completionTokens: 0,
  trainingSeconds: 0,
});

function add(into: UsageTotals, record: UsageRecord): void {
  into.requests += record.requests;
  into.predictionRows += record.predictionRows;
  into.promptTokens += record.promptTokens;
  into.completionTokens += record.completionTokens;
  into.trainingSeconds += record.trainingSeconds;
}

/** Per-day sums over the window: `x` in seconds since the epoch (day starts), a value per day. */
export function dailySeries(
  records: readonly UsageRecord[],
  window: { from: string; days: number },
): { x: number[]; values: Record<UsageMetric, number[]> } {
  const first = Date.parse(window.from);
  const sums = Array.from({ length: window.days }, zero);
  for (const record of records) {
    const day = Math.floor((Date.parse(record.start) - first) / dayMs);
    const bucket = sums[day];
    if (bucket) add(bucket, record);
  }
  const x = sums.map((_, i) => (first + i * dayMs) / 1000);
  const values = Object.fromEntries(
    usageMetrics.map((metric) => [metric, sums.map((s) => s[metric])]),
  ) as Record<UsageMetric, number[]>;
  return { x, values };
}

export interface UsageBreakdownRow extends UsageTotals {
  id: string;
  name: string;
}

/** Totals per model or per key over all records, the busiest first. */
export function usageBreakdown(
  records: readonly UsageRecord[],
  by: 'model' | 'apiKey',
): UsageBreakdownRow[] {
  const rows = new Map<string, UsageBreakdownRow>();
  for (const record of records) {
    const owner = record[by];
    const id = owner?.id ?? '';
    let row = rows.get(id);
    if (!row) {
      row = { id, name: owner?.name ?? (by === 'model' ? 'No model' : 'The platform'), ...zero() };
      rows.set(id, row);
    }
    add(row, record);
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.requests - a.requests ||
      b.predictionRows - a.predictionRows ||
      b.trainingSeconds - a.trainingSeconds ||
      a.name.localeCompare(b.name),
  );
}

/** Sums of every figure. */
export function usageTotals(records: readonly UsageRecord[]): UsageTotals {
  const totals = zero();
  for (const record of records) add(totals, record);
  return totals;
}
