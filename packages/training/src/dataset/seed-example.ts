import { SeededRandom } from '../model/random';
import type { ColumnarDataset } from './dataset.types';

/** x and y = 3x + noise, x and noise uniform in [0, 1), the same for the same seed. */
function seedExampleColumns(rows: number, seed: number): { x: Float64Array; y: Float64Array } {
  const random = new SeededRandom(seed, 99);
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const xi = random.nextFloat();
    x[i] = xi;
    y[i] = 3 * xi + random.nextFloat();
  }
  return { x, y };
}

/**
 * The seed example of the contract: `rows` rows of y = 3x + noise, x and noise uniform in
 * [0, 1), the same for the same `seed`. Linear regression learns weight ≈ 3, bias ≈ 0.5. The
 * supervisor's demo trains it; tests and benchmarks use it as their known-answer dataset.
 */
export function seedExample(rows: number, seed = 1): ColumnarDataset {
  const { x, y } = seedExampleColumns(rows, seed);
  return {
    rowCount: rows,
    columns: [
      { name: 'x', type: 'numeric', values: x },
      { name: 'y', type: 'numeric', values: y },
    ],
  };
}

/** {@link seedExample} as CSV text (`x,y` header, six decimals), as a dataset upload sends it. */
export function seedExampleCsv(rows: number, seed = 1): string {
  const { x, y } = seedExampleColumns(rows, seed);
  const lines = ['x,y'];
  for (let i = 0; i < rows; i++)
    lines.push(`${(x[i] as number).toFixed(6)},${(y[i] as number).toFixed(6)}`);
  return lines.join('\n');
}
