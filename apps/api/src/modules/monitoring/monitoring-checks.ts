import type { MonitoringThresholdsRecord } from '@maas/db';
import type { CellFigures } from './monitoring-figures';

/** A threshold crossed in a check, as the alert records it. */
export interface Crossing {
  kind: string;
  /** The input feature of inputDrift; '' otherwise. */
  feature: string;
  versionId: string;
  value: number;
  threshold: number;
  message: string;
}

interface Measure {
  kind: string;
  label: string;
  limitName: keyof MonitoringThresholdsRecord;
  /** 'max': crossed above the limit; 'min': below it. */
  direction: 'max' | 'min';
}

const MEASURES: Record<string, Measure> = {
  errorRate: {
    kind: 'errorRate',
    label: 'Error rate',
    limitName: 'maxErrorRate',
    direction: 'max',
  },
  p99LatencyMs: {
    kind: 'p99LatencyMs',
    label: 'p99 latency (ms)',
    limitName: 'maxP99LatencyMs',
    direction: 'max',
  },
  inputDrift: {
    kind: 'inputDrift',
    label: 'Input drift (PSI)',
    limitName: 'maxInputDrift',
    direction: 'max',
  },
  predictionDrift: {
    kind: 'predictionDrift',
    label: 'Prediction drift (PSI)',
    limitName: 'maxPredictionDrift',
    direction: 'max',
  },
  onlineMae: {
    kind: 'onlineMae',
    label: 'Online MAE',
    limitName: 'maxOnlineMae',
    direction: 'max',
  },
  onlineRmse: {
    kind: 'onlineRmse',
    label: 'Online RMSE',
    limitName: 'maxOnlineRmse',
    direction: 'max',
  },
  onlineAccuracy: {
    kind: 'onlineAccuracy',
    label: 'Online accuracy',
    limitName: 'minOnlineAccuracy',
    direction: 'min',
  },
  onlineLogLoss: {
    kind: 'onlineLogLoss',
    label: 'Online log loss',
    limitName: 'maxOnlineLogLoss',
    direction: 'max',
  },
};

const round = (x: number) => Number(x.toPrecision(4));

/**
 * Compares one window's figures (one cell per version) with a deployment's thresholds. Returns
 * the crossings (the worst version for each kind and feature) and the kinds and features that
 * were measured within their limits everywhere (their open alerts resolve). A figure is compared
 * only with enough behind it: `minSamples` requests, logged records or feedback rows. A limit is
 * crossed strictly above a max (below a min).
 */
export function checkFigures(
  thresholds: MonitoringThresholdsRecord,
  figures: readonly CellFigures[],
  versionLabel: (versionId: string) => string,
): { crossed: Crossing[]; withinLimits: { kind: string; feature: string }[] } {
  const worst = new Map<string, Crossing>();
  const measured = new Map<string, { kind: string; feature: string }>();
  const consider = (
    measure: Measure,
    feature: string,
    versionId: string,
    value: number | null,
    samples: number,
    what: string,
  ) => {
    const limit = thresholds[measure.limitName];
    if (
      limit === null ||
      value === null ||
      !Number.isFinite(value) ||
      samples < thresholds.minSamples
    )
      return;
    const key = `${measure.kind}|${feature}`;
    measured.set(key, { kind: measure.kind, feature });
    const crossed = measure.direction === 'max' ? value > limit : value < limit;
    if (!crossed) return;
    const previous = worst.get(key);
    if (
      previous &&
      (measure.direction === 'max' ? previous.value >= value : previous.value <= value)
    )
      return;
    const name = feature ? `${measure.label} of feature "${feature}"` : measure.label;
    worst.set(key, {
      kind: measure.kind,
      feature,
      versionId,
      value,
      threshold: limit,
      message: `${name} on ${versionLabel(versionId)} is ${round(value)} over ${samples} ${what} in the last ${thresholds.windowSeconds} s, ${measure.direction === 'max' ? 'above' : 'below'} ${measure.limitName} ${limit}`,
    });
  };
  for (const f of figures) {
    const v = f.versionId;
    consider(
      MEASURES.errorRate as Measure,
      '',
      v,
      f.requests > 0 ? f.errors / f.requests : null,
      f.requests,
      'request(s)',
    );
    consider(MEASURES.p99LatencyMs as Measure, '', v, f.latencyP99Ms, f.requests, 'request(s)');
    for (const d of f.inputDrift)
      consider(
        MEASURES.inputDrift as Measure,
        d.feature,
        v,
        d.psi,
        f.driftSamples,
        'logged record(s)',
      );
    consider(
      MEASURES.predictionDrift as Measure,
      '',
      v,
      f.predictionDrift,
      f.driftSamples,
      'logged record(s)',
    );
    const m = f.onlineMetrics ?? {};
    consider(MEASURES.onlineMae as Measure, '', v, m.mae ?? null, f.onlineRows, 'feedback row(s)');
    consider(
      MEASURES.onlineRmse as Measure,
      '',
      v,
      m.rmse ?? null,
      f.onlineRows,
      'feedback row(s)',
    );
    consider(
      MEASURES.onlineAccuracy as Measure,
      '',
      v,
      m.accuracy ?? null,
      f.onlineRows,
      'feedback row(s)',
    );
    consider(
      MEASURES.onlineLogLoss as Measure,
      '',
      v,
      m.logLoss ?? null,
      f.onlineRows,
      'feedback row(s)',
    );
  }
  const withinLimits = [...measured.entries()]
    .filter(([key]) => !worst.has(key))
    .map(([, kf]) => kf);
  return { crossed: [...worst.values()], withinLimits };
}
