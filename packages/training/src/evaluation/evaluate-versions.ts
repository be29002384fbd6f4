import type { Column, ColumnarDataset } from '../dataset/dataset.types';
import { BOOLEAN_NULL } from '../dataset/dataset.types';
import { TrainingError } from '../errors';
import type { FeatureSpec } from '../model/model.types';
import { classificationMetrics, regressionMetrics } from '../model/objective';
import {
  importanceRowLimit,
  importanceRows,
  permutationImportanceAsync,
  type FeatureImportance,
} from '../model/permutation-importance';
import { modelInputFromDataset } from '../model/tabular';

/** A tabular version as an evaluation sees it (its signature's features, categories and labels). */
export interface EvaluatedModel {
  /** Input columns, in the model's order. */
  features: readonly string[];
  /** Categorical features' levels: such a feature is fed as its value's index. */
  categories: Readonly<Record<string, readonly string[]>>;
  /** Class labels in probability order (a classifier), else null (a regressor). */
  labels: readonly string[] | null;
}

/** A model's outputs for `rows` rows: a value (or class index) per row, and class probabilities. */
export interface ModelOutputs {
  prediction: Float64Array;
  /** `rows × classes` (a classifier that gives them), else null. */
  probabilities: Float64Array | null;
}

/** Runs a model on its FP32 input `[rows, features]` (docs/api.md, "Tabular models"). */
export type RunModel = (input: Float32Array, rows: number) => Promise<ModelOutputs>;

/** The rows every version is scored on, and their target. */
export interface EvaluationRows {
  /** Dataset row indices, ascending. */
  rows: Int32Array;
  /** Regression: the target's values; classification: class indices into `labels`. */
  actual: Float64Array | Int32Array;
  labels: readonly string[] | null;
}

