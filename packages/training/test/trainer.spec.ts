import {
  createTrainer,
  linearCoefficients,
  type ClassificationMetrics,
  type RegressionMetrics,
  type TrainerOptions,
} from '../src';
import {
  dataset,
  errorOf,
  numeric,
  seedExample,
  separable,
  threeClasses,
  trainAll,
  uniform,
} from './fixtures';

describe('acceptance', () => {
  it('learns the seed example y = 3x + noise with the default hyperparameters: weight ≈ 3, bias ≈ 0.5', () => {
    const started = performance.now();
    const { epochs, result } = trainAll(
      createTrainer({ algorithm: 'LINEAR_REGRESSION', dataset: seedExample(1000, 7), target: 'y' }),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(epochs).toHaveLength(100);
    const { intercept, coefficients } = linearCoefficients(result.state);
    expect(coefficients.x?.[0]).toBeGreaterThan(2.9);
    expect(coefficients.x?.[0]).toBeLessThan(3.1);
    expect(intercept[0]).toBeGreaterThan(0.4);
    expect(intercept[0]).toBeLessThan(0.6);
    // The residual is the uniform noise around its mean: variance 1/12.
    expect((result.metrics as RegressionMetrics).mse).toBeCloseTo(1 / 12, 1);
    expect(result.signature).toEqual({ features: ['x'], labels: null, categories: {} });
  });

  it('separates a linearly separable two-feature problem with logistic regression (accuracy ≥ 0.9)', () => {
    const { result } = trainAll(
      createTrainer({
        algorithm: 'LOGISTIC_REGRESSION',
        dataset: separable(1000, 3),
        target: 'label',
      }),
    );
    const metrics = result.metrics as ClassificationMetrics;
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(metrics.f1).toBeGreaterThan(0.9);
    expect(result.state.task).toBe('BINARY_CLASSIFICATION');
    expect(result.signature.labels).toEqual(['no', 'yes']);
  });

  it('fits sin(2πx) on [0, 1) with an MLP (r2 ≥ 0.9)', () => {
    const next = uniform(5);
    const x = Array.from({ length: 1000 }, next);
    const ds = dataset(
      numeric('x', x),
      numeric(
        'y',
        x.map((v) => Math.sin(2 * Math.PI * v)),
      ),
    );
    const { result } = trainAll(createTrainer({ algorithm: 'MLP', dataset: ds, target: 'y' }));
    expect((result.metrics as RegressionMetrics).r2).toBeGreaterThanOrEqual(0.9);
    expect(result.state.layers.map((l) => [l.inputs, l.outputs])).toEqual([
      [1, 32],
      [32, 32],
      [32, 1],
    ]);
  });

  it('classifies three classes with softmax regression and an MLP, with a categorical feature', () => {
    const ds = threeClasses(1500, 11);
    for (const algorithm of ['SOFTMAX_REGRESSION', 'MLP'] as const) {
      const { result } = trainAll(
        createTrainer({
          algorithm,
          dataset: ds,
          target: 'class',
          features: ['a', 'colour', 'b'],
          hyperparameters: { epochs: 60 },
        }),
      );
      const metrics = result.metrics as ClassificationMetrics;
      expect(metrics.accuracy).toBeGreaterThan(0.9);
      expect(metrics.logLoss).toBeLessThan(0.35);
      expect(result.state.task).toBe('MULTICLASS_CLASSIFICATION');
      expect(result.signature).toEqual({
        features: ['a', 'colour', 'b'],
        labels: ['circle', 'square', 'triangle'],
        categories: { colour: ['blue', 'green', 'red'] },
      });
    }
  });
});

describe('determinism and checkpoints', () => {
  const options = (): TrainerOptions => ({
    algorithm: 'MLP',
    dataset: threeClasses(600, 2),
    target: 'class',
    features: ['a', 'b', 'colour'],
    hyperparameters: {
      epochs: 10,
      hiddenLayers: [8, 6],
      batchSize: 16,
      earlyStoppingPatience: 3,
      l2: 0.001,
    },
  });

  it('gives bit-identical weights for the same seed and different ones for another seed', () => {
    const a = trainAll(createTrainer(options())).result.state;
    const b = trainAll(createTrainer(options())).result.state;
    expect(b.layers).toEqual(a.layers);
    const other = trainAll(
      createTrainer({
        ...options(),
        hyperparameters: { ...(options().hyperparameters as object), seed: 7 },
      }),
    ).result.state;
    expect(other.layers).not.toEqual(a.layers);
  });

  it('resumes from a JSON checkpoint exactly where it stopped (10 straight = 5 + restore + 5)', () => {
    for (const hyperparameters of [
      options().hyperparameters,
      { epochs: 10, optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, hiddenLayers: [5] },
    ]) {
      const straight = createTrainer({ ...options(), hyperparameters });
      const straightEpochs = [...straight.epochs()];
      const first = createTrainer({ ...options(), hyperparameters });
      for (let i = 0; i < 5; i++) first.runEpoch();
      const saved = JSON.parse(JSON.stringify(first.checkpoint()));
      const resumed = createTrainer({ ...options(), hyperparameters, checkpoint: saved });
      expect(resumed.epoch).toBe(5);
      const resumedEpochs = [...resumed.epochs()];
      expect(resumedEpochs).toEqual(straightEpochs.slice(5));
      expect(resumed.checkpoint()).toEqual(straight.checkpoint());
      expect(resumed.finish().state).toEqual(straight.finish().state);
    }
  });

  it('refuses a checkpoint with other settings or another dataset', () => {
    const trainer = createTrainer(options());
    trainer.runEpoch();
    const saved = trainer.checkpoint();
    expect(
      errorOf(() =>
        createTrainer({ ...options(), hyperparameters: { epochs: 11 }, checkpoint: saved }),
      ).message,
    ).toMatch(/checkpoint was made with hyperparameters/);
    expect(
      errorOf(() =>
        createTrainer({ ...options(), dataset: threeClasses(601, 2), checkpoint: saved }),
      ).message,
    ).toMatch(/a dataset of rows 600/);
  });
});
