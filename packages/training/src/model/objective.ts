import type { ClassificationMetrics, Metrics, ModelHead, RegressionMetrics } from './model.types';

/** Targets of a set of rows: scaled values (regression) or class indices (classification). */
export type Targets = Float64Array | Int32Array;

/**
 * Sums loss and metrics over rows, in the target's original units. For regression the loss is
 * the squared error; for classification the cross-entropy (log loss).
 */
export class MetricsAccumulator {
  private count = 0;
  private lossSum = 0;
  // regression, original units
  private absSum = 0;
  private ySum = 0;
  private ySquaredSum = 0;
  // classification
  private correct = 0;
  private readonly truePositives: Float64Array;
  private readonly predicted: Float64Array;
  private readonly actual: Float64Array;

  constructor(
    private readonly head: ModelHead,
    private readonly classes: number,
    private readonly targetOffset: number,
    private readonly targetScale: number,
  ) {
    const size = head === 'identity' ? 0 : classes;
    this.truePositives = new Float64Array(size);
    this.predicted = new Float64Array(size);
    this.actual = new Float64Array(size);
  }

  reset(): void {
    this.count = this.lossSum = this.absSum = this.ySum = this.ySquaredSum = this.correct = 0;
    this.truePositives.fill(0);
    this.predicted.fill(0);
    this.actual.fill(0);
  }

  get rows(): number {
    return this.count;
  }

  /** Mean loss so far (original units). */
  get loss(): number {
    const scale = this.head === 'identity' ? this.targetScale * this.targetScale : 1;
    return (this.lossSum / this.count) * scale;
  }

  /**
   * Adds `rows` rows whose network outputs are in `outputs` (`rows × width`) and targets in
   * `targets[first..first+rows)`. When `delta` is given, writes ∂(Σ loss · gradientScale)/∂output into it.
   */
  add(
    outputs: Float64Array,
    rows: number,
    targets: Targets,
    first: number,
    delta: Float64Array | null,
    gradientScale: number,
  ): void {
    this.count += rows;
    if (this.head === 'identity')
      this.addRegression(outputs, rows, targets, first, delta, gradientScale);
    else if (this.head === 'sigmoid')
      this.addBinary(outputs, rows, targets, first, delta, gradientScale);
    else this.addSoftmax(outputs, rows, targets, first, delta, gradientScale);
  }

  /**
   * Adds `rows` regression rows whose squared and absolute errors (scaled units) were summed by the
   * caller (Network.squaredErrorStep); the targets `targets[first..first+rows)` give the r² sums.
   */
  addSquaredErrors(
    rows: number,
    squares: number,
    abs: number,
    targets: Float64Array,
    first: number,
  ): void {
    this.count += rows;
    this.lossSum += squares;
    this.absSum += abs;
    const offset = this.targetOffset;
    const scale = this.targetScale;
    let ySum = 0;
    let y2 = 0;
    for (let r = first, end = first + rows; r < end; r++) {
      const y = (targets[r] as number) * scale + offset;
      ySum += y;
      y2 += y * y;
    }
    this.ySum += ySum;
    this.ySquaredSum += y2;
  }

  /** Regression or classification metrics of the rows added since the last reset. */
  metrics(): Metrics {
    if (this.head === 'identity') {
      const n = this.count;
      const scale = this.targetScale;
      const mse = (this.lossSum / n) * scale * scale;
      const sse = mse * n;
      const sst = this.ySquaredSum - (this.ySum * this.ySum) / n;
      const metrics: RegressionMetrics = {
        mse,
        rmse: Math.sqrt(mse),
        mae: (this.absSum / n) * scale,
        r2: sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0,
      };
      return metrics;
    }
    // Two classes: the positive class (index 1). More: macro average over classes seen or predicted.
    const classes = this.head === 'sigmoid' ? 2 : this.classes;
    let precision = 0;
    let recall = 0;
    let f1 = 0;
    let counted = 0;
    const score = (c: number): void => {
      const tp = this.truePositives[c] as number;
      const p = (this.predicted[c] as number) > 0 ? tp / (this.predicted[c] as number) : 0;
      const r = (this.actual[c] as number) > 0 ? tp / (this.actual[c] as number) : 0;
      precision += p;
      recall += r;
      f1 += p + r > 0 ? (2 * p * r) / (p + r) : 0;
      counted++;
    };
    if (classes === 2) score(1);
    else
      for (let c = 0; c < classes; c++)
        if ((this.actual[c] as number) > 0 || (this.predicted[c] as number) > 0) score(c);
    const metrics: ClassificationMetrics = {
      accuracy: this.correct / this.count,
      precision: counted ? precision / counted : 0,
      recall: counted ? recall / counted : 0,
      f1: counted ? f1 / counted : 0,
      logLoss: this.lossSum / this.count,
    };
    return metrics;
  }

  private addRegression(
    out: Float64Array,
    rows: number,
    targets: Targets,
    first: number,
    delta: Float64Array | null,
    g: number,
  ): void {
    let loss = 0;
    let abs = 0;
    let ySum = 0;
    let y2 = 0;
    const offset = this.targetOffset;
    const scale = this.targetScale;
    for (let r = 0; r < rows; r++) {
      const t = targets[first + r] as number;
      const e = (out[r] as number) - t;
      loss += e * e;
      abs += Math.abs(e);
      const y = t * scale + offset;
      ySum += y;
      y2 += y * y;
      if (delta) delta[r] = 2 * e * g;
    }
    this.lossSum += loss;
    this.absSum += abs;
    this.ySum += ySum;
    this.ySquaredSum += y2;
  }