/** Summary of residuals (prediction − actual): mean, population std, min, max and quantiles. */
export interface ResidualSummary {
  mean: number;
  std: number;
  min: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

/** One version's scores on the evaluation rows. */
export interface VersionEvaluationResult {
  metrics: Record<string, number>;
  /**
   * `rows`; regression: `residuals` ({@link ResidualSummary}); classification: `labels` and
   * `confusionMatrix` (`[actual][predicted]` counts, in `labels` order).
   */
  details: Record<string, unknown>;
  featureImportance: FeatureImportance[];
}

/** Rows per model run: bounds one call's tensor (and lets the caller's event loop breathe). */
export const EVALUATION_CHUNK_ROWS = 8192;

function findColumn(dataset: ColumnarDataset, name: string, role: string): Column {
  const column = dataset.columns.find((c) => c.name === name);
  if (!column) throw new TrainingError(`the dataset has no column '${name}' (${role})`);
  return column;
}

function missing(column: Column, row: number): boolean {
  if (column.type === 'numeric') return Number.isNaN(column.values[row] as number);
  if (column.type === 'boolean') return column.values[row] === BOOLEAN_NULL;
  return (column.codes[row] as number) < 0;
}

/** The target's value at `row` as a label ("true"/"false" for booleans, the number as text). */
function labelAt(column: Column, row: number): string {
  if (column.type === 'numeric') return String(column.values[row]);
  if (column.type === 'boolean') return column.values[row] === 1 ? 'true' : 'false';
  return column.categories[column.codes[row] as number] as string;
}

/**
 * The rows an evaluation scores: those with the target and every one of `features` present. For
 * a classifier (`labels` set) each target value must be one of its labels; a regressor needs a
 * numeric (or boolean) target. Throws {@link TrainingError} naming what does not fit.
 */
export function evaluationRows(
  dataset: ColumnarDataset,
  target: string,
  features: readonly string[],
  labels: readonly string[] | null,
): EvaluationRows {
  const targetColumn = findColumn(dataset, target, 'the target');
  const featureColumns = features.map((f) => findColumn(dataset, f, 'a feature'));
  if (!labels && targetColumn.type === 'categorical')
    throw new TrainingError(
      `target '${target}' is categorical, but the versions are regressors: evaluate them on a numeric target`,
    );
  const used: number[] = [];
  for (let r = 0; r < dataset.rowCount; r++) {
    if (missing(targetColumn, r)) continue;
    if (featureColumns.some((c) => missing(c, r))) continue;
    used.push(r);
  }
  if (used.length === 0)
    throw new TrainingError(`no row has both the target '${target}' and every feature present`);
  const rows = Int32Array.from(used);
  if (!labels) {
    const values =
      targetColumn.type === 'numeric'
        ? targetColumn.values
        : Float64Array.from((targetColumn as { values: Uint8Array }).values);
    return { rows, actual: Float64Array.from(rows, (r) => values[r] as number), labels: null };
  }
  const index = new Map(labels.map((label, i) => [label, i]));
  const unknown = new Set<string>();
  const actual = Int32Array.from(rows, (r) => {
    const label = labelAt(targetColumn, r);
    const i = index.get(label);
    if (i === undefined) unknown.add(label);
    return i ?? -1;
  });
  if (unknown.size > 0)
    throw new TrainingError(
      `target '${target}' has values the versions do not know: ${[...unknown]
        .slice(0, 5)
        .map((v) => `'${v}'`)
        .join(', ')}; their labels are ${labels.map((l) => `'${l}'`).join(', ')}`,
    );
  return { rows, actual, labels };
}

/** The model's input for the evaluation rows (a category it does not know is fed as -1). */
function modelInput(
  model: EvaluatedModel,
  dataset: ColumnarDataset,
  rows: Int32Array,
): Float32Array {
  const specs: FeatureSpec[] = model.features.map((name) => {
    const column = findColumn(dataset, name, 'a feature');
    const categories = model.categories[name];
    if (categories)
      return { name, type: 'categorical', offset: 0, scale: 1, categories: [...categories] };
    if (column.type === 'categorical')
      throw new TrainingError(
        `column '${name}' is categorical in the dataset, but the model takes it as a number`,
      );
    return { name, type: column.type, offset: 0, scale: 1 };
  });
  return modelInputFromDataset({ features: specs }, dataset, rows);
}

/** Runs `run` over `input` in chunks of {@link EVALUATION_CHUNK_ROWS} rows. */
async function runChunked(
  run: RunModel,
  input: Float32Array,
  rows: number,
  width: number,
  classes: number,
): Promise<ModelOutputs> {
  const prediction = new Float64Array(rows);
  let probabilities: Float64Array | null = classes > 0 ? new Float64Array(rows * classes) : null;
  for (let first = 0; first < rows; first += EVALUATION_CHUNK_ROWS) {
    const count = Math.min(EVALUATION_CHUNK_ROWS, rows - first);
    const out = await run(input.subarray(first * width, (first + count) * width), count);
    if (out.prediction.length !== count)
      throw new TrainingError(
        `the model gave ${out.prediction.length} predictions for ${count} rows`,
      );
    prediction.set(out.prediction, first);
    if (probabilities) {
      if (!out.probabilities) probabilities = null;
      else if (out.probabilities.length !== count * classes)
        throw new TrainingError(
          `the model gave ${out.probabilities.length} probabilities for ${count} rows × ${classes} classes`,
        );
      else probabilities.set(out.probabilities, first * classes);
    }
  }
  return { prediction, probabilities };
}

/** Class probabilities of the outputs: the model's, or one-hot of its predicted class. */
function classProbabilities(outputs: ModelOutputs, rows: number, classes: number): Float64Array {
  if (outputs.probabilities) return outputs.probabilities;
  const oneHot = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const c = Math.round(outputs.prediction[r] as number);
    if (c >= 0 && c < classes) oneHot[r * classes + c] = 1;
  }
  return oneHot;
}

