import type { Column, ColumnarDataset } from '../dataset/dataset.types';
import { BOOLEAN_NULL } from '../dataset/dataset.types';
import { TrainingError } from '../errors';
import type { Algorithm, Hyperparameters, ModelTask } from '../hyperparameters';
import type { FeatureSpec } from '../model/model.types';
import type { Targets } from '../model/objective';
import { SeededRandom } from '../model/random';
import {
  designWidth,
  headFor,
  modelInputFromDataset,
  writeDesign,
  type ModelSpec,
} from '../model/tabular';
import { resolveWarmStart } from './warm-start';

/** Most classes a numeric target may have when a classifier treats its values as labels. */
export const MAX_CLASSES = 1000;
/** Most categories of a categorical feature (each one is an input of the one-hot encoding). */
export const MAX_CATEGORIES = 1000;
// Largest design matrix (rows × one-hot-expanded width) held in memory: 4 GiB of float64.
const MAX_DESIGN_VALUES = 2 ** 29;

/** Most parameters (weights and biases) of a trained network: with Adam, 512 MiB of float64 state. */
export const MAX_PARAMETERS = 2 ** 24;
/** Most activations of one gradient step (batch rows × units of every layer), ~1 GiB with gradients. */
export const MAX_BATCH_ACTIVATIONS = 2 ** 26;

/** Refuses a network that would not fit a training worker's memory, before anything is allocated. */
function checkModelFits(
  spec: ModelSpec,
  width: number,
  batchSize: number,
  trainRows: number,
): void {
  const outputs = spec.head === 'softmax' ? (spec.labels?.length ?? 1) : 1;
  const sizes = [width, ...spec.hiddenLayers, outputs];
  let parameters = 0;
  for (let i = 1; i < sizes.length; i++)
    parameters += ((sizes[i - 1] as number) + 1) * (sizes[i] as number);
  if (parameters > MAX_PARAMETERS) {
    throw new TrainingError(
      `the model would have ${parameters} parameters (${width} inputs after one-hot encoding, layers ${JSON.stringify(spec.hiddenLayers)}, ${outputs} outputs); at most ${MAX_PARAMETERS} fit a training worker's memory: use fewer features or narrower hiddenLayers`,
    );
  }
  const rows = Math.min(batchSize, Math.max(trainRows, 1));
  const activations = rows * sizes.reduce((a, b) => a + b, 0);
  if (activations > MAX_BATCH_ACTIVATIONS) {
    throw new TrainingError(
      `one gradient step would hold ${activations} activations (${rows} rows × ${sizes.reduce((a, b) => a + b, 0)} units); at most ${MAX_BATCH_ACTIVATIONS} fit a training worker's memory: use a smaller batchSize or narrower hiddenLayers`,
    );
  }
}

/** Training and validation rows as design matrices (rows × design width) and targets. */
export interface PreparedData {
  spec: ModelSpec;
  trainX: Float64Array;
  trainY: Targets;
  trainRows: number;
  validationX: Float64Array;
  validationY: Targets;
  validationRows: number;
  /** Rows left out because the target or a feature was missing. */
  droppedRows: number;
}

export interface PrepareOptions {
  algorithm: Algorithm;
  dataset: ColumnarDataset;
  target: string;
  features?: string[];
  hyperparameters: Hyperparameters;
  /** A warm start's parent, or a checkpoint's spec: scaling, categories and labels are reused, not computed. */
  fixedSpec?: ModelSpec;
}

const list = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');

function findColumn(dataset: ColumnarDataset, name: string, role: string): Column {
  const column = dataset.columns.find((c) => c.name === name);
  if (!column)
    throw new TrainingError(
      `the dataset has no column '${name}' (${role}); its columns are ${list(dataset.columns.map((c) => c.name))}`,
    );
  return column;
}

