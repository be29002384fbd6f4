import { describe, expect, it } from 'vitest';
import {
  TrainingError,
  classificationMetrics,
  confusionMatrix,
  createTrainer,
  evaluateVersion,
  evaluationRows,
  importanceRows,
  metricRegression,
  permutationImportance,
  regressionMetrics,
  residualSummary,
} from '../src';
import { categorical, dataset, errorOf, numeric, uniform } from './fixtures';

describe('metric functions (the accumulator fed predictions)', () => {
  it('regression metrics equal the closed form', () => {
    const predicted = [1, 2.5, 2, 8];
    const actual = [1.5, 2, 3, 7];
    const errors = predicted.map((p, i) => p - (actual[i] as number));
    const mse = errors.reduce((s, e) => s + e * e, 0) / 4;
    const mean = actual.reduce((s, y) => s + y, 0) / 4;
    const sst = actual.reduce((s, y) => s + (y - mean) ** 2, 0);
    const m = regressionMetrics(predicted, actual);
    expect(m.mse).toBeCloseTo(mse, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(mse), 12);
    expect(m.mae).toBeCloseTo(errors.reduce((s, e) => s + Math.abs(e), 0) / 4, 12);
    expect(m.r2).toBeCloseTo(1 - (mse * 4) / sst, 12);
    expect(() => regressionMetrics([], [])).toThrow(RangeError);
  });

  it('classification metrics: accuracy, positive-class precision/recall, clipped log loss', () => {
    // rows × 2 classes
    const p = [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.7, 0.3, 0.5, 0.5];
    const actual = [0, 1, 1, 1, 0];
    const m = classificationMetrics(p, 2, actual);
    // predicted 0, 1, 1, 0, 0 (a tie goes to the first class): one mistake
    expect(m.accuracy).toBeCloseTo(4 / 5, 12);
    expect(m.precision).toBeCloseTo(2 / 2, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    const logLoss =
      -(Math.log(0.9) + Math.log(0.6) + Math.log(0.8) + Math.log(0.3) + Math.log(0.5)) / 5;
    expect(m.logLoss).toBeCloseTo(logLoss, 12);
    const certain = classificationMetrics([1, 0, 1, 0], 2, [0, 1]);
    expect(certain.logLoss).toBeCloseTo(-Math.log(1e-15) / 2, 6);
    expect(confusionMatrix(p, 2, actual)).toEqual([
      [2, 0],
      [1, 2],
    ]);
  });

  it('says which direction is worse', () => {
    expect(metricRegression('rmse', 1, 1.25)).toBeCloseTo(0.25, 12);
    expect(metricRegression('accuracy', 0.9, 0.8)).toBeCloseTo(0.1, 12);
    expect(metricRegression('r2', 0.5, 0.75)).toBeCloseTo(-0.25, 12);
    expect(() => metricRegression('speed', 1, 2)).toThrow(/unknown metric/);
  });

  it('summarises residuals with interpolated quantiles', () => {
    const s = residualSummary([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]);
    expect(s).toEqual({
      mean: 3,
      std: Math.sqrt(2),
      min: 1,
      p05: 1.2,
      p25: 2,
      p50: 3,
      p75: 4,
      p95: 4.8,
      max: 5,
    });
  });
});

describe('permutation importance', () => {
  it('is 0 for an ignored feature, ranks the dominant one first, restores the matrix, is seeded', () => {
    const random = uniform(3);
    const rows = 500;
    const width = 3;
    const matrix = Float64Array.from({ length: rows * width }, () => random() * 2 - 1);
    const y = Array.from(
      { length: rows },
      (_, r) => 3 * (matrix[r * 3] as number) + 0.5 * (matrix[r * 3 + 2] as number),
    );
    const loss = (m: Float64Array) => {
      let s = 0;
      for (let r = 0; r < rows; r++) {
        const e = 3 * (m[r * 3] as number) + 0.5 * (m[r * 3 + 2] as number) - (y[r] as number);
        s += e * e;
      }
      return s / rows;
    };
    const before = Float64Array.from(matrix);
    const input = {
      matrix,
      rows,
      width,
      features: ['a', 'b', 'c'].map((name, i) => ({ name, columns: [i] })),
      seed: 5,
    };
    const result = permutationImportance(input, loss);
    expect(result.map((f) => f.feature)).toEqual(['a', 'c', 'b']);
    expect(result[2]?.importance).toBe(0);
    // Shuffling x adds about 2·w²·Var(x) (Var of U(-1, 1) is 1/3).
    expect(result[0]?.importance).toBeGreaterThan((0.8 * 2 * 9) / 3);
    expect(result[0]?.importance).toBeLessThan((1.2 * 2 * 9) / 3);
    expect(matrix).toEqual(before);
    expect(permutationImportance(input, loss)).toEqual(result);
  });

  it('samples at most the limit of rows, ascending', () => {
    expect(importanceRows(5, 1)).toEqual(Int32Array.from([0, 1, 2, 3, 4]));
    const picked = importanceRows(1000, 1, 10);
    expect(picked.length).toBe(10);
    expect([...picked]).toEqual([...picked].sort((a, b) => a - b));
  });

  it('is computed at the end of training on the validation split', () => {
    const random = uniform(9);
    const x1 = Array.from({ length: 300 }, () => random());
    const x2 = Array.from({ length: 300 }, () => random());
    const y = x1.map((v) => 4 * v + 1);
    const trainer = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: dataset(numeric('x1', x1), numeric('x2', x2), numeric('y', y)),
      target: 'y',
      hyperparameters: { epochs: 200, learningRate: 0.1 },
    });
    while (!trainer.done) trainer.runEpoch();
    const { featureImportance } = trainer.finish();
    expect(featureImportance.map((f) => f.feature)).toEqual(['x1', 'x2']);
    expect(featureImportance[0]?.importance).toBeGreaterThan(1);
    expect(Math.abs(featureImportance[1]?.importance ?? 1)).toBeLessThan(0.01);
  });
});

