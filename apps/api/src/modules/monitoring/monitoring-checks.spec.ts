import type { MonitoringThresholdsRecord } from '@maas/db';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors';
import { checkFigures } from './monitoring-checks';
import type { CellFigures } from './monitoring-figures';
import { checkThresholds, checkWindow } from './monitoring-limits';
import { onlineMetrics } from './online-metrics';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof UserError ? String(err.extensions.code) : 'not a UserError';
  }
  return undefined;
};

const thresholds = (over: Partial<MonitoringThresholdsRecord>): MonitoringThresholdsRecord => ({
  ...checkThresholds({ maxErrorRate: 1 }),
  maxErrorRate: null,
  ...over,
});

const cell = (over: Partial<CellFigures>): CellFigures => ({
  versionId: 'v1',
  bucket: 0,
  requests: 100,
  errors: 0,
  latencyP50Ms: 1,
  latencyP99Ms: 2,
  feedbackCount: 0,
  onlineMetrics: null,
  onlineRows: 0,
  inputDrift: [],
  predictionDrift: null,
  driftSamples: 100,
  ...over,
});

describe('window and bucket bounds', () => {
  it('takes the defaults and the edges, refuses past them with BAD_USER_INPUT', () => {
    expect(codeOf(() => checkWindow(3600, 60))).toBeUndefined();
    expect(codeOf(() => checkWindow(30 * 86_400, 86_400))).toBeUndefined();
    expect(codeOf(() => checkWindow(10_000, 10))).toBeUndefined(); // exactly 1000 buckets
    for (const [w, b] of [
      [10_010, 10], // 1001 buckets
      [3600, 9],
      [3600, 86_401],
      [0, 10],
      [30 * 86_400 + 1, 86_400],
      [59, 60],
      [3600.5, 60],
    ] as const)
      expect(
        codeOf(() => checkWindow(w, b)),
        `${w}/${b}`,
      ).toBe('BAD_USER_INPUT');
  });
});

describe('thresholds', () => {
  it('fills the defaults and refuses bad or missing limits', () => {
    expect(checkThresholds({ maxInputDrift: 0.25 })).toMatchObject({
      windowSeconds: 3600,
      minSamples: 30,
      maxInputDrift: 0.25,
      maxErrorRate: null,
    });
    for (const t of [
      {},
      { maxErrorRate: 1.1 },
      { maxInputDrift: 0 },
      { maxP99LatencyMs: Number.NaN },
      { minOnlineAccuracy: -0.1 },
      { windowSeconds: 59, maxErrorRate: 0.1 },
      { minSamples: 0, maxErrorRate: 0.1 },
    ])
      expect(
        codeOf(() => checkThresholds(t)),
        JSON.stringify(t),
      ).toBe('BAD_USER_INPUT');
  });
});

describe('checkFigures', () => {
  it('raises above a max (not at it), below a min, per feature, for the worst version', () => {
    const t = thresholds({ maxInputDrift: 0.2, maxErrorRate: 0.1, minOnlineAccuracy: 0.8 });
    const { crossed, withinLimits } = checkFigures(
      t,
      [
        cell({
          versionId: 'v1',
          errors: 10,
          inputDrift: [
            { feature: 'x', psi: 0.3 },
            { feature: 'z', psi: 0.2 },
          ],
        }),
        cell({
          versionId: 'v2',
          errors: 11,
          inputDrift: [{ feature: 'x', psi: 0.5 }],
          onlineMetrics: { accuracy: 0.7 },
          onlineRows: 40,
        }),
      ],
      (id) => `version ${id}`,
    );
    const byKind = Object.fromEntries(crossed.map((c) => [`${c.kind}|${c.feature}`, c]));
    expect(Object.keys(byKind).sort()).toEqual(['errorRate|', 'inputDrift|x', 'onlineAccuracy|']);
    expect(byKind['inputDrift|x']).toMatchObject({ versionId: 'v2', value: 0.5, threshold: 0.2 });
    expect(byKind['inputDrift|x']?.message).toContain('"x"');
    expect(byKind['errorRate|']).toMatchObject({ versionId: 'v2', value: 0.11 });
    expect(withinLimits).toEqual([{ kind: 'inputDrift', feature: 'z' }]);
  });

  it('compares nothing without minSamples behind the figure', () => {
    const t = thresholds({ maxInputDrift: 0.2, maxOnlineRmse: 1, minSamples: 50 });
    const { crossed, withinLimits } = checkFigures(
      t,
      [
        cell({
          driftSamples: 49,
          inputDrift: [{ feature: 'x', psi: 9 }],
          onlineMetrics: { rmse: 5 },
          onlineRows: 49,
        }),
      ],
      (id) => id,
    );
    expect(crossed).toEqual([]);
    expect(withinLimits).toEqual([]);
  });
});

describe('onlineMetrics', () => {
  const pair = (predicted: unknown, actual: unknown, probabilities: unknown = null) => ({
    versionId: 'v',
    bucket: 0,
    predicted,
    actual,
    probabilities,
    tensor: false,
  });

  it('scores a regressor with MAE and RMSE, leaving out what is not a number', () => {
    const m = onlineMetrics({ labels: null }, [
      pair(1, 2),
      pair(3, 1),
      pair('x', 1),
      pair(null, 2),
    ]);
    expect(m?.rows).toBe(2);
    expect(m?.metrics.mae).toBeCloseTo(1.5, 12);
    expect(m?.metrics.rmse).toBeCloseTo(Math.sqrt((1 + 4) / 2), 12);
    expect(onlineMetrics({ labels: null }, [])).toBeNull();
  });

  it('scores a classifier on its probabilities, or on the predicted label alone', () => {
    const m = onlineMetrics({ labels: ['no', 'yes'] }, [
      pair('yes', 'yes', { no: 0.2, yes: 0.8 }),
      pair('yes', 'no', { no: 0.4, yes: 0.6 }),
      pair('no', 'no'),
      pair('no', 'maybe'),
    ]);
    expect(m?.rows).toBe(3);
    expect(m?.metrics.accuracy).toBeCloseTo(2 / 3, 12);
    const logLoss = -(Math.log(0.8) + Math.log(0.4) + Math.log(1 - 1e-15)) / 3;
    expect(m?.metrics.logLoss).toBeCloseTo(logLoss, 6);
    // A tensor's answer: probabilities in label order, or a class index.
    const t = onlineMetrics({ labels: ['no', 'yes'] }, [
      { ...pair(1, 'yes', [0.3, 0.7]), tensor: true },
      { ...pair(0, 'yes'), tensor: true },
    ]);
    expect(t?.rows).toBe(2);
    expect(t?.metrics.accuracy).toBeCloseTo(0.5, 12);
    expect(t?.metrics.logLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(1e-15)) / 2, 6);
  });
});
