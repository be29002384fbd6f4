import { populationStabilityIndex } from '@maas/training';
import { quantile } from '../predictions/serving-stats';
import { onlineMetrics, type VersionScoring } from './online-metrics';
import type { DriftCell, FeedbackPair, StatsCell } from './monitoring-reads';
import { cellKey } from './monitoring-reads';
import type { DataProfileRecord } from '@maas/db';

/** One version's figures in one bucket, as deploymentMonitoring and the checker see them. */
export interface CellFigures {
  versionId: string;
  bucket: number;
  requests: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  feedbackCount: number;
  onlineMetrics: Record<string, number> | null;
  /** Feedback pairs the online metrics were computed from. */
  onlineRows: number;
  inputDrift: { feature: string; psi: number }[];
  predictionDrift: number | null;
  driftSamples: number;
}

const total = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

/** PSI of observed counts against reference counts; null when a side has no rows. */
function psiOrNull(reference: readonly number[], observed: readonly number[]): number | null {
  if (reference.length !== observed.length || total(reference) <= 0 || total(observed) <= 0)
    return null;
  return populationStabilityIndex(reference, observed);
}

/** Drift of one cell's counts against the profile they were binned with. */
export function driftOf(
  profile: DataProfileRecord,
  cell: DriftCell,
): Pick<CellFigures, 'inputDrift' | 'predictionDrift' | 'driftSamples'> {
  const inputDrift: { feature: string; psi: number }[] = [];
  profile.features.forEach((f, i) => {
    const psi = psiOrNull(f.counts, cell.features[i] ?? []);
    if (psi !== null) inputDrift.push({ feature: f.feature, psi });
  });
  const predictionDrift =
    profile.prediction && cell.prediction
      ? psiOrNull(profile.prediction.counts, cell.prediction)
      : null;
  return { inputDrift, predictionDrift, driftSamples: cell.records };
}

/** Joins the three reads into figures per (version, bucket), oldest bucket first. */
export function combineFigures(input: {
  stats: Map<string, StatsCell>;
  drift: Map<string, DriftCell>;
  feedbackCounts: Map<string, number>;
  pairs: readonly FeedbackPair[];
  profiles: Map<string, DataProfileRecord>;
  scoring: (versionId: string) => VersionScoring;
}): CellFigures[] {
  const keys = new Map<string, { versionId: string; bucket: number }>();
  const note = (versionId: string, bucket: number) =>
    keys.set(cellKey(versionId, bucket), { versionId, bucket });
  for (const c of input.stats.values()) note(c.versionId, c.bucket);
  for (const c of input.drift.values()) note(c.versionId, c.bucket);
  for (const p of input.pairs) note(p.versionId, p.bucket);
  for (const key of input.feedbackCounts.keys()) {
    const [versionId, bucket] = key.split('|');
    if (versionId && bucket !== undefined) note(versionId, Number(bucket));
  }
  const pairsByKey = new Map<string, FeedbackPair[]>();
  for (const p of input.pairs) {
    const key = cellKey(p.versionId, p.bucket);
    const list = pairsByKey.get(key);
    if (list) list.push(p);
    else pairsByKey.set(key, [p]);
  }
  const figures: CellFigures[] = [];
  for (const [key, { versionId, bucket }] of keys) {
    const stats = input.stats.get(key);
    const driftCell = input.drift.get(key);
    const profile = input.profiles.get(versionId);
    const online = onlineMetrics(input.scoring(versionId), pairsByKey.get(key) ?? []);
    figures.push({
      versionId,
      bucket,
      requests: stats?.requests ?? 0,
      errors: stats?.errors ?? 0,
      latencyP50Ms: stats ? quantile(stats.histogram, 0.5) : null,
      latencyP99Ms: stats ? quantile(stats.histogram, 0.99) : null,
      feedbackCount: input.feedbackCounts.get(key) ?? 0,
      onlineMetrics: online?.metrics ?? null,
      onlineRows: online?.rows ?? 0,
      ...(profile && driftCell
        ? driftOf(profile, driftCell)
        : { inputDrift: [], predictionDrift: null, driftSamples: 0 }),
    });
  }
  return figures.sort((a, b) => a.bucket - b.bucket || a.versionId.localeCompare(b.versionId));
}
