import type { FeatureSpec } from '../model/model.types';

/**
 * Quantile bins of a numeric (or boolean) column. Bin `i` holds the values `x` with
 * `edges[i-1] <= x < edges[i]` (bin 0: below `edges[0]`; the last bin: at or above the last
 * edge), so a value's bin is the number of edges at or below it: PostgreSQL's
 * `width_bucket(x, edges)`. `counts` has `edges.length + 1` entries.
 */
export interface NumericBins {
  kind: 'numeric';
  edges: number[];
  counts: number[];
}

/** Counts per category, in `categories` order (a categorical feature, or a classifier's labels). */
export interface CategoricalBins {
  kind: 'categorical';
  categories: string[];
  counts: number[];
}

export type Bins = NumericBins | CategoricalBins;

/** One input feature's bins. */
export type FeatureProfile = Bins & { feature: string };

/**
 * What a version's reference data looked like (its training rows, or a reference dataset): the
 * bins of every input feature and of the model's predictions on those rows. JSON-serialisable;
 * stored with the version (`model_versions.training_profile`).
 */
export interface DataProfile {
  formatVersion: 1;
  /** Rows profiled. */
  rows: number;
  features: FeatureProfile[];
  /** Bins of the predictions: numeric for regression, the labels for classification; null when unknown. */
  prediction: Bins | null;
}

/** Bins per numeric feature, at most (fewer when values repeat). */
export const PROFILE_BINS = 10;

/**
 * An empty bin's share is taken as this in {@link populationStabilityIndex}, so that a bin empty
 * on one side adds a large but finite term (ln(share / 1e-4)) instead of an infinite one.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Quantile bin edges of `values` (NaN skipped): the values at ranks ⌊i·n/bins⌋ for i = 1..bins−1
 * of the sorted values, repeats dropped, so each bin holds about n/bins values.
 */
export function quantileEdges(values: ArrayLike<number>, bins = PROFILE_BINS): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be ≥ 1, got ${bins}`);
  const sorted = Float64Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const n = sorted.length;
  const edges: number[] = [];
  if (n === 0) return edges;
  for (let i = 1; i < bins; i++) {
    const edge = sorted[Math.floor((i * n) / bins)] as number;
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  // A column whose values are all equal has one edge (its value): everything in bin 1.
  return edges;
}

/** The bin of `x` among `edges` (sorted ascending): the number of edges at or below it. */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of `values` (NaN skipped) in the bins that `edges` make. */
export function countNumeric(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (Number.isNaN(x)) continue;
    const b = binIndex(edges, x);
    counts[b] = (counts[b] as number) + 1;
  }
  return counts;
}

/** Quantile bins of `values` with their counts. */
export function numericBins(values: ArrayLike<number>, bins = PROFILE_BINS): NumericBins {
  const edges = quantileEdges(values, bins);
  return { kind: 'numeric', edges, counts: countNumeric(edges, values) };
}

/** Counts of category indices `codes` (anything not an index into `categories` skipped). */
export function categoricalBins(categories: string[], codes: ArrayLike<number>): CategoricalBins {
  const counts = new Array<number>(categories.length).fill(0);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (Number.isInteger(c) && c >= 0 && c < categories.length)
      counts[c] = (counts[c] as number) + 1;
  }
  return { kind: 'categorical', categories: [...categories], counts };
}

/**
 * Population stability index of `observed` counts against `reference` counts over the same bins:
 * Σ (o − r) · ln(o / r) over the bins, with r and o each bin's share of its total and a share
 * below {@link PSI_EPSILON} taken as PSI_EPSILON. 0 for identical distributions; by custom under
 * 0.1 is stable, 0.1–0.25 a moderate shift, above 0.25 a large one. Throws when the bins differ in
 * number or a side has no rows.
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  observed: ArrayLike<number>,
  epsilon = PSI_EPSILON,
): number {
  if (reference.length !== observed.length)
    throw new RangeError(
      `PSI needs the same bins on both sides: ${reference.length} reference, ${observed.length} observed`,
    );
  let refTotal = 0;
  let obsTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    refTotal += reference[i] as number;
    obsTotal += observed[i] as number;
  }
  if (!(refTotal > 0) || !(obsTotal > 0)) throw new RangeError('PSI needs rows on both sides');
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max((reference[i] as number) / refTotal, epsilon);
    const o = Math.max((observed[i] as number) / obsTotal, epsilon);
    psi += (o - r) * Math.log(o / r);
  }
  return psi;
}

/**
 * The profile of model-input rows (`rows × features`, as {@link modelInputFromDataset} makes
 * them: a categorical value as its index into the feature's categories, NaN when missing) picked
 * by `rowIndices` (default: all): each numeric/boolean feature's quantile bins, each categorical
 * feature's category counts. Values are float32, as the model and the logged inputs compared
 * against the bins are (the API rounds a logged value to float32 before binning it).
 */
export function inputProfile(
  features: readonly Pick<FeatureSpec, 'name' | 'type' | 'categories'>[],
  input: Float32Array,
  rowIndices?: ArrayLike<number>,
  bins = PROFILE_BINS,
): FeatureProfile[] {
  const F = features.length;
  const rows = rowIndices ? rowIndices.length : F === 0 ? 0 : input.length / F;
  const column = new Float64Array(rows);
  return features.map((feature, f) => {
    for (let i = 0; i < rows; i++) {
      const r = rowIndices ? (rowIndices[i] as number) : i;
      column[i] = input[r * F + f] as number;
    }
    const b: Bins =
      feature.type === 'categorical'
        ? categoricalBins(feature.categories ?? [], column)
        : numericBins(column, bins);
    return { feature: feature.name, ...b };
  });
}