/** The loss permutation importance measures: MSE (regression) or log loss (classification). */
function loss(
  outputs: ModelOutputs,
  rows: number,
  actual: Float64Array | Int32Array,
  classes: number,
): number {
  if (classes === 0) return regressionMetrics(outputs.prediction, actual).mse;
  return classificationMetrics(classProbabilities(outputs, rows, classes), classes, actual).logLoss;
}

/** Quantile by linear interpolation between order statistics (`sorted` ascending). */
function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (at - lo);
}

/** {@link ResidualSummary} of prediction − actual. */
export function residualSummary(
  prediction: ArrayLike<number>,
  actual: ArrayLike<number>,
): ResidualSummary {
  const n = actual.length;
  const residuals = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) {
    residuals[r] = (prediction[r] as number) - (actual[r] as number);
    sum += residuals[r] as number;
  }
  const mean = sum / n;
  let squares = 0;
  for (const e of residuals) squares += (e - mean) ** 2;
  const sorted = residuals.sort();
  return {
    mean,
    std: Math.sqrt(squares / n),
    min: sorted[0] as number,
    p05: quantile(sorted, 0.05),
    p25: quantile(sorted, 0.25),
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p95: quantile(sorted, 0.95),
    max: sorted[n - 1] as number,
  };
}

/** `[actual][predicted]` counts; the predicted class is the most probable (the first on a tie). */
export function confusionMatrix(
  probabilities: ArrayLike<number>,
  classes: number,
  actual: ArrayLike<number>,
): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let r = 0; r < actual.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (
        (probabilities[r * classes + c] as number) > (probabilities[r * classes + best] as number)
      )
        best = c;
    const row = matrix[actual[r] as number] as number[];
    row[best] = (row[best] as number) + 1;
  }
  return matrix;
}

/**
 * Scores one version on the evaluation rows: runs it (through `run`, in chunks), computes the
 * metrics with the metrics of @maas/training (regression: mse, rmse, mae, r2; classification:
 * accuracy, precision, recall, f1, logLoss), the details, and the permutation importance of
 * its features on (a seeded sample of) the same rows.
 */
export async function evaluateVersion(
  model: EvaluatedModel,
  dataset: ColumnarDataset,
  on: EvaluationRows,
  run: RunModel,
  seed = 1,
): Promise<VersionEvaluationResult> {
  const classes = on.labels ? on.labels.length : 0;
  const width = model.features.length;
  const n = on.rows.length;
  const input = modelInput(model, dataset, on.rows);
  const outputs = await runChunked(run, input, n, width, classes);
  let metrics: Record<string, number>;
  const details: Record<string, unknown> = { rows: n };
  if (classes === 0) {
    metrics = { ...regressionMetrics(outputs.prediction, on.actual) };
    details.residuals = residualSummary(outputs.prediction, on.actual);
  } else {
    const probabilities = classProbabilities(outputs, n, classes);
    metrics = { ...classificationMetrics(probabilities, classes, on.actual) };
    details.labels = on.labels;
    details.confusionMatrix = confusionMatrix(probabilities, classes, on.actual);
  }
  // Importance on a sample of the rows (the same sample for every version of the job).
  const picked = importanceRows(n, seed, importanceRowLimit(width, width));
  const sample = new Float32Array(picked.length * width);
  picked.forEach((row, i) => sample.set(input.subarray(row * width, (row + 1) * width), i * width));
  const sampleActual =
    on.actual instanceof Float64Array
      ? Float64Array.from(picked, (r) => on.actual[r] as number)
      : Int32Array.from(picked, (r) => on.actual[r] as number);
  const featureImportance = await permutationImportanceAsync(
    {
      matrix: sample,
      rows: picked.length,
      width,
      features: model.features.map((name, f) => ({ name, columns: [f] })),
      seed,
    },
    async (matrix) =>
      loss(
        await runChunked(run, matrix, picked.length, width, classes),
        picked.length,
        sampleActual,
        classes,
      ),
  );
  return { metrics, details, featureImportance };
}
