import { SeededRandom } from './random';

/** Shuffles of each feature whose losses are averaged. */
export const IMPORTANCE_REPEATS = 3;
/** Most rows permutation importance is computed on (a seeded sample of the rows beyond it). */
export const MAX_IMPORTANCE_ROWS = 10_000;

/** One feature's permutation importance (loss units: MSE for regression, log loss for classifiers). */
export interface FeatureImportance {
  feature: string;
  importance: number;
}

/** Rows of a matrix and which of its columns each feature occupies. */
export interface PermutationInput<M extends Float32Array | Float64Array> {
  /** Row-major `rows × width`; permuted in place while the steps run, restored at the end. */
  matrix: M;
  rows: number;
  width: number;
  /** Each feature's columns (one for a raw or numeric input, a one-hot block for a categorical one). */
  features: readonly { name: string; columns: readonly number[] }[];
  seed: number;
  repeats?: number;
}

/**
 * The steps of permutation importance: yields once for the matrix as given (the caller answers
 * with its loss through `next(loss)`), then once per feature and repeat with that feature's
 * columns shuffled across rows (the same row permutation for all its columns, seeded). Returns
 * each feature's mean loss increase, most important first (ties in feature order). A feature the
 * model ignores scores 0 exactly; noise can make a useless one slightly negative.
 */
export function* permutationSteps<M extends Float32Array | Float64Array>(
  input: PermutationInput<M>,
): Generator<M, FeatureImportance[], number> {
  const { matrix, rows, width } = input;
  const repeats = input.repeats ?? IMPORTANCE_REPEATS;
  const base = yield matrix;
  const random = new SeededRandom(input.seed, 7);
  const order = new Int32Array(rows);
  const saved = new Float64Array(rows);
  const result: FeatureImportance[] = [];
  for (const feature of input.features) {
    let sum = 0;
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (let r = 0; r < rows; r++) order[r] = r;
      random.shuffle(order);
      for (const c of feature.columns) {
        for (let r = 0; r < rows; r++) saved[r] = matrix[r * width + c] as number;
        for (let r = 0; r < rows; r++) matrix[r * width + c] = saved[order[r] as number] as number;
      }
      const loss = yield matrix;
      // Restore: row r holds saved[order[r]]; put the originals back.
      for (const c of feature.columns) {
        for (let r = 0; r < rows; r++) saved[order[r] as number] = matrix[r * width + c] as number;
        for (let r = 0; r < rows; r++) matrix[r * width + c] = saved[r] as number;
      }
      sum += loss - base;
    }
    result.push({ feature: feature.name, importance: sum / repeats });
  }
  return result
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => b.entry.importance - a.entry.importance || a.i - b.i)
    .map(({ entry }) => entry);
}

/** Permutation importance with a synchronous loss (see {@link permutationSteps}). */
export function permutationImportance<M extends Float32Array | Float64Array>(
  input: PermutationInput<M>,
  loss: (matrix: M) => number,
): FeatureImportance[] {
  const steps = permutationSteps(input);
  let step = steps.next(Number.NaN);
  while (!step.done) step = steps.next(loss(step.value));
  return step.value;
}

/** Permutation importance with a loss computed asynchronously (a model run elsewhere). */
export async function permutationImportanceAsync<M extends Float32Array | Float64Array>(
  input: PermutationInput<M>,
  loss: (matrix: M) => Promise<number>,
): Promise<FeatureImportance[]> {
  const steps = permutationSteps(input);
  let step = steps.next(Number.NaN);
  while (!step.done) step = steps.next(await loss(step.value));
  return step.value;
}

/**
 * Up to `max` of `0..rows-1`, ascending: all of them when they fit, else a seeded sample
 * (so importance stays cheap on large datasets).
 */
export function importanceRows(rows: number, seed: number, max = MAX_IMPORTANCE_ROWS): Int32Array {
  const all = new Int32Array(rows);
  for (let r = 0; r < rows; r++) all[r] = r;
  if (rows <= max) return all;
  new SeededRandom(seed, 8).shuffle(all);
  return all.slice(0, max).sort();
}

// Multiply-adds permutation importance may spend (about a second or two of one core).
const IMPORTANCE_BUDGET = 2 ** 31;
/** Fewest rows importance uses when the model is too costly for MAX_IMPORTANCE_ROWS. */
export const MIN_IMPORTANCE_ROWS = 50;

/**
 * How many rows permutation importance should use for `features` features on a model costing
 * about `costPerRow` multiply-adds a row: MAX_IMPORTANCE_ROWS, fewer (not below
 * MIN_IMPORTANCE_ROWS) when 1 + features × IMPORTANCE_REPEATS passes would exceed the budget.
 */
export function importanceRowLimit(features: number, costPerRow: number): number {
  const passes = 1 + features * IMPORTANCE_REPEATS;
  const fit = Math.floor(IMPORTANCE_BUDGET / (passes * Math.max(1, costPerRow)));
  return Math.max(MIN_IMPORTANCE_ROWS, Math.min(MAX_IMPORTANCE_ROWS, fit));
}
