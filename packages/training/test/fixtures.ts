import type { Column, ColumnarDataset, Trainer } from '../src';
import { SeededRandom } from '../src/model/random';

/** The seed example (y = 3x + noise) lives with the package: the supervisor's demo trains it. */
export { seedExample } from '../src';

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

export function trainAll(trainer: Trainer) {
  const epochs = [...trainer.epochs()];
  return { epochs, result: trainer.finish() };
}

export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** Two features, label 'yes' when x1 + 2·x2 > 0.1: linearly separable. */
export function separable(rows: number, seed: number): ColumnarDataset {
  const next = uniform(seed);
  const x1 = Array.from({ length: rows }, () => next() * 2 - 1);
  const x2 = Array.from({ length: rows }, () => next() * 2 - 1);
  return dataset(
    numeric('x1', x1),
    numeric('x2', x2),
    categorical(
      'label',
      ['no', 'yes'],
      x1.map((a, i) => (a + 2 * (x2[i] as number) > 0.1 ? 1 : 0)),
    ),
  );
}

/** Three classes by angle around the origin, with a categorical feature that shifts nothing. */
export function threeClasses(rows: number, seed: number): ColumnarDataset {
  const next = uniform(seed);
  const a = Array.from({ length: rows }, () => next() * 2 - 1);
  const b = Array.from({ length: rows }, () => next() * 2 - 1);
  const cls = a.map((x, i) => (x > 0.2 ? 0 : (b[i] as number) > 0 ? 1 : 2));
  const colour = a.map(() => Math.floor(next() * 3));
  return dataset(
    numeric('a', a),
    numeric('b', b),
    categorical('colour', ['blue', 'green', 'red'], colour),
    categorical('class', ['circle', 'square', 'triangle'], cls),
  );
}