function chooseFeatures(options: PrepareOptions): string[] {
  const { dataset, target, fixedSpec } = options;
  if (options.features !== undefined) {
    if (options.features.length === 0)
      throw new TrainingError('features must name at least one column');
    const seen = new Set<string>();
    for (const name of options.features) {
      if (name === target)
        throw new TrainingError(`column '${name}' is the target and cannot also be a feature`);
      if (seen.has(name)) throw new TrainingError(`feature '${name}' is listed twice`);
      seen.add(name);
      findColumn(dataset, name, 'feature');
    }
  }
  // A warm start's parent (or a checkpoint's spec) fixes the features, shape and task.
  if (fixedSpec) {
    return resolveWarmStart(fixedSpec, {
      algorithm: options.algorithm,
      target,
      features: options.features,
      hyperparameters: options.hyperparameters,
      columns: dataset.columns,
    }).features;
  }
  if (options.features !== undefined) return options.features;
  const numeric = dataset.columns
    .filter((c) => c.type === 'numeric' && c.name !== target)
    .map((c) => c.name);
  if (numeric.length === 0)
    throw new TrainingError(
      `the dataset has no numeric column besides the target '${target}': name the features to use`,
    );
  return numeric;
}

function labelsOf(column: Column): string[] {
  if (column.type === 'boolean') return ['false', 'true'];
  if (column.type === 'categorical') return [...column.categories];
  const distinct = Array.from(
    new Set(Array.from(column.values).filter((v) => !Number.isNaN(v))),
  ).sort((a, b) => a - b);
  if (distinct.length > MAX_CLASSES) {
    throw new TrainingError(
      `target '${column.name}' has ${distinct.length} distinct numbers, too many classes for a classifier (at most ${MAX_CLASSES}): use a regression algorithm or a categorical target`,
    );
  }
  return distinct.map(String);
}

/** Class index per row (-1 when missing) against `labels`. */
function classTargets(column: Column, labels: string[]): Int32Array {
  const index = new Map(labels.map((label, i) => [label, i]));
  const out = new Int32Array(
    column.type === 'numeric'
      ? column.values.length
      : column.type === 'boolean'
        ? column.values.length
        : column.codes.length,
  );
  const unknown = new Set<string>();
  const lookup = (label: string): number => {
    const i = index.get(label);
    if (i === undefined) unknown.add(label);
    return i ?? -1;
  };
  if (column.type === 'categorical') {
    const codeToClass = column.categories.map(lookup);
    column.codes.forEach((code, r) => (out[r] = code < 0 ? -1 : (codeToClass[code] as number)));
  } else if (column.type === 'boolean') {
    const classes = [lookup('false'), lookup('true')];
    column.values.forEach(
      (bit, r) => (out[r] = bit === BOOLEAN_NULL ? -1 : (classes[bit] as number)),
    );
  } else {
    column.values.forEach((v, r) => (out[r] = Number.isNaN(v) ? -1 : lookup(String(v))));
  }
  if (unknown.size > 0) {
    throw new TrainingError(
      `target '${column.name}' has values the parent model does not know: ${list([...unknown].slice(0, 5))}; its labels are ${list(labels)}`,
    );
  }
  return out;
}

