import { TrainingError } from '../errors';
import type { Hyperparameters } from '../hyperparameters';
import type { ExportedModelState, TabularSignature } from '../model/model.types';
import type { Network } from '../model/network';
import { createOptimizer, type Optimizer } from '../model/optimizer';
import { SeededRandom } from '../model/random';
import { SquaredErrorStatistics } from '../model/squared-error-statistics';
import { stateParams, type ModelSpec } from '../model/tabular';
import type { PreparedData } from './prepare';
import type { TrainerCheckpoint, TrainerOptions } from './trainer.types';

export function specOf(state: ExportedModelState): ModelSpec {
  const { layers: _layers, ...spec } = state;
  return spec;
}

/** The signature a trained model is served with: features, labels, and each categorical feature's categories. */
export function signatureOf(spec: ModelSpec): TabularSignature {
  const categories: Record<string, string[]> = {};
  for (const f of spec.features) if (f.categories) categories[f.name] = f.categories;
  return { features: spec.features.map((f) => f.name), labels: spec.labels, categories };
}

// He initialisation for ReLU layers, LeCun for the output layer; linear models start at zero.
export function initialise(network: Network, random: SeededRandom): void {
  if (network.layerCount === 1) return;
  network.weights.forEach((weights, l) => {
    const fanIn = network.sizes[l] as number;
    const std = Math.sqrt((l + 1 < network.layerCount ? 2 : 1) / fanIn);
    for (let i = 0; i < weights.length; i++) weights[i] = random.nextNormal() * std;
  });
}

/**
 * Sets the network's starting weights (a checkpoint's, a warm start's, or fresh ones) and
 * returns the optimizer and the shuffle generator to continue with.
 */
export function startingPoint(
  network: Network,
  sizes: readonly number[],
  hp: Hyperparameters,
  saved: TrainerCheckpoint | undefined,
  warmStart: ExportedModelState | undefined,
): { optimizer: Optimizer; random: SeededRandom } {
  if (saved) {
    network.params.set(saved.params);
    return {
      optimizer: createOptimizer(network.params.length, hp, {
        step: saved.optimizer.step,
        moments: saved.optimizer.moments.map((m) => Float64Array.from(m)),
      }),
      random: SeededRandom.fromState(saved.random),
    };
  }
  if (warmStart) {
    const params = stateParams(warmStart.layers);
    if (
      params.length !== network.params.length ||
      warmStart.layers.some((l, i) => l.inputs !== sizes[i] || l.outputs !== sizes[i + 1])
    ) {
      throw new TrainingError(
        `the parent model's layers do not fit this model's shape [${sizes.join(', ')}]`,
      );
    }
    network.params.set(params);
  } else {
    initialise(network, new SeededRandom(hp.seed, 2));
  }
  return {
    optimizer: createOptimizer(network.params.length, hp),
    random: new SeededRandom(hp.seed, 3),
  };
}

export function checkResumable(
  saved: TrainerCheckpoint,
  options: TrainerOptions,
  hp: Hyperparameters,
): void {
  if (saved.formatVersion !== 1)
    throw new TrainingError(`checkpoint format ${String(saved.formatVersion)} is not supported`);
  const mismatch = (what: string, was: unknown, now: unknown): never => {
    throw new TrainingError(
      `the checkpoint was made with ${what} ${JSON.stringify(was)}, not ${JSON.stringify(now)}: resume with the same job settings`,
    );
  };
  if (saved.algorithm !== options.algorithm)
    mismatch('algorithm', saved.algorithm, options.algorithm);
  if (saved.target !== options.target) mismatch('target', saved.target, options.target);
  if (options.features && options.features.join('\u0000') !== saved.features.join('\u0000'))
    mismatch('features', saved.features, options.features);
  if (JSON.stringify(saved.hyperparameters) !== JSON.stringify(hp))
    mismatch('hyperparameters', saved.hyperparameters, hp);
  if (saved.datasetRows !== options.dataset.rowCount)
    mismatch('a dataset of rows', saved.datasetRows, options.dataset.rowCount);
}

/** Sufficient statistics of full-batch linear regression: derived data, rebuilt after a resume. */
export interface LinearStatistics {
  train: SquaredErrorStatistics;
  validation: SquaredErrorStatistics | null;
}

/** Reads the training and validation rows (twice each) into their {@link SquaredErrorStatistics}. */
export function linearStatistics(data: PreparedData, inputs: number): LinearStatistics {
  const { trainX, trainY, validationX, validationY } = data;
  if (!(trainY instanceof Float64Array) || !(validationY instanceof Float64Array))
    throw new Error('sufficient statistics need regression targets');
  return {
    train: SquaredErrorStatistics.build(trainX, trainY, data.trainRows, inputs),
    validation:
      data.validationRows > 0
        ? SquaredErrorStatistics.build(validationX, validationY, data.validationRows, inputs)
        : null,
  };
}
