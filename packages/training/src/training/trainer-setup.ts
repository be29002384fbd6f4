import { TrainingError } from '../errors';
import type { Hyperparameters } from '../hyperparameters';
import type { ExportedModelState } from '../model/model.types';
import type { Network } from '../model/network';
import type { SeededRandom } from '../model/random';
import type { ModelSpec } from '../model/tabular';
import type { TrainerCheckpoint, TrainerOptions } from './trainer.types';

// A model update keeps the parent's hidden layers unless the job names them.
export function withParentShape(
  options: Pick<TrainerOptions, 'algorithm' | 'hyperparameters' | 'warmStart'>,
): unknown {
  const raw = options.hyperparameters;
  const parent = options.warmStart;
  if (!parent || options.algorithm !== 'MLP' || parent.hiddenLayers.length === 0) return raw;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    return raw;
  const given = (raw ?? {}) as Record<string, unknown>;
  return given.hiddenLayers === undefined
    ? { ...given, hiddenLayers: [...parent.hiddenLayers] }
    : raw;
}

export function specOf(state: ExportedModelState): ModelSpec {
  const { layers: _layers, ...spec } = state;
  return spec;
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