/** Builds the model spec (or checks a fixed one), drops incomplete rows, splits, scales and encodes. */
export function prepareTraining(options: PrepareOptions): PreparedData {
  const { algorithm, dataset, target, hyperparameters: hp, fixedSpec } = options;
  const targetColumn = findColumn(dataset, target, 'target');
  const featureNames = chooseFeatures(options);
  const columns = featureNames.map((name) => findColumn(dataset, name, 'feature'));
  const head = headFor(algorithm, hp, targetColumn.type);

  // Target per row: regression value or class index.
  let labels: string[] | null = null;
  let classes: Int32Array | null = null;
  let values: Float64Array | null = null;
  if (head === 'identity') {
    if (targetColumn.type === 'categorical') {
      throw new TrainingError(
        `${algorithm} regression needs a numeric target; '${target}' is categorical: use a classifier (LOGISTIC_REGRESSION, SOFTMAX_REGRESSION or MLP)`,
      );
    }
    values =
      targetColumn.type === 'numeric'
        ? targetColumn.values
        : Float64Array.from(targetColumn.values, (b) => (b === BOOLEAN_NULL ? Number.NaN : b));
  } else {
    labels = fixedSpec?.labels ?? labelsOf(targetColumn);
    if (head === 'sigmoid' && labels.length !== 2) {
      throw new TrainingError(
        `LOGISTIC_REGRESSION is binary: target '${target}' has ${labels.length} classes (${list(labels.slice(0, 10))}); use SOFTMAX_REGRESSION or MLP`,
      );
    }
    if (labels.length < 2)
      throw new TrainingError(
        `target '${target}' has a single class ${list(labels)}: a classifier needs at least two`,
      );
    classes = classTargets(targetColumn, labels);
  }

  const draft: FeatureSpec[] =
    fixedSpec?.features ??
    columns.map((column) => ({
      name: column.name,
      type: column.type,
      offset: 0,
      scale: 1,
      ...(column.type === 'categorical' ? { categories: [...column.categories] } : {}),
    }));
  draft.forEach((feature) => {
    const categoryCount = feature.categories?.length ?? 0;
    if (categoryCount > MAX_CATEGORIES) {
      throw new TrainingError(
        `feature '${feature.name}' has ${categoryCount} categories; one-hot encoding supports at most ${MAX_CATEGORIES}: leave it out of the features`,
      );
    }
  });
  const input = modelInputFromDataset({ features: draft }, dataset);

  // Rows with a missing target or feature are left out; an unknown category is an error.
  const F = featureNames.length;
  const used: number[] = [];
  for (let r = 0; r < dataset.rowCount; r++) {
    if (values ? Number.isNaN(values[r] as number) : (classes as Int32Array)[r] === -1) continue;
    let complete = true;
    for (let f = 0; f < F; f++) {
      const x = input[r * F + f] as number;
      if (Number.isNaN(x)) complete = false;
      else if (x < 0 && draft[f]?.type === 'categorical') {
        const column = columns[f];
        const code = column?.type === 'categorical' ? (column.codes[r] as number) : -1;
        const category = column?.type === 'categorical' ? column.categories[code] : undefined;
        throw new TrainingError(
          `feature '${draft[f]?.name}' has category '${category}', which the parent model does not know (${list(draft[f]?.categories ?? [])})`,
        );
      }
    }
    if (complete) used.push(r);
  }
  if (used.length === 0)
    throw new TrainingError(`no row has both the target '${target}' and every feature present`);
  if (classes) {
    const seen = new Set(used.map((r) => classes[r]));
    if (seen.size < 2)
      throw new TrainingError(
        `target '${target}' has a single class among the usable rows: a classifier needs at least two`,
      );
  }

  const { trainIndex, validationIndex } = splitRows(used, hp);
  const validationRows = validationIndex.length;
  const trainRows = trainIndex.length;

  const features =
    fixedSpec?.features ?? (hp.standardize ? standardise(draft, input, F, trainIndex) : draft);
  let targetOffset = fixedSpec?.targetOffset ?? 0;
  let targetScale = fixedSpec?.targetScale ?? 1;
  if (!fixedSpec && values && hp.standardize)
    ({ offset: targetOffset, scale: targetScale } = meanAndScale(values, trainIndex, 1, 0, false));

  const task: ModelTask =
    head === 'identity'
      ? 'REGRESSION'
      : labels?.length === 2
        ? 'BINARY_CLASSIFICATION'
        : 'MULTICLASS_CLASSIFICATION';
  const spec: ModelSpec = {
    formatVersion: 1,
    algorithm,
    task,
    head,
    target,
    features,
    labels,
    targetOffset,
    targetScale,
    hiddenLayers: hp.hiddenLayers ? [...hp.hiddenLayers] : [],
  };
  const width = designWidth(spec);
  checkModelFits(
    spec,
    width,
    hp.batchSize,
    used.length - Math.floor(used.length * hp.validationSplit),
  );
  if (used.length * width > MAX_DESIGN_VALUES) {
    throw new TrainingError(
      `${used.length} rows × ${width} model inputs (after one-hot encoding) is more than the ${MAX_DESIGN_VALUES} values training holds in memory: use fewer rows or features`,
    );
  }
  const encode = (index: Int32Array): { X: Float64Array; Y: Targets } => {
    const rows = index.length;
    const gathered = new Float32Array(rows * F);
    for (let i = 0; i < rows; i++) {
      const from = (index[i] as number) * F;
      for (let f = 0; f < F; f++) gathered[i * F + f] = input[from + f] as number;
    }
    const X = new Float64Array(rows * width);
    writeDesign(spec, gathered, 0, rows, X);
    const Y: Targets = values
      ? Float64Array.from(index, (r) => ((values[r] as number) - targetOffset) / targetScale)
      : Int32Array.from(index, (r) => (classes as Int32Array)[r] as number);
    return { X, Y };
  };
  const train = encode(trainIndex);
  const validation = encode(validationIndex);
  return {
    spec,
    trainX: train.X,
    trainY: train.Y,
    trainRows,
    validationX: validation.X,
    validationY: validation.Y,
    validationRows,
    droppedRows: dataset.rowCount - used.length,
  };
}

