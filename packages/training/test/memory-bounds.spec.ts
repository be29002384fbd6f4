import {
  HyperparameterError,
  MAX_BATCH_ACTIVATIONS,
  MAX_HIDDEN_WEIGHTS,
  MAX_PARAMETERS,
  TrainingError,
  createTrainer,
  resolveHyperparameters,
} from '../src';
import { dataset, errorOf, numeric, seedExample } from './fixtures';

// A job the API accepts must fit a training worker's memory: the bounds are checked before
// anything is allocated, at startTrainingJob (hidden layers) and by the trainer (with the data).
describe('memory bounds of a training job', () => {
  it('refuses hidden layers with more weights between them than a worker holds', () => {
    expect(MAX_HIDDEN_WEIGHTS).toBe(2 ** 24);
    // 4096 × 4096 = 2^24: exactly at the bound is fine; one more layer is not.
    expect(resolveHyperparameters('MLP', { hiddenLayers: [4096, 4096] }).hiddenLayers).toEqual([
      4096, 4096,
    ]);
    const err = errorOf(() => resolveHyperparameters('MLP', { hiddenLayers: [4096, 4096, 2] }));
    expect(err).toBeInstanceOf(HyperparameterError);
    expect((err as HyperparameterError).key).toBe('hiddenLayers');
    expect(err.message).toMatch(/16785408 weights between hidden layers; at most 16777216/);
  });

  it('refuses a network whose parameters, counted with the input width, do not fit', () => {
    const features = Array.from({ length: 1100 }, (_, i) =>
      numeric(
        `f${i}`,
        Float64Array.from({ length: 50 }, (_, r) => (r * (i + 1)) % 7),
      ),
    );
    const data = dataset(
      ...features,
      numeric(
        'y',
        Float64Array.from({ length: 50 }, (_, r) => r),
      ),
    );
    // 1101 × 4096 + 4097 × 4096 + 4097 > 2^24.
    const err = errorOf(() =>
      createTrainer({
        algorithm: 'MLP',
        dataset: data,
        target: 'y',
        hyperparameters: { epochs: 1, hiddenLayers: [4096, 4096] },
      }),
    );
    expect(err).toBeInstanceOf(TrainingError);
    expect(err.message).toMatch(
      new RegExp(`at most ${MAX_PARAMETERS} fit a training worker's memory`),
    );
  });

  it('refuses a gradient step whose activations do not fit, counting only the rows there are', () => {
    const data = seedExample(30_000, 4);
    // 24,000 training rows (a 20% validation split) × (1 + 4096 + 1) units > 2^26; the same layers with batchSize 1000 fit.
    const err = errorOf(() =>
      createTrainer({
        algorithm: 'MLP',
        dataset: data,
        target: 'y',
        hyperparameters: { epochs: 1, hiddenLayers: [4096], batchSize: 100_000 },
      }),
    );
    expect(err.message).toMatch(new RegExp(`at most ${MAX_BATCH_ACTIVATIONS} fit`));
    expect(() =>
      createTrainer({
        algorithm: 'MLP',
        dataset: seedExample(200, 4),
        target: 'y',
        hyperparameters: { epochs: 1, hiddenLayers: [4096], batchSize: 100_000 },
      }),
    ).not.toThrow();
  });
});
