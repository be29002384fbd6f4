import { describe, expect, it } from 'vitest';
import { samplingShapley, shapleyEvaluations, type OutputReader } from './sampling-shapley';

type Model = (row: readonly number[]) => number;

/** The exact interventional Shapley values against the background, by enumerating every coalition. */
function enumeratedShapley(f: Model, x: number[], background: number[][]): number[] {
  const F = x.length;
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const value = (mask: number) =>
    background.reduce(
      (sum, z) => sum + f(z.map((zj, j) => ((mask >> j) & 1 ? x[j] : zj) as number)),
      0,
    ) / background.length;
  return x.map((_, i) => {
    let phi = 0;
    for (let mask = 0; mask < 1 << F; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let j = 0; j < F; j++) size += (mask >> j) & 1;
      const weight = (factorial(size) * factorial(F - size - 1)) / factorial(F);
      phi += weight * (value(mask | (1 << i)) - value(mask));
    }
    return phi;
  });
}

async function explain(f: Model, records: number[][], background: number[][], seed = 7) {
  const F = records[0]?.length ?? 0;
  const calls: number[] = [];
  const result = await samplingShapley({
    records: Float32Array.from(records.flat()),
    recordCount: records.length,
    features: F,
    background: Float32Array.from(background.flat()),
    backgroundCount: background.length,
    served: records.map((x) => f(Array.from(Float32Array.from(x)))),
    seed,
    evaluate: (rows, count): Promise<OutputReader> => {
      calls.push(count);
      const values = Array.from({ length: count }, (_, r) =>
        f(Array.from(rows.subarray(r * F, r * F + F))),
      );
      return Promise.resolve((row) => values[row] as number);
    },
  });
  return { result, calls };
}

const background = Array.from({ length: 12 }, (_, i) => [
  i % 3,
  ((i * 5) % 7) - 3,
  i / 4,
  (i * i) % 5,
]);
const records = [
  [2, -1, 0.5, 4],
  [0, 3, 2.75, 1],
];

describe('samplingShapley', () => {
  it('is exact for an additive model: w·(x − background mean)', async () => {
    const w = [1.5, -2, 0.25, 3];
    const f: Model = (x) => 0.5 + x.reduce((s, v, j) => s + (w[j] as number) * v, 0);
    const { result } = await explain(f, records, background);
    records.forEach((x, r) => {
      w.forEach((wj, j) => {
        const mean = background.reduce((s, z) => s + (z[j] as number), 0) / background.length;
        expect(result[r]?.contributions[j]).toBeCloseTo(wj * ((x[j] as number) - mean), 9);
      });
    });
  });

  it('sums to f(x) − mean f(background) exactly, and approaches the enumerated values', async () => {
    const f: Model = ([a = 0, b = 0, c = 0, d = 0]) => Math.max(0, a + 2 * b - c) * (1 + d) + a * b;
    const { result, calls } = await explain(f, records, background);
    const baseline = background.reduce((s, z) => s + f(z), 0) / background.length;
    records.forEach((x, r) => {
      const got = result[r];
      expect(got?.baseline).toBeCloseTo(baseline, 9);
      const sum = (got?.contributions ?? []).reduce((s, v) => s + v, 0);
      expect(sum).toBeCloseTo(f(x) - baseline, 9);
      const exact = enumeratedShapley(f, x, background);
      const scale = Math.max(...exact.map(Math.abs));
      exact.forEach((e, j) =>
        expect(Math.abs((got?.contributions[j] ?? 0) - e)).toBeLessThan(0.15 * scale),
      );
    });
    // The background once, then 2 orders × 12 background rows × 3 inner steps per record.
    expect(calls.reduce((s, n) => s + n, 0)).toBe(shapleyEvaluations(2, 4, 12));
    expect(calls[0]).toBe(12);
  });

  it('is exact for two features (an antithetic pair holds both orders)', async () => {
    const f: Model = ([a = 0, b = 0]) => a * b + Math.sin(a);
    const x = [[1.5, -2]];
    const z = [
      [0.25, 1],
      [-1, 0.5],
      [2, 2],
    ];
    const { result } = await explain(f, x, z);
    const exact = enumeratedShapley(f, x[0] as number[], z);
    exact.forEach((e, j) => expect(result[0]?.contributions[j]).toBeCloseTo(e, 6));
  });

  it('gives a single feature all of f(x) − baseline without running the model again', async () => {
    const f: Model = ([a = 0]) => a * a;
    const { result, calls } = await explain(f, [[3]], [[1], [2]]);
    expect(result[0]?.contributions[0]).toBeCloseTo(9 - 2.5, 9);
    expect(calls).toEqual([2]);
  });

  it('is reproducible: the same request gives the same values', async () => {
    const f: Model = ([a = 0, b = 0, c = 0]) => Math.tanh(a * b - c);
    const three = background.map((z) => z.slice(0, 3));
    const first = await explain(f, [[1, 2, 3]], three);
    const second = await explain(f, [[1, 2, 3]], three);
    expect(second.result).toEqual(first.result);
  });
});
