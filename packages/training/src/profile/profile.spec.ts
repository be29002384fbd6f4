import { describe, expect, it } from 'vitest';
import { createTrainer } from '../training/trainer';
import {
  binIndex,
  categoricalBins,
  countNumeric,
  inputProfile,
  numericBins,
  populationStabilityIndex,
  PSI_EPSILON,
  quantileEdges,
} from './profile';

describe('quantile bins', () => {
  it('cuts 100 distinct values into 10 bins of 10, lower bound inclusive (width_bucket)', () => {
    const values = Array.from({ length: 100 }, (_, i) => 99 - i); // unsorted on purpose
    const bins = numericBins(values);
    expect(bins.edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(bins.counts).toEqual(new Array(10).fill(10));
    expect(binIndex(bins.edges, 9.99)).toBe(0);
    expect(binIndex(bins.edges, 10)).toBe(1);
    expect(binIndex(bins.edges, 90)).toBe(9);
    expect(binIndex(bins.edges, 1e9)).toBe(9);
    expect(binIndex(bins.edges, -1e9)).toBe(0);
  });

  it('drops repeated edges, skips NaN, and keeps a constant column in one bin', () => {
    expect(quantileEdges([0, 0, 0, 0, 1, 1, Number.NaN], 4)).toEqual([0, 1]);
    expect(countNumeric([0, 1], [0, 0, 1, Number.NaN, -3])).toEqual([1, 2, 1]);
    expect(numericBins([5, 5, 5])).toEqual({ kind: 'numeric', edges: [5], counts: [0, 3] });
    expect(numericBins([])).toEqual({ kind: 'numeric', edges: [], counts: [0] });
    expect(() => quantileEdges([1], 0)).toThrow(RangeError);
  });

  it('counts categories by index and ignores what is not one', () => {
    expect(categoricalBins(['a', 'b', 'c'], [0, 2, 2, -1, 3, Number.NaN, 1.5])).toEqual({
      kind: 'categorical',
      categories: ['a', 'b', 'c'],
      counts: [1, 0, 2],
    });
  });

  it('profiles model-input rows per feature, numeric and categorical, on picked rows', () => {
    // rows × [x, colour]
    const input = Float32Array.from([1, 0, 2, 1, 3, 1, 4, 2]);
    const profile = inputProfile(
      [
        { name: 'x', type: 'numeric' },
        { name: 'colour', type: 'categorical', categories: ['red', 'green', 'blue'] },
      ],
      input,
      [1, 2, 3],
      2,
    );
    expect(profile).toEqual([
      { feature: 'x', kind: 'numeric', edges: [3], counts: [1, 2] },
      {
        feature: 'colour',
        kind: 'categorical',
        categories: ['red', 'green', 'blue'],
        counts: [0, 2, 1],
      },
    ]);
  });
});

describe('populationStabilityIndex', () => {
  it('is 0 for the same shares and equals the closed form otherwise', () => {
    expect(populationStabilityIndex([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 15);
    const r = [0.25, 0.25, 0.5];
    const o = [0.5, 0.25, 0.25];
    const expected = r.reduce(
      (s, ri, i) => s + ((o[i] as number) - ri) * Math.log((o[i] as number) / ri),
      0,
    );
    expect(populationStabilityIndex([25, 25, 50], [2, 1, 1])).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.5 * Math.log(2), 12);
  });

  it('takes an empty bin as PSI_EPSILON, so the index stays finite', () => {
    const psi = populationStabilityIndex([50, 50], [100, 0]);
    const expected =
      (1 - 0.5) * Math.log(1 / 0.5) + (PSI_EPSILON - 0.5) * Math.log(PSI_EPSILON / 0.5);
    expect(psi).toBeCloseTo(expected, 12);
    expect(Number.isFinite(psi)).toBe(true);
  });

  it('refuses bins that differ or a side without rows', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => populationStabilityIndex([0, 0], [1, 2])).toThrow(RangeError);
    expect(() => populationStabilityIndex([1, 2], [0, 0])).toThrow(RangeError);
  });
});

describe('the training profile', () => {
  it('holds the training split of each feature and the predictions of y = 3x', () => {
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, i) => i / 10);
    const trainer = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: {
        rowCount: n,
        columns: [
          { name: 'x', type: 'numeric', values: x },
          { name: 'y', type: 'numeric', values: x.map((v) => 3 * v + 1) },
        ],
      },
      target: 'y',
      hyperparameters: { epochs: 300, learningRate: 0.1, validationSplit: 0.25, seed: 3 },
    });
    while (!trainer.done) trainer.runEpoch();
    const { profile } = trainer.finish();
    expect(profile.rows).toBe(trainer.trainingRows);
    expect(profile.rows).toBe(150);
    const [feature] = profile.features;
    expect(feature?.feature).toBe('x');
    expect(feature?.kind).toBe('numeric');
    expect(feature?.counts.reduce((a, b) => a + b, 0)).toBe(150);
    expect(feature?.counts).toEqual(new Array(10).fill(15));
    // The predictions of a near-exact fit are ≈ 3x + 1: their edges are 3·(x's edges) + 1.
    const prediction = profile.prediction;
    expect(prediction?.kind).toBe('numeric');
    const xEdges = feature?.kind === 'numeric' ? feature.edges : [];
    const pEdges = prediction?.kind === 'numeric' ? prediction.edges : [];
    expect(pEdges).toHaveLength(9);
    pEdges.forEach((e, i) => expect(e).toBeCloseTo(3 * (xEdges[i] as number) + 1, 1));
  });
});
