import { predictWithState, type ExportedModelState } from '@maas/training';
import { describe, expect, it } from 'vitest';
import { designColumnsByFeature, explainLinear, meanDesign } from './exact-linear';

// Features: x (numeric, standardised), colour (categorical, 3 levels), z (numeric).
// Design columns: x, z, colour=red, colour=green, colour=blue.
function state(head: 'identity' | 'sigmoid' | 'softmax'): ExportedModelState {
  const K = head === 'softmax' ? 3 : 1;
  const weights = Array.from({ length: 5 * K }, (_, i) => ((i * 7) % 5) - 2 + i / 10);
  return {
    formatVersion: 1,
    algorithm:
      head === 'identity'
        ? 'LINEAR_REGRESSION'
        : head === 'sigmoid'
          ? 'LOGISTIC_REGRESSION'
          : 'SOFTMAX_REGRESSION',
    task:
      head === 'identity'
        ? 'REGRESSION'
        : head === 'sigmoid'
          ? 'BINARY_CLASSIFICATION'
          : 'MULTICLASS_CLASSIFICATION',
    head,
    target: 'y',
    features: [
      { name: 'x', type: 'numeric', offset: 2, scale: 0.5 },
      {
        name: 'colour',
        type: 'categorical',
        offset: 0,
        scale: 1,
        categories: ['red', 'green', 'blue'],
      },
      { name: 'z', type: 'numeric', offset: -1, scale: 2 },
    ],
    labels: head === 'identity' ? null : head === 'sigmoid' ? ['no', 'yes'] : ['a', 'b', 'c'],
    targetOffset: head === 'identity' ? 10 : 0,
    targetScale: head === 'identity' ? 3 : 1,
    hiddenLayers: [],
    layers: [
      { inputs: 5, outputs: K, weights, bias: Array.from({ length: K }, (_, k) => 0.5 - k) },
    ],
  };
}

// Training rows as model input: x, colour index, z.
const training = Float32Array.from([1, 0, 0, 3, 1, -1, 2, 2, 0.5, 4, 0, -2, 0, 1, 1]);
const all = [0, 1, 2, 3, 4];
const records = Float32Array.from([2.5, 2, -0.5, 0, 1, 3]);

describe('explainLinear', () => {
  it('lays the design out as the graph does: numeric features first, then one-hot blocks', () => {
    expect(designColumnsByFeature(state('identity'))).toEqual([[0], [2, 3, 4], [1]]);
  });

  it('takes the means of the standardised values and the category frequencies', () => {
    const mean = meanDesign(state('identity'), training, all);
    // x: (mean 2 − 2) · 0.5; z: (mean −0.3 + 1) · 2; red 2/5, green 2/5, blue 1/5.
    [0, 1.4, 0.4, 0.4, 0.2].forEach((v, j) => expect(mean[j]).toBeCloseTo(v, 6));
  });

  it('regression: weights × standardised difference from the mean, summing to prediction − baseline', () => {
    const s = state('identity');
    const reference = meanDesign(s, training, all);
    const [first, second] = explainLinear(s, reference, records, 2, () => 0);
    const w = s.layers[0]?.weights ?? [];
    // Record 1: x 2.5 → z-score 0.25, colour blue, z −0.5 → 1; all times targetScale 3.
    expect(first?.contributions[0]).toBeCloseTo(3 * (w[0] ?? 0) * (0.25 - 0), 6);
    expect(first?.contributions[2]).toBeCloseTo(3 * (w[1] ?? 0) * (1 - 1.4), 6);
    expect(first?.contributions[1]).toBeCloseTo(
      3 * ((w[2] ?? 0) * -0.4 + (w[3] ?? 0) * -0.4 + (w[4] ?? 0) * 0.8),
      6,
    );
    const predicted = predictWithState(s, records, 2).prediction;
    [first, second].forEach((e, r) => {
      const sum = (e?.contributions ?? []).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo((predicted[r] ?? 0) - (e?.baseline ?? 0), 9);
    });
    // The baseline is the prediction at the mean design.
    expect(first?.baseline).toBe(second?.baseline);
  });

  it('logistic regression: on the log-odds of the second label', () => {
    const s = state('sigmoid');
    const reference = meanDesign(s, training, all);
    const result = explainLinear(s, reference, records, 2, () => 0);
    const p = predictWithState(s, records, 2).probabilities ?? new Float64Array(4);
    result.forEach((e, r) => {
      const logit = Math.log((p[r * 2 + 1] ?? 0) / (p[r * 2] ?? 1));
      const sum = e.contributions.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(logit - e.baseline, 9);
    });
  });

  it('softmax regression: on the logit of the class the record is explained for', () => {
    const s = state('softmax');
    const reference = meanDesign(s, training, all);
    const [asB] = explainLinear(s, reference, records, 1, () => 1);
    const [asC] = explainLinear(s, reference, records, 1, () => 2);
    const p = predictWithState(s, records, 1).probabilities ?? new Float64Array(3);
    // Logit differences are log-probability ratios: (sumB + baseB) − (sumC + baseC) = log(pB / pC).
    const total = (e: typeof asB) =>
      (e?.contributions ?? []).reduce((a, b) => a + b, 0) + (e?.baseline ?? 0);
    expect(total(asB) - total(asC)).toBeCloseTo(Math.log((p[1] ?? 0) / (p[2] ?? 1)), 9);
  });
});
