import type { Column, ColumnarDataset } from '../src';
import { SeededRandom } from '../src/model/random';

/** Deterministic uniform [0,1) numbers for test data. */
export function uniform(seed: number): () => number {
  const random = new SeededRandom(seed, 99);
  return () => random.nextFloat();
}

export function numeric(name: string, values: ArrayLike<number>): Column {
  return { name, type: 'numeric', values: Float64Array.from(values) };
}

export function categorical(name: string, categories: string[], codes: ArrayLike<number>): Column {
  return { name, type: 'categorical', categories, codes: Int32Array.from(codes) };
}

export function dataset(...columns: Column[]): ColumnarDataset {
  return {
    rowCount:
      columns[0]?.type === 'categorical'
        ? columns[0].codes.length
        : (columns[0]?.values.length ?? 0),
    columns,
  };
}

/** The seed example: y = 3x + noise, x and noise uniform in [0, 1). */
export function seedExample(rows = 1000, seed = 1): ColumnarDataset {
  const next = uniform(seed);
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    x[i] = next();
    y[i] = 3 * (x[i] as number) + next();
  }
  return dataset(numeric('x', x), numeric('y', y));
}
