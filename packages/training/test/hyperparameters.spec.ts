import { ALGORITHMS, ALGORITHM_NAMES, HyperparameterError, resolveHyperparameters } from '../src';

function errorOf(fn: () => unknown): HyperparameterError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HyperparameterError);
    return error as HyperparameterError;
  }
  throw new Error('expected a HyperparameterError');
}

describe('ALGORITHMS', () => {
  it('documents every algorithm with typed, bounded hyperparameters whose defaults are valid', () => {
    expect(ALGORITHMS.map((a) => a.algorithm)).toEqual([...ALGORITHM_NAMES]);
    for (const info of ALGORITHMS) {
      expect(info.description.length).toBeGreaterThan(10);
      expect(info.tasks.length).toBeGreaterThan(0);
      for (const h of info.hyperparameters) {
        expect(h.description.length).toBeGreaterThan(10);
        if (h.type === 'int' || h.type === 'float' || h.type === 'int[]') {
          expect(typeof h.min).toBe('number');
          expect(typeof h.max).toBe('number');
        }
      }
      // Every default passes the same validation the trainer uses.
      const defaults = Object.fromEntries(info.hyperparameters.map((h) => [h.name, h.default]));
      expect(resolveHyperparameters(info.algorithm, defaults)).toEqual(
        resolveHyperparameters(info.algorithm, {}),
      );
    }
    expect(
      ALGORITHMS.find((a) => a.algorithm === 'MLP')?.hyperparameters.map((h) => h.name),
    ).toContain('hiddenLayers');
    expect(
      ALGORITHMS.find((a) => a.algorithm === 'LINEAR_REGRESSION')?.hyperparameters.map(
        (h) => h.name,
      ),
    ).not.toContain('hiddenLayers');
  });

  it('is JSON-serialisable as the algorithms query returns it', () => {
    expect(JSON.parse(JSON.stringify(ALGORITHMS))).toEqual(ALGORITHMS);
  });
});

describe('resolveHyperparameters', () => {
  it('fills defaults and keeps given values', () => {
    const hp = resolveHyperparameters('MLP', {
      epochs: 5,
      hiddenLayers: [8, 4],
      optimizer: 'sgd',
      shuffle: false,
    });
    expect(hp).toMatchObject({
      epochs: 5,
      hiddenLayers: [8, 4],
      optimizer: 'sgd',
      shuffle: false,
      learningRate: 0.01,
      batchSize: 32,
      task: 'auto',
    });
    expect(resolveHyperparameters('LINEAR_REGRESSION', undefined)).toMatchObject({
      epochs: 100,
      seed: 42,
    });
    expect(resolveHyperparameters('LINEAR_REGRESSION', null)).not.toHaveProperty('hiddenLayers');
  });

  it('does not share the default arrays between calls', () => {
    const a = resolveHyperparameters('MLP', {});
    a.hiddenLayers?.push(99);
    expect(resolveHyperparameters('MLP', {}).hiddenLayers).toEqual([32, 32]);
  });

  it('rejects unknown keys, naming the known ones', () => {
    const error = errorOf(() =>
      resolveHyperparameters('LINEAR_REGRESSION', { epochs: 3, hiddenLayers: [4] }),
    );
    expect(error.key).toBe('hiddenLayers');
    expect(error.message).toMatch(
      /unknown hyperparameter 'hiddenLayers' for LINEAR_REGRESSION; known: epochs, learningRate/,
    );
  });

  it('rejects wrong types and out-of-range values with the allowed range', () => {
    expect(errorOf(() => resolveHyperparameters('MLP', { epochs: 0 })).message).toBe(
      "hyperparameter 'epochs' must be an integer from 1 to 100000, got 0",
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { epochs: 2.5 })).message).toMatch(
      /'epochs' must be an integer from 1 to 100000, got 2.5/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { epochs: '10' })).message).toMatch(
      /got "10"/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { learningRate: -1 })).message).toMatch(
      /'learningRate' must be a number from 1e-8 to 10, got -1/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { validationSplit: 0.95 })).key).toBe(
      'validationSplit',
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { optimizer: 'rmsprop' })).message).toMatch(
      /'optimizer' must be one of 'adam', 'sgd', got "rmsprop"/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { shuffle: 'yes' })).message).toMatch(
      /'shuffle' must be true or false/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { hiddenLayers: [] })).message).toMatch(
      /'hiddenLayers' must be a list of 1 to 16 integers, each from 1 to 4096, got \[\]/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { hiddenLayers: [8, 0] })).key).toBe(
      'hiddenLayers',
    );
    expect(errorOf(() => resolveHyperparameters('MLP', { batchSize: Number.NaN })).key).toBe(
      'batchSize',
    );
  });

  it('rejects a non-object and an unknown algorithm', () => {
    expect(errorOf(() => resolveHyperparameters('MLP', [1, 2])).message).toMatch(
      /must be a JSON object/,
    );
    expect(errorOf(() => resolveHyperparameters('MLP', 'epochs=3')).message).toMatch(
      /must be a JSON object/,
    );
    expect(errorOf(() => resolveHyperparameters('RANDOM_FOREST', {})).message).toMatch(
      /unknown algorithm 'RANDOM_FOREST': expected one of LINEAR_REGRESSION/,
    );
  });
});
