import { seedExample, seedExampleCsv } from './seed-example';

const values = (rows: number, seed: number) =>
  seedExample(rows, seed).columns.map((c) => Array.from((c as { values: Float64Array }).values));

describe('the seed example', () => {
  it('is y = 3x + noise with x and noise uniform in [0, 1), the same for the same seed', () => {
    const [x = [], y = []] = values(2000, 7);
    expect(x).toHaveLength(2000);
    const noise = y.map((v, i) => v - 3 * (x[i] as number));
    expect(Math.min(...x, ...noise)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x, ...noise)).toBeLessThan(1);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(x)).toBeCloseTo(0.5, 1);
    expect(mean(noise)).toBeCloseTo(0.5, 1);
    expect(values(2000, 7)).toEqual([x, y]);
    expect(values(2000, 8)[0]).not.toEqual(x);
  });

  it('as CSV has an x,y header and the same rows to six decimals', () => {
    const [header, ...lines] = seedExampleCsv(50, 3).split('\n');
    expect(header).toBe('x,y');
    const [x = [], y = []] = values(50, 3);
    expect(lines).toEqual(x.map((v, i) => `${v.toFixed(6)},${(y[i] as number).toFixed(6)}`));
  });
});
