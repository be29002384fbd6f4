import { classificationMetrics, regressionMetrics } from '@maas/training';
import type { FeedbackPair } from './monitoring-reads';

/** How a version's predictions are scored against feedback: its labels, or none (a regressor). */
export interface VersionScoring {
  labels: string[] | null;
}

const asNumber = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};

/** A label as logged or sent: a string, or a number or boolean spelling one. */
const labelOf = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/**
 * Online metrics of feedback pairs of one version, with the one metrics home in @maas/training:
 * MAE and RMSE for a regressor (`regressionMetrics`); accuracy and log loss for a classifier
 * (`classificationMetrics` on the logged probabilities, or on the predicted label as probability
 * 1 when none were logged). Pairs that cannot be scored (no logged prediction, an unknown label)
 * are left out; null when none is left.
 */
export function onlineMetrics(
  scoring: VersionScoring,
  pairs: readonly FeedbackPair[],
): { metrics: Record<string, number>; rows: number } | null {
  const labels = scoring.labels;
  if (!labels) {
    const predicted: number[] = [];
    const actual: number[] = [];
    for (const p of pairs) {
      const yHat = asNumber(p.predicted);
      const y = asNumber(p.actual);
      if (yHat === null || y === null) continue;
      predicted.push(yHat);
      actual.push(y);
    }
    if (actual.length === 0) return null;
    const m = regressionMetrics(predicted, actual);
    return { metrics: { mae: m.mae, rmse: m.rmse }, rows: actual.length };
  }
  if (labels.length < 2) return null;
  const index = new Map(labels.map((l, i) => [l, i]));
  const probabilities: number[] = [];
  const actual: number[] = [];
  for (const p of pairs) {
    const label = labelOf(p.actual);
    const y = label === undefined ? undefined : index.get(label);
    if (y === undefined) continue;
    const row = probabilityRow(labels, index, p);
    if (!row) continue;
    probabilities.push(...row);
    actual.push(y);
  }
  if (actual.length === 0) return null;
  const m = classificationMetrics(probabilities, labels.length, actual);
  return { metrics: { accuracy: m.accuracy, logLoss: m.logLoss }, rows: actual.length };
}

function probabilityRow(
  labels: string[],
  index: Map<string, number>,
  pair: FeedbackPair,
): number[] | null {
  const { probabilities, predicted } = pair;
  let row: (number | null)[] | null = null;
  if (Array.isArray(probabilities) && probabilities.length === labels.length)
    row = probabilities.map(asNumber);
  else if (typeof probabilities === 'object' && probabilities !== null) {
    const byLabel = probabilities as Record<string, unknown>;
    row = labels.map((l) => asNumber(byLabel[l]));
  }
  if (row && row.every((v): v is number => v !== null && v >= 0) && row.some((v) => v > 0))
    return row;
  // No probabilities: the predicted class as probability 1 (a tensor's is a class index).
  let c: number | undefined;
  if (pair.tensor) {
    const i = asNumber(predicted);
    c = i !== null && Number.isInteger(i) && i >= 0 && i < labels.length ? i : undefined;
  } else {
    const label = labelOf(predicted);
    c = label === undefined ? undefined : index.get(label);
  }
  if (c === undefined) return null;
  return labels.map((_, i) => (i === c ? 1 : 0));
}
