import { HyperparameterError, TrainingError } from '../errors';
import { type Algorithm, type Hyperparameters, resolveHyperparameters } from '../hyperparameters';
import type { ExportedModelState } from '../model/model.types';
import { withParentShape } from './trainer-setup';

/**
 * The checks a model update can pass before any data is read (for the API to answer
 * BAD_USER_INPUT at once): same algorithm, target, feature order (when given) and hidden layers.
 * Returns the resolved hyperparameters (an MLP without `hiddenLayers` takes the parent's).
 * The trainer repeats these checks and adds those that need the data (new categories or labels).
 */
export function checkWarmStart(
  parent: ExportedModelState,
  job: { algorithm: Algorithm; target: string; features?: string[]; hyperparameters?: unknown },
): Hyperparameters {
  const hp = resolveHyperparameters(job.algorithm, withParentShape({ ...job, warmStart: parent }));
  if (parent.algorithm !== job.algorithm) {
    throw new TrainingError(
      `a warm start needs the parent's algorithm ${parent.algorithm}, not ${job.algorithm}`,
    );
  }
  if (parent.target !== job.target) {
    throw new TrainingError(
      `a warm start needs the parent's target '${parent.target}', not '${job.target}'`,
    );
  }
  const names = parent.features.map((f) => f.name);
  if (job.features && job.features.join('\u0000') !== names.join('\u0000')) {
    const list = (values: string[]): string => values.map((n) => `'${n}'`).join(', ');
    throw new TrainingError(
      `a warm start needs the parent model's features in the same order: ${list(names)}, got ${list(job.features)}`,
    );
  }
  if (parent.hiddenLayers.join(',') !== (hp.hiddenLayers ?? []).join(',')) {
    throw new HyperparameterError(
      `hiddenLayers must match the parent model's [${parent.hiddenLayers.join(', ')}] for a warm start, got [${(hp.hiddenLayers ?? []).join(', ')}]`,
      'hiddenLayers',
    );
  }
  return hp;
}