/**
 * The seeded split of the usable rows: the first `validationSplit` share of a shuffled order is
 * the validation set, the rest the training rows (both in row order).
 */
export function splitRows(
  used: ArrayLike<number>,
  hp: Pick<Hyperparameters, 'seed' | 'validationSplit'>,
): { trainIndex: Int32Array; validationIndex: Int32Array } {
  const order = Int32Array.from(used);
  new SeededRandom(hp.seed, 1).shuffle(order);
  const validationRows = Math.floor(order.length * hp.validationSplit);
  return {
    validationIndex: order.slice(0, validationRows).sort(),
    trainIndex: order.slice(validationRows).sort(),
  };
}

/**
 * The rows of `dataset` a trained model was fitted on (its training split), found again from its
 * spec and the job's hyperparameters: rows with the target and every feature present, split as
 * {@link prepareTraining} split them. What explanations take the training data's means and
 * background sample from.
 */
export function trainingRows(
  spec: ModelSpec,
  dataset: ColumnarDataset,
  hp: Pick<Hyperparameters, 'seed' | 'validationSplit'>,
): { input: Float32Array; trainIndex: Int32Array } {
  const targetColumn = findColumn(dataset, spec.target, 'target');
  const input = modelInputFromDataset(spec, dataset);
  const F = spec.features.length;
  let missingTarget: (r: number) => boolean;
  if (spec.head === 'identity') {
    const values =
      targetColumn.type === 'categorical'
        ? null
        : targetColumn.type === 'numeric'
          ? targetColumn.values
          : Float64Array.from(targetColumn.values, (b) => (b === BOOLEAN_NULL ? Number.NaN : b));
    missingTarget = (r) => !values || Number.isNaN(values[r] as number);
  } else {
    const classes = classTargets(targetColumn, spec.labels ?? []);
    missingTarget = (r) => classes[r] === -1;
  }
  const used: number[] = [];
  for (let r = 0; r < dataset.rowCount; r++) {
    if (missingTarget(r)) continue;
    let complete = true;
    for (let f = 0; f < F && complete; f++) {
      const x = input[r * F + f] as number;
      if (Number.isNaN(x) || (x < 0 && spec.features[f]?.type === 'categorical')) complete = false;
    }
    if (complete) used.push(r);
  }
  return { input, trainIndex: splitRows(used, hp).trainIndex };
}

function standardise(
  draft: FeatureSpec[],
  input: Float32Array,
  F: number,
  rows: Int32Array,
): FeatureSpec[] {
  return draft.map((feature, f) =>
    feature.type === 'categorical'
      ? feature
      : { ...feature, ...meanAndScale(input, rows, F, f, true) },
  );
}

/**
 * Mean and scale over the given rows, rounded to float32 because the exported graph holds them
 * as float32: training then sees exactly the values the served model computes with.
 * `inverse`: scale = 1/std (features, multiplied in) rather than std (the target, multiplied out).
 */
function meanAndScale(
  data: Float32Array | Float64Array,
  rows: Int32Array,
  stride: number,
  column: number,
  inverse: boolean,
): { offset: number; scale: number } {
  let sum = 0;
  for (const r of rows) sum += data[r * stride + column] as number;
  const mean = sum / rows.length;
  let squares = 0;
  for (const r of rows) squares += ((data[r * stride + column] as number) - mean) ** 2;
  const std = Math.sqrt(squares / rows.length);
  const offset = Math.fround(mean);
  if (!(std > 0) || !Number.isFinite(std)) return { offset, scale: 1 };
  const scale = Math.fround(inverse ? 1 / std : std);
  return { offset, scale: scale > 0 && Number.isFinite(scale) ? scale : 1 };
}
