// Reading an evaluation job's JSON results (docs/api.md, "Evaluation") for display.

/** One version's row of an evaluation. */
export interface EvaluationRow {
  versionId: string;
  version: number;
  metrics: Record<string, number>;
  details: Record<string, unknown>;
}

export interface Residuals {
  mean: number;
  std: number;
  min: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

export const RESIDUAL_KEYS = [
  'mean',
  'std',
  'min',
  'p05',
  'p25',
  'p50',
  'p75',
  'p95',
  'max',
] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The results as rows, the numeric metrics only. */
export function evaluationRows(
  results: readonly {
    metrics: unknown;
    details: unknown;
    version: { id: string; version: number };
  }[],
): EvaluationRow[] {
  return results.map((r) => ({
    versionId: r.version.id,
    version: r.version.version,
    metrics: Object.fromEntries(
      Object.entries(isRecord(r.metrics) ? r.metrics : {}).filter(
        (e): e is [string, number] => typeof e[1] === 'number',
      ),
    ),
    details: isRecord(r.details) ? r.details : {},
  }));
}

/** Metric names in the order of the first row, then any others. */
export function metricColumns(rows: readonly EvaluationRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.metrics)) seen.add(name);
  return [...seen];
}

/** `comparison.best`: metric → the best version's id. */
export function bestVersions(comparison: unknown): Record<string, string> {
  if (!isRecord(comparison) || !isRecord(comparison.best)) return {};
  return Object.fromEntries(
    Object.entries(comparison.best).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** `comparison.versions[i].delta` by version id. */
export function deltas(comparison: unknown): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  if (!isRecord(comparison) || !Array.isArray(comparison.versions)) return out;
  for (const entry of comparison.versions) {
    if (!isRecord(entry) || typeof entry.versionId !== 'string' || !isRecord(entry.delta)) continue;
    out.set(
      entry.versionId,
      Object.fromEntries(
        Object.entries(entry.delta).filter((e): e is [string, number] => typeof e[1] === 'number'),
      ),
    );
  }
  return out;
}

/** A classifier's confusion matrix ([actual][predicted]) and labels, or null. */
export function confusionOf(
  details: Record<string, unknown>,
): { labels: string[]; matrix: number[][] } | null {
  const { labels, confusionMatrix } = details;
  if (!Array.isArray(labels) || !Array.isArray(confusionMatrix)) return null;
  if (!labels.every((l) => typeof l === 'string')) return null;
  const matrix = confusionMatrix.map((row) =>
    Array.isArray(row) ? row.map((n) => (typeof n === 'number' ? n : 0)) : [],
  );
  if (matrix.length !== labels.length || matrix.some((row) => row.length !== labels.length))
    return null;
  return { labels, matrix };
}

/** A regressor's residual summary, or null. */
export function residualsOf(details: Record<string, unknown>): Residuals | null {
  const r = details.residuals;
  if (!isRecord(r) || !RESIDUAL_KEYS.every((k) => typeof r[k] === 'number')) return null;
  return r as unknown as Residuals;
}

/** Permutation importance on the evaluation rows, or []. */
export function importanceOf(
  details: Record<string, unknown>,
): { feature: string; importance: number }[] {
  const list = details.featureImportance;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (f): f is { feature: string; importance: number } =>
      isRecord(f) && typeof f.feature === 'string' && typeof f.importance === 'number',
  );
}
