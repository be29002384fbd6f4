import { WarmStartError } from '../errors';
import { type Algorithm, type Hyperparameters, resolveHyperparameters } from '../hyperparameters';
import { headFor, type ModelSpec } from '../model/tabular';

/**
 * What the warm-start rules need to know of the parent model: all of it is in the parent's model
 * spec, which its ONNX file carries as `maas.state` metadata ({@link modelSpecFromMetadata}).
 */
export type WarmStartParent = Pick<
  ModelSpec,
  'algorithm' | 'task' | 'head' | 'target' | 'features' | 'hiddenLayers'
>;

/** The job that would continue from the parent, as its caller gives it. */
export interface WarmStartJob {
  algorithm: Algorithm;
  target: string;
  /** Omitted: the parent's features. */
  features?: readonly string[] | null;
  /** Raw hyperparameters; an MLP without `hiddenLayers` keeps the parent's. */
  hyperparameters?: unknown;
  /** The dataset's columns (their names and types: numeric, boolean or categorical). */
  columns: readonly { name: string; type: string }[];
}

/** What a compatible update trains with. */
export interface WarmStartPlan {
  hyperparameters: Hyperparameters;
  /** The parent's features, in its order. */
  features: string[];
}

const list = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');
const layers = (sizes: readonly number[]): string => `[${sizes.join(', ')}]`;

/**
 * The raw hyperparameters of an update: an MLP that names no `hiddenLayers` keeps the parent's
 * (the defaults would not fit its weights). Anything else is returned as given.
 */
export function withParentShape(
  algorithm: Algorithm,
  raw: unknown,
  parent: Pick<ModelSpec, 'hiddenLayers'> | undefined,
): unknown {
  if (!parent || algorithm !== 'MLP' || parent.hiddenLayers.length === 0) return raw;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    return raw;
  const given = (raw ?? {}) as Record<string, unknown>;
  return given.hiddenLayers === undefined || given.hiddenLayers === null
    ? { ...given, hiddenLayers: [...parent.hiddenLayers] }
    : raw;
}

/**
 * The rules of a model update, in one place: the API checks a job with them before queueing it
 * and the trainer before it reads any row. The update needs the parent's algorithm, target,
 * features (in order; omitted: the parent's), hidden layers (omitted: the parent's), task, and a
 * dataset whose columns have the parent features' kinds. Throws {@link WarmStartError} naming the
 * input to change, or HyperparameterError for a hyperparameter that is invalid on its own. New
 * categories or labels need the data itself: the trainer refuses those while it prepares it.
 */
export function resolveWarmStart(parent: WarmStartParent, job: WarmStartJob): WarmStartPlan {
  if (parent.algorithm !== job.algorithm) {
    throw new WarmStartError(
      `a warm start needs the parent's algorithm ${parent.algorithm}, not ${job.algorithm}: set algorithm to ${parent.algorithm}, or train without a warm start`,
      'algorithm',
    );
  }
  if (parent.target !== job.target) {
    throw new WarmStartError(
      `a warm start needs the parent's target '${parent.target}', not '${job.target}': set target to '${parent.target}', or train without a warm start`,
      'target',
    );
  }
  const hp = resolveHyperparameters(
    job.algorithm,
    withParentShape(job.algorithm, job.hyperparameters, parent),
  );
  const names = parent.features.map((f) => f.name);
  if (job.features && job.features.join('\u0000') !== names.join('\u0000')) {
    throw new WarmStartError(
      `a warm start needs the parent model's features in the same order: ${list(names)}, got ${list(job.features)}: omit features to use the parent's`,
      'features',
    );
  }
  const shape = hp.hiddenLayers ?? [];
  if (parent.hiddenLayers.join(',') !== shape.join(',')) {
    throw new WarmStartError(
      `hiddenLayers must match the parent model's ${layers(parent.hiddenLayers)} for a warm start, got ${layers(shape)}: omit hiddenLayers to keep the parent's`,
      'hyperparameters',
      'hiddenLayers',
    );
  }
  const columns = new Map(job.columns.map((c) => [c.name, c.type]));
  for (const feature of parent.features) {
    const type = columns.get(feature.name);
    if (type === undefined) {
      throw new WarmStartError(
        `the dataset has no column '${feature.name}', a feature of the parent model: a warm start needs a dataset with all of ${list(names)}`,
        'dataset',
      );
    }
    if ((type === 'categorical') !== (feature.type === 'categorical')) {
      throw new WarmStartError(
        `feature '${feature.name}' is ${feature.type} in the parent model but ${type} in this dataset: a warm start needs a dataset whose '${feature.name}' is ${feature.type}`,
        'dataset',
      );
    }
  }
  const targetType = columns.get(job.target);
  if (targetType !== undefined && headFor(job.algorithm, hp, targetType) !== parent.head) {
    // Only an MLP's head depends on its task and target: the others have one head each.
    const task = parent.task.toLowerCase().replace('_', ' ');
    const needed = parent.head === 'identity' ? 'regression' : 'classification';
    if (needed === 'regression' && targetType === 'categorical') {
      throw new WarmStartError(
        `the parent model does ${task} but target '${job.target}' is categorical in this dataset: a warm start needs a dataset whose '${job.target}' is numeric`,
        'dataset',
      );
    }
    throw new WarmStartError(
      `the parent model does ${task}; with task '${hp.task ?? 'auto'}' and a ${targetType} target '${job.target}' this job would not: set the hyperparameter task to '${needed}'`,
      'hyperparameters',
      'task',
    );
  }
  return { hyperparameters: hp, features: names };
}