  private addBinary(
    out: Float64Array,
    rows: number,
    targets: Targets,
    first: number,
    delta: Float64Array | null,
    g: number,
  ): void {
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const z = out[r] as number;
      const y = targets[first + r] as number;
      // log(1 + e^z) − y·z, computed without overflow
      loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      const p = 1 / (1 + Math.exp(-z));
      const predicted = p > 0.5 ? 1 : 0;
      this.countPrediction(predicted, y);
      if (delta) delta[r] = (p - y) * g;
    }
    this.lossSum += loss;
  }

  private addSoftmax(
    out: Float64Array,
    rows: number,
    targets: Targets,
    first: number,
    delta: Float64Array | null,
    g: number,
  ): void {
    const C = this.classes;
    let loss = 0;
    for (let r = 0, o = 0; r < rows; r++, o += C) {
      let max = out[o] as number;
      let best = 0;
      for (let c = 1; c < C; c++) {
        const z = out[o + c] as number;
        if (z > max) {
          max = z;
          best = c;
        }
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp((out[o + c] as number) - max);
      const y = targets[first + r] as number;
      loss += Math.log(sum) - ((out[o + y] as number) - max);
      this.countPrediction(best, y);
      if (delta) {
        const inv = 1 / sum;
        for (let c = 0; c < C; c++)
          delta[o + c] = (Math.exp((out[o + c] as number) - max) * inv - (c === y ? 1 : 0)) * g;
      }
    }
    this.lossSum += loss;
  }

  private countPrediction(predicted: number, actual: number): void {
    this.predicted[predicted] = (this.predicted[predicted] as number) + 1;
    this.actual[actual] = (this.actual[actual] as number) + 1;
    if (predicted === actual) {
      this.correct++;
      this.truePositives[actual] = (this.truePositives[actual] as number) + 1;
    }
  }
}

/**
 * Regression metrics (MSE, RMSE, MAE, R²) of `predicted` against `actual` values in the same
 * units: {@link MetricsAccumulator}'s, for callers that hold predictions rather than network
 * outputs (evaluation jobs, online metrics from feedback). Needs at least one row.
 */
export function regressionMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
): RegressionMetrics {
  const rows = checkRows(predicted.length, actual.length, 1);
  const acc = new MetricsAccumulator('identity', 0, 0, 1);
  acc.add(Float64Array.from(predicted), rows, Float64Array.from(actual), 0, null, 0);
  return acc.metrics() as RegressionMetrics;
}

/** Probabilities are clipped below at this before their log is taken (log loss stays finite). */
export const MIN_PROBABILITY = 1e-15;

/**
 * Classification metrics (accuracy, precision, recall, F1, log loss) of class probabilities
 * `probabilities` (`rows × classes`, row-major; renormalised per row) against class indices
 * `actual`: {@link MetricsAccumulator}'s, fed the log-probabilities as logits (softmax of log p
 * is p). The predicted class is the most probable (the first on a tie); for two classes
 * precision, recall and F1 are those of class 1. A model that gives only a class can pass
 * one-hot rows: its log loss is then that of probability 1 − 1e-15-clipped mistakes.
 */
export function classificationMetrics(
  probabilities: ArrayLike<number>,
  classes: number,
  actual: ArrayLike<number>,
): ClassificationMetrics {
  if (!Number.isInteger(classes) || classes < 2)
    throw new RangeError(`classificationMetrics needs at least two classes, got ${classes}`);
  const rows = checkRows(probabilities.length, actual.length, classes);
  const logits = new Float64Array(rows * classes);
  for (let i = 0; i < logits.length; i++)
    logits[i] = Math.log(Math.max(MIN_PROBABILITY, Number(probabilities[i])));
  const targets = Int32Array.from(actual);
  for (const y of targets)
    if (y < 0 || y >= classes) throw new RangeError(`class index ${y} is not in 0..${classes - 1}`);
  const acc = new MetricsAccumulator('softmax', classes, 0, 1);
  acc.add(logits, rows, targets, 0, null, 0);
  return acc.metrics() as ClassificationMetrics;
}

function checkRows(values: number, actual: number, width: number): number {
  if (actual === 0) throw new RangeError('metrics need at least one row');
  if (values !== actual * width)
    throw new RangeError(`${values} values for ${actual} rows × ${width} do not match`);
  return actual;
}

/** Metrics where a smaller value is better (the losses and errors); the others are better higher. */
export const LOWER_IS_BETTER_METRICS: readonly string[] = ['mse', 'rmse', 'mae', 'logLoss'];
/** Metrics where a larger value is better. */
export const HIGHER_IS_BETTER_METRICS: readonly string[] = [
  'r2',
  'accuracy',
  'precision',
  'recall',
  'f1',
];

/**
 * How much worse `candidate` is than `baseline` on `metric`, in the metric's units: positive
 * when worse, negative when better (e.g. rmse 1.2 vs 1.0 → 0.2; accuracy 0.8 vs 0.9 → 0.1).
 * Throws for a metric this package does not compute.
 */
export function metricRegression(metric: string, baseline: number, candidate: number): number {
  if (LOWER_IS_BETTER_METRICS.includes(metric)) return candidate - baseline;
  if (HIGHER_IS_BETTER_METRICS.includes(metric)) return baseline - candidate;
  throw new RangeError(
    `unknown metric '${metric}': one of ${[...LOWER_IS_BETTER_METRICS, ...HIGHER_IS_BETTER_METRICS].join(', ')}`,
  );
}
