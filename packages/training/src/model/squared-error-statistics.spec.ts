import { SeededRandom } from './random';
import { SquaredErrorStatistics, statisticsPayOff } from './squared-error-statistics';

describe('SquaredErrorStatistics', () => {
  // Widths around gemm's blocks of four (W = D + 1 = 2, 4, 5, 8) and row counts around the
  // 256-row blocks.
  it.each([
    [1, 1],
    [3, 255],
    [4, 257],
    [7, 600],
  ])('D = %i, %i rows: Σe² and its gradient as a direct sum over the rows', (D, rows) => {
    const random = new SeededRandom(D * 1000 + rows);
    const X = Float64Array.from({ length: rows * D }, () => 50 + random.nextNormal());
    const Y = Float64Array.from({ length: rows }, () => -20 + 3 * random.nextNormal());
    const params = Float64Array.from({ length: D + 1 }, () => random.nextNormal());
    const stats = SquaredErrorStatistics.build(X, Y, rows, D);

    let squares = 0;
    const expected = new Float64Array(D + 1).fill(0.5);
    for (let r = 0; r < rows; r++) {
      let e = (params[D] as number) - (Y[r] as number);
      for (let j = 0; j < D; j++) e += (params[j] as number) * (X[r * D + j] as number);
      squares += e * e;
      for (let j = 0; j < D; j++)
        expected[j] = (expected[j] as number) + 2 * 0.25 * e * (X[r * D + j] as number);
      expected[D] = (expected[D] as number) + 2 * 0.25 * e;
    }
    const grads = new Float64Array(D + 1).fill(0.5);
    const sse = stats.squaredError(params, grads, 0.25);
    expect(Math.abs(sse - squares)).toBeLessThan(1e-11 * squares);
    grads.forEach((g, j) =>
      expect(Math.abs(g - (expected[j] as number))).toBeLessThan(1e-10 * squares),
    );
    // Without grads: the same value, nothing written.
    expect(stats.squaredError(params, null, 0)).toBe(sse);
  });

  it('gives r² and mse in target units, and clamps a perfect fit to 0', () => {
    // y = 2x + 1 exactly, scaled targets: the fit's Σe² rounds to about 0, never below.
    const rows = 300;
    const X = Float64Array.from({ length: rows }, (_, r) => r / 7);
    const Y = X.map((x) => 2 * x + 1);
    const stats = SquaredErrorStatistics.build(X, Y, rows, 1);
    const perfect = stats.squaredError(Float64Array.from([2, 1]), null, 0);
    expect(perfect).toBeGreaterThanOrEqual(0);
    expect(perfect).toBeLessThan(1e-9);
    const flat = stats.squaredError(Float64Array.from([0, 0]), null, 0);
    const metrics = stats.metrics(flat, 3);
    const sumY2 = Y.reduce((s, y) => s + y * y, 0);
    expect(metrics.mse).toBeCloseTo((sumY2 / rows) * 9, 8);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(metrics.mse), 12);
    const mean = Y.reduce((s, y) => s + y, 0) / rows;
    const sst = Y.reduce((s, y) => s + (y - mean) ** 2, 0);
    expect(metrics.r2).toBeCloseTo(1 - sumY2 / sst, 10);
    expect(stats.metrics(perfect, 3).r2).toBeCloseTo(1, 12);
    expect(metrics).not.toHaveProperty('mae');
  });

  it('pays off with enough epochs per input, never past 1024 inputs', () => {
    expect(statisticsPayOff(1_000_000, 0, 10, 50)).toBe(true);
    expect(statisticsPayOff(1_000_000, 0, 10, 2)).toBe(false);
    expect(statisticsPayOff(100, 25, 500, 100)).toBe(false);
    expect(statisticsPayOff(10_000_000, 0, 1025, 100_000)).toBe(false);
  });
});
