import {
  HyperparameterError,
  TrainingError,
  WarmStartError,
  createTrainer,
  exportedStateFromOnnx,
  linearCoefficients,
  modelInputFromDataset,
  predictWithState,
  type ClassificationMetrics,
  type RegressionMetrics,
  type TrainerOptions,
  type WarmStartJob,
  resolveWarmStart,
} from '../src';
import {
  categorical,
  dataset,
  errorOf,
  numeric,
  seedExample,
  separable,
  threeClasses,
  trainAll,
  uniform,
} from './fixtures';

describe('warm start (model update)', () => {
  it('continues from the parent: the first epoch loss is far below a cold start, also from the ONNX file alone', () => {
    const parent = trainAll(
      createTrainer({ algorithm: 'LINEAR_REGRESSION', dataset: seedExample(1000, 1), target: 'y' }),
    ).result;
    const fresh = seedExample(1000, 2);
    const cold = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: fresh,
      target: 'y',
    }).runEpoch();
    const warm = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: fresh,
      target: 'y',
      warmStart: parent.state,
    });
    const fromOnnx = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: fresh,
      target: 'y',
      warmStart: exportedStateFromOnnx(parent.onnx),
    });
    // The parent's scaling is reused, not recomputed on the new data.
    expect(warm.spec.features).toEqual(parent.state.features);
    expect(warm.spec.targetScale).toBe(parent.state.targetScale);
    const warmFirst = warm.runEpoch();
    expect(warmFirst.loss).toBeLessThan(cold.loss / 3);
    expect(warmFirst.loss).toBeLessThan(0.1);
    expect(fromOnnx.runEpoch().loss).toBeCloseTo(warmFirst.loss, 4);
    const { result } = trainAll(warm);
    expect(linearCoefficients(result.state).coefficients.x?.[0]).toBeCloseTo(3, 0);
  });

  it("resolveWarmStart: the parent's features and hidden layers unless named, else the same ones", () => {
    const parent = trainAll(
      createTrainer({
        algorithm: 'MLP',
        dataset: threeClasses(300, 4),
        target: 'class',
        features: ['a', 'colour'],
        hyperparameters: { epochs: 2, hiddenLayers: [4] },
      }),
    ).result.state;
    const columns = threeClasses(10, 5).columns;
    const job = { algorithm: 'MLP' as const, target: 'class', columns };
    // Omitted features and hiddenLayers: the parent's.
    const plan = resolveWarmStart(parent, { ...job, hyperparameters: { epochs: 3 } });
    expect(plan.features).toEqual(['a', 'colour']);
    expect(plan.hyperparameters).toMatchObject({ epochs: 3, hiddenLayers: [4] });
    expect(
      resolveWarmStart(parent, {
        ...job,
        features: ['a', 'colour'],
        hyperparameters: { hiddenLayers: [4] },
      }).hyperparameters.hiddenLayers,
    ).toEqual([4]);

    const refusal = (changes: Partial<WarmStartJob>): WarmStartError => {
      const error = errorOf(() => resolveWarmStart(parent, { ...job, ...changes }));
      expect(error).toBeInstanceOf(WarmStartError);
      return error as WarmStartError;
    };
    expect(refusal({ algorithm: 'SOFTMAX_REGRESSION' })).toMatchObject({
      field: 'algorithm',
      message: expect.stringMatching(
        /parent's algorithm MLP, not SOFTMAX_REGRESSION: set algorithm to MLP/,
      ),
    });
    expect(refusal({ target: 'a' })).toMatchObject({
      field: 'target',
      message: expect.stringMatching(/parent's target 'class', not 'a': set target to 'class'/),
    });
    expect(refusal({ features: ['colour', 'a'] })).toMatchObject({
      field: 'features',
      message: expect.stringMatching(
        /parent model's features in the same order: 'a', 'colour', got 'colour', 'a': omit features/,
      ),
    });
    expect(refusal({ hyperparameters: { hiddenLayers: [3] } })).toMatchObject({
      field: 'hyperparameters',
      key: 'hiddenLayers',
      message: expect.stringMatching(
        /hiddenLayers must match the parent model's \[4\] .* got \[3\]/,
      ),
    });
    expect(refusal({ hyperparameters: { task: 'regression' } })).toMatchObject({
      field: 'hyperparameters',
      key: 'task',
      message: expect.stringMatching(
        /parent model does multiclass classification.*set the hyperparameter task to 'classification'/,
      ),
    });
    // The dataset must have the parent's features, of the same kind.
    expect(refusal({ columns: columns.filter((c) => c.name !== 'colour') })).toMatchObject({
      field: 'dataset',
      message: expect.stringMatching(/no column 'colour', a feature of the parent model/),
    });
    const recoloured = columns.map((c) => (c.name === 'colour' ? { ...c, type: 'numeric' } : c));
    expect(refusal({ columns: recoloured })).toMatchObject({
      field: 'dataset',
      message: expect.stringMatching(
        /feature 'colour' is categorical in the parent model but numeric/,
      ),
    });
    // A hyperparameter that is wrong on its own is a HyperparameterError, as without a parent.
    expect(
      errorOf(() => resolveWarmStart(parent, { ...job, hyperparameters: { epochs: 0 } })),
    ).toBeInstanceOf(HyperparameterError);
  });

  it('the trainer refuses by the same rules, and by new categories or labels in the data', () => {
    const ds = threeClasses(300, 4);
    const parent = trainAll(
      createTrainer({
        algorithm: 'MLP',
        dataset: ds,
        target: 'class',
        features: ['a', 'colour'],
        hyperparameters: { epochs: 2, hiddenLayers: [4] },
      }),
    ).result.state;
    const base = {
      dataset: ds,
      target: 'class',
      warmStart: parent,
      hyperparameters: { epochs: 2, hiddenLayers: [4] },
    };
    const algorithm = errorOf(() =>
      createTrainer({ ...base, algorithm: 'SOFTMAX_REGRESSION', hyperparameters: {} }),
    );
    expect(algorithm).toBeInstanceOf(WarmStartError);
    expect(algorithm.message).toMatch(/parent's algorithm MLP, not SOFTMAX_REGRESSION/);
    expect(
      errorOf(() => createTrainer({ ...base, algorithm: 'MLP', features: ['a', 'b'] })).message,
    ).toMatch(/parent model's features in the same order: 'a', 'colour', got 'a', 'b'/);
    const shape = errorOf(() =>
      createTrainer({ ...base, algorithm: 'MLP', hyperparameters: { hiddenLayers: [5] } }),
    );
    expect(shape).toMatchObject({ field: 'hyperparameters', key: 'hiddenLayers' });
    // Without hiddenLayers or features, the update keeps the parent's.
    const kept = createTrainer({ ...base, algorithm: 'MLP', hyperparameters: { epochs: 1 } });
    expect(kept.hyperparameters.hiddenLayers).toEqual([4]);
    expect(kept.spec.features.map((f) => f.name)).toEqual(['a', 'colour']);

    const unknown = dataset(
      numeric('a', [0.1, 0.2]),
      categorical('colour', ['purple', 'red'], [0, 1]),
      categorical('class', ['circle', 'square'], [0, 1]),
    );
    expect(
      errorOf(() => createTrainer({ ...base, algorithm: 'MLP', dataset: unknown })).message,
    ).toMatch(/feature 'colour' has category 'purple', which the parent model does not know/);
    const otherLabel = dataset(
      numeric('a', [0.1, 0.2]),
      categorical('colour', ['red'], [0, 0]),
      categorical('class', ['circle', 'hexagon'], [0, 1]),
    );
    expect(
      errorOf(() => createTrainer({ ...base, algorithm: 'MLP', dataset: otherLabel })).message,
    ).toMatch(/target 'class' has values the parent model does not know: 'hexagon'/);
  });
});

describe('training rules', () => {
  it('throws a TrainingError when the loss diverges, suggesting a smaller learning rate', () => {
    const next = uniform(1);
    const x = Array.from({ length: 200 }, () => next() * 1e6);
    const ds = dataset(
      numeric('x', x),
      numeric(
        'y',
        x.map((v) => v * 3),
      ),
    );
    const trainer = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: ds,
      target: 'y',
      hyperparameters: { optimizer: 'sgd', learningRate: 1, standardize: false },
    });
    const error = errorOf(() => {
      for (let i = 0; i < 100; i++) trainer.runEpoch();
    });
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(
      /training diverged at epoch \d+: the loss became (NaN|Infinity).*Try a smaller learningRate than 1 or standardize: true/,
    );
    expect(() => trainer.runEpoch()).toThrow(/diverged/);
  });

  it('drops rows with a missing target or feature and splits the rest', () => {
    const ds = dataset(
      numeric('x', [1, 2, Number.NaN, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
      numeric('y', [1, 2, 3, Number.NaN, 5, 6, 7, 8, 9, 10, 11, 12]),
    );
    const trainer = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: ds,
      target: 'y',
      hyperparameters: { validationSplit: 0.3 },
    });
    expect(trainer.droppedRows).toBe(2);
    expect(trainer.validationRows).toBe(3);
    expect(trainer.trainingRows).toBe(7);
  });

  it('stops early after `earlyStoppingPatience` epochs without improvement and exports the best epoch', () => {
    const trainer = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: seedExample(300, 3),
      target: 'y',
      hyperparameters: { earlyStoppingPatience: 2, epochs: 1000 },
    });
    const { epochs, result } = trainAll(trainer);
    expect(trainer.stoppedEarly).toBe(true);
    expect(epochs.length).toBeLessThan(1000);
    expect(epochs.at(-1)).toMatchObject({ done: true, stoppedEarly: true });
    const best = epochs.reduce((a, b) =>
      (b.validationLoss ?? 0) < (a.validationLoss ?? 0) ? b : a,
    );
    expect(result.bestEpoch).toBe(best.epoch);
    expect(result.epochs).toBe(best.epoch + 2);
    expect(() => trainer.runEpoch()).toThrow(/training is done/);
  });

  it('shrinks weights with L2', () => {
    const plain = trainAll(
      createTrainer({
        algorithm: 'LINEAR_REGRESSION',
        dataset: seedExample(500, 3),
        target: 'y',
        hyperparameters: { epochs: 30 },
      }),
    ).result;
    const ridge = trainAll(
      createTrainer({
        algorithm: 'LINEAR_REGRESSION',
        dataset: seedExample(500, 3),
        target: 'y',
        hyperparameters: { epochs: 30, l2: 1 },
      }),
    ).result;
    const w = (r: typeof plain) => Math.abs(r.state.layers[0]?.weights[0] ?? 0);
    expect(w(ridge)).toBeLessThan(w(plain) * 0.7);
  });

  it('reports metrics that match its own predictions', () => {
    const ds = seedExample(400, 9);
    const trainer = createTrainer({
      algorithm: 'MLP',
      dataset: ds,
      target: 'y',
      hyperparameters: { epochs: 5, validationSplit: 0, hiddenLayers: [4] },
    });
    const { result } = trainAll(trainer);
    const predictions = predictWithState(result.state, modelInputFromDataset(result.state, ds));
    const y = ds.columns[1]?.type === 'numeric' ? ds.columns[1].values : new Float64Array();
    let sse = 0;
    let sae = 0;
    y.forEach((v, i) => {
      sse += ((predictions.prediction[i] as number) - v) ** 2;
      sae += Math.abs((predictions.prediction[i] as number) - v);
    });
    const metrics = result.metrics as RegressionMetrics;
    expect(metrics.mse).toBeCloseTo(sse / 400, 10);
    expect(metrics.mae).toBeCloseTo(sae / 400, 10);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(sse / 400), 10);
    const mean = y.reduce((a, b) => a + b, 0) / 400;
    const sst = y.reduce((a, b) => a + (b - mean) ** 2, 0);
    expect(metrics.r2).toBeCloseTo(1 - sse / sst, 8);
  });

  it.each([
    { algorithm: 'LOGISTIC_REGRESSION' as const, ds: separable(300, 8), target: 'label' },
    { algorithm: 'SOFTMAX_REGRESSION' as const, ds: threeClasses(300, 8), target: 'class' },
  ])(
    'reports $algorithm classification metrics that match its own predictions',
    ({ algorithm, ds, target }) => {
      // One short epoch: an imperfect model, so every metric is informative.
      const { result } = trainAll(
        createTrainer({
          algorithm,
          dataset: ds,
          target,
          hyperparameters: { epochs: 1, batchSize: 100, validationSplit: 0 },
        }),
      );
      const { prediction, probabilities } = predictWithState(
        result.state,
        modelInputFromDataset(result.state, ds),
      );
      const column = ds.columns.find((c) => c.name === target);
      const actual = column?.type === 'categorical' ? column.codes : new Int32Array();
      const C = result.state.labels?.length ?? 0;
      const tp = new Array<number>(C).fill(0);
      const predicted = new Array<number>(C).fill(0);
      const truth = new Array<number>(C).fill(0);
      let logLoss = 0;
      actual.forEach((y, i) => {
        const p = prediction[i] as number;
        predicted[p] = (predicted[p] as number) + 1;
        truth[y] = (truth[y] as number) + 1;
        if (p === y) tp[y] = (tp[y] as number) + 1;
        logLoss -= Math.log(probabilities?.[i * C + y] as number);
      });
      const scores = (C === 2 ? [1] : [...Array(C).keys()]).map((c) => {
        const precision = (tp[c] as number) / (predicted[c] as number);
        const recall = (tp[c] as number) / (truth[c] as number);
        return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
      });
      const average = (key: 'precision' | 'recall' | 'f1') =>
        scores.reduce((a, s) => a + s[key], 0) / scores.length;
      const metrics = result.metrics as ClassificationMetrics;
      expect(metrics.accuracy).toBeCloseTo(tp.reduce((a, b) => a + b, 0) / actual.length, 10);
      expect(metrics.accuracy).toBeLessThan(1);
      expect(metrics.precision).toBeCloseTo(average('precision'), 10);
      expect(metrics.recall).toBeCloseTo(average('recall'), 10);
      expect(metrics.f1).toBeCloseTo(average('f1'), 10);
      expect(metrics.logLoss).toBeCloseTo(logLoss / actual.length, 8);
    },
  );

  it('explains bad targets and features', () => {
    const ds = threeClasses(50, 1);
    const train = (o: Partial<TrainerOptions>) => () =>
      createTrainer({ algorithm: 'LINEAR_REGRESSION', dataset: ds, target: 'a', ...o });
    expect(errorOf(train({ target: 'nope' })).message).toMatch(
      /the dataset has no column 'nope' \(target\); its columns are 'a', 'b', 'colour', 'class'/,
    );
    expect(errorOf(train({ features: ['a'] })).message).toMatch(
      /column 'a' is the target and cannot also be a feature/,
    );
    expect(errorOf(train({ features: ['b', 'b'] })).message).toMatch(/feature 'b' is listed twice/);
    expect(errorOf(train({ target: 'class' })).message).toMatch(
      /needs a numeric target; 'class' is categorical/,
    );
    expect(errorOf(train({ algorithm: 'LOGISTIC_REGRESSION', target: 'class' })).message).toMatch(
      /LOGISTIC_REGRESSION is binary: target 'class' has 3 classes/,
    );
    expect(
      errorOf(() =>
        createTrainer({
          algorithm: 'LINEAR_REGRESSION',
          dataset: dataset(numeric('y', [1, 2])),
          target: 'y',
        }),
      ).message,
    ).toMatch(/no numeric column besides the target 'y'/);
    expect(errorOf(train({ hyperparameters: { epochs: -1 } }))).toBeInstanceOf(HyperparameterError);
    const ids = Array.from({ length: 1001 }, (_, i) => i);
    const wide = dataset(categorical('id', ids.map(String), ids), numeric('y', ids));
    expect(
      errorOf(() =>
        createTrainer({
          algorithm: 'LINEAR_REGRESSION',
          dataset: wide,
          target: 'y',
          features: ['id'],
        }),
      ).message,
    ).toMatch(/feature 'id' has 1001 categories; one-hot encoding supports at most 1000/);
  });

  it('treats a numeric target of a classifier as labels, and a boolean target as false/true', () => {
    const next = uniform(2);
    const x = Array.from({ length: 300 }, next);
    const numericTarget = dataset(
      numeric('x', x),
      numeric(
        'y',
        x.map((v) => (v > 0.5 ? 1 : 0)),
      ),
    );
    const a = trainAll(
      createTrainer({ algorithm: 'LOGISTIC_REGRESSION', dataset: numericTarget, target: 'y' }),
    ).result;
    expect(a.signature.labels).toEqual(['0', '1']);
    expect((a.metrics as ClassificationMetrics).accuracy).toBeGreaterThan(0.9);
    const booleanTarget = dataset(numeric('x', x), {
      name: 'y',
      type: 'boolean',
      values: Uint8Array.from(x, (v) => (v > 0.5 ? 1 : 0)),
    });
    const b = trainAll(
      createTrainer({
        algorithm: 'MLP',
        dataset: booleanTarget,
        target: 'y',
        hyperparameters: { epochs: 30 },
      }),
    ).result;
    expect(b.signature.labels).toEqual(['false', 'true']);
    expect(b.state.head).toBe('softmax');
  });
});