describe('evaluateVersion', () => {
  const rows = dataset(
    numeric('a', [1, 2, 3, Number.NaN, 5]),
    numeric('b', [0, 1, 0, 1, 0]),
    numeric('y', [3, 5, 7, 9, Number.NaN]),
    categorical('label', ['no', 'yes'], [0, 1, 1, 0, 1]),
  );

  it('scores the rows with the target and every feature, feeding each model its column order', async () => {
    const on = evaluationRows(rows, 'y', ['a', 'b'], null);
    expect([...on.rows]).toEqual([0, 1, 2]);
    // The model takes (b, a): prediction 2a + 1 + b.
    const run = (input: Float32Array, n: number) =>
      Promise.resolve({
        prediction: Float64Array.from(
          { length: n },
          (_, r) => 2 * (input[r * 2 + 1] as number) + 1 + (input[r * 2] as number),
        ),
        probabilities: null,
      });
    const result = await evaluateVersion(
      { features: ['b', 'a'], categories: {}, labels: null },
      rows,
      on,
      run,
    );
    // errors 0, 1, 0
    expect(result.metrics.mse).toBeCloseTo(1 / 3, 12);
    expect(result.details.rows).toBe(3);
    expect(result.featureImportance.map((f) => f.feature).sort()).toEqual(['a', 'b']);
  });

  it('maps class labels and refuses values the versions do not know', () => {
    const on = evaluationRows(rows, 'label', ['a'], ['no', 'yes']);
    expect([...on.actual]).toEqual([0, 1, 1, 1]);
    const err = errorOf(() => evaluationRows(rows, 'label', ['a'], ['no', 'maybe']));
    expect(err).toBeInstanceOf(TrainingError);
    expect(err.message).toMatch(/'yes'/);
    expect(() => evaluationRows(rows, 'label', ['a'], null)).toThrow(/categorical/);
  });
});
