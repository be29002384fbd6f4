import type { ColumnarDataset } from '../dataset/dataset.types';
import type { RegressionMetrics } from '../model/model.types';
import { SeededRandom } from '../model/random';
import { GradientTrainer } from './trainer';
import type { EpochResult, TrainerOptions } from './trainer.types';

// Full-batch linear regression computes each epoch from sufficient statistics (Gram matrix of the
// shifted design matrix and targets) instead of passes over the rows. These tests run the same
// jobs through both paths and expect the same weights and losses within 1e-9 relative.

const RELATIVE = 1e-9;

/** y = 2·a − b + a colour effect + noise; `offset` moves a and b away from 0 (e.g. near 1000). */
function data(rows: number, seed: number, offset = 0): ColumnarDataset {
  const random = new SeededRandom(seed, 5);
  const a = new Float64Array(rows);
  const b = new Float64Array(rows);
  const colour = new Int32Array(rows);
  const y = new Float64Array(rows);
  const effect = [0.5, -1, 2];
  for (let r = 0; r < rows; r++) {
    const ar = Math.fround(offset + random.nextNormal());
    const br = Math.fround(offset + 3 * random.nextFloat());
    const c = random.nextInt(3);
    a[r] = ar;
    b[r] = br;
    colour[r] = c;
    y[r] =
      2 * (ar - offset) - (br - offset) + (effect[c] as number) + 0.3 * random.nextNormal() + 10;
  }
  return {
    rowCount: rows,
    columns: [
      { name: 'a', type: 'numeric', values: a },
      { name: 'b', type: 'numeric', values: b },
      { name: 'colour', type: 'categorical', categories: ['blue', 'green', 'red'], codes: colour },
      { name: 'y', type: 'numeric', values: y },
    ],
  };
}

function job(hyperparameters: Record<string, unknown>, dataset = data(1003, 1)): TrainerOptions {
  return {
    algorithm: 'LINEAR_REGRESSION',
    dataset,
    target: 'y',
    features: ['a', 'b', 'colour'],
    hyperparameters: { batchSize: 100_000, ...hyperparameters },
  };
}

function run(options: TrainerOptions, sufficientStatistics: boolean) {
  const trainer = new GradientTrainer(options, { sufficientStatistics });
  const epochs: EpochResult[] = [...trainer.epochs()];
  return { trainer, epochs, params: trainer.checkpoint().params, result: trainer.finish() };
}

function expectRelative(actual: number, expected: number, what: string): void {
  const error = Math.abs(actual - expected);
  expect(error, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    RELATIVE * Math.abs(expected),
  );
}

function expectSameRun(
  fast: ReturnType<typeof run>,
  rows: ReturnType<typeof run>,
  label: string,
): void {
  expect(fast.trainer.usesStatistics).toBe(true);
  expect(rows.trainer.usesStatistics).toBe(false);
  expect(fast.epochs).toHaveLength(rows.epochs.length);
  fast.params.forEach((p, i) => expectRelative(p, rows.params[i] as number, `${label} param ${i}`));
  fast.epochs.forEach((e, i) => {
    const reference = rows.epochs[i] as EpochResult;
    expectRelative(e.loss, reference.loss, `${label} loss of epoch ${i + 1}`);
    if (reference.validationLoss === null) expect(e.validationLoss).toBeNull();
    else
      expectRelative(
        e.validationLoss as number,
        reference.validationLoss,
        `${label} validation loss of epoch ${i + 1}`,
      );
    const m = e.metrics as RegressionMetrics;
    const r = reference.metrics as RegressionMetrics;
    expectRelative(m.mse, r.mse, `${label} mse of epoch ${i + 1}`);
    expectRelative(m.rmse, r.rmse, `${label} rmse of epoch ${i + 1}`);
    // r² = 1 − sse/sst is near 0 at the first epoch: compare sse/sst.
    expectRelative(1 - m.r2, 1 - r.r2, `${label} 1 − r2 of epoch ${i + 1}`);
    // mae needs every residual: the statistics path leaves it out rather than estimate it.
    expect(m).not.toHaveProperty('mae');
    expect(r.mae).toBeGreaterThan(0);
  });
  expect(fast.result.bestEpoch).toBe(rows.result.bestEpoch);
  expect(fast.result.stoppedEarly).toBe(rows.result.stoppedEarly);
  // The exported model's metrics come from a pass over the rows on both paths, mae included.
  const fm = fast.result.metrics as RegressionMetrics;
  const rm = rows.result.metrics as RegressionMetrics;
  expectRelative(fm.mae, rm.mae, `${label} final mae`);
  expectRelative(fm.mse, rm.mse, `${label} final mse`);
}

describe('full-batch linear regression from sufficient statistics', () => {
  it.each([
    ['Adam, categorical feature, no validation split', { epochs: 40, validationSplit: 0 }],
    [
      'SGD with momentum, L2, validation split, cosine schedule',
      {
        epochs: 40,
        optimizer: 'sgd',
        momentum: 0.9,
        learningRate: 0.05,
        l2: 0.3,
        validationSplit: 0.25,
      },
    ],
    [
      'plain SGD, constant rate, validation split',
      {
        epochs: 30,
        optimizer: 'sgd',
        learningRate: 0.1,
        learningRateSchedule: 'constant',
        validationSplit: 0.2,
      },
    ],
    [
      'Adam, L2, early stopping on the validation loss',
      { epochs: 300, learningRate: 0.2, l2: 0.01, validationSplit: 0.3, earlyStoppingPatience: 3 },
    ],
  ])('%s: same weights and losses as the per-row path', (label, hp) => {
    const fast = run(job(hp), true);
    const rows = run(job(hp), false);
    expectSameRun(fast, rows, label);
    // Not trivially equal to a trainer that does nothing.
    const losses = fast.epochs.map((e) => e.loss);
    expect(losses[losses.length - 1]).toBeLessThan((losses[0] as number) / 2);
  });

  it('stops early at the same epoch as the per-row path', () => {
    const hp = {
      epochs: 300,
      learningRate: 0.2,
      l2: 0.01,
      validationSplit: 0.3,
      earlyStoppingPatience: 3,
    };
    const fast = run(job(hp), true);
    expect(fast.result.stoppedEarly).toBe(true);
    expect(fast.epochs.length).toBeLessThan(300);
  });

  it('keeps its precision near a good fit on features near 1000, unstandardised (shifted statistics)', () => {
    // Start at the generating coefficients: the squared error (~0.09 a row) is 1e-7 of the
    // unshifted Gram matrix's terms (~4e6 a row), where an unshifted vᵀGv would lose 1e-9.
    const dataset = data(1003, 4, 1000);
    const hp = {
      epochs: 25,
      optimizer: 'sgd',
      learningRate: 1e-7,
      learningRateSchedule: 'constant',
      standardize: false,
      validationSplit: 0.2,
    };
    const template = new GradientTrainer(job({ ...hp, epochs: 1 }, dataset)).state();
    expect(template.features.map((f) => [f.offset, f.scale])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    const fitted = {
      ...template,
      layers: [{ inputs: 5, outputs: 1, weights: [2, -1, 0.5, -1, 2], bias: [10 - 1000] }],
    };
    const update = { ...job(hp, dataset), warmStart: fitted };
    const fast = run(update, true);
    expectSameRun(fast, run(update, false), 'offset 1000');
    expect(fast.epochs[0]?.loss).toBeLessThan(0.1);
  });

  it('reads the rows only to build the statistics: no pass per epoch', () => {
    const trainer = new GradientTrainer(job({ epochs: 20, validationSplit: 0.2 }));
    expect(trainer.usesStatistics).toBe(true);
    expect(trainer.rowsRead).toBe(0);
    trainer.runEpoch();
    // Two passes (means, then Gram matrix and sums) over the training and the validation rows.
    expect(trainer.rowsRead).toBe(2 * 1003);
    while (!trainer.done) trainer.runEpoch();
    expect(trainer.rowsRead).toBe(2 * 1003);

    const rows = new GradientTrainer(job({ epochs: 20, validationSplit: 0.2 }), {
      sufficientStatistics: false,
    });
    while (!rows.done) rows.runEpoch();
    expect(rows.rowsRead).toBe(20 * 1003);
  });

  it('takes the per-row path for mini-batches and other algorithms', () => {
    expect(new GradientTrainer(job({ batchSize: 64 })).usesStatistics).toBe(false);
    // batchSize ≥ the training rows (1003 less the 20% validation split: 803) is full batch.
    expect(new GradientTrainer(job({ batchSize: 802 })).usesStatistics).toBe(false);
    expect(new GradientTrainer(job({ batchSize: 803 })).usesStatistics).toBe(true);
    expect(
      new GradientTrainer({ ...job({ hiddenLayers: [4] }), algorithm: 'MLP' }).usesStatistics,
    ).toBe(false);
    // Few epochs on a wide design: building the statistics would cost more than the epochs.
    expect(new GradientTrainer(job({ epochs: 1 })).usesStatistics).toBe(false);
  });

  it('resumes from a checkpoint exactly as an uninterrupted run (statistics rebuilt, not stored)', () => {
    const hp = { epochs: 10, l2: 0.05, validationSplit: 0.2, earlyStoppingPatience: 50 };
    const whole = run(job(hp), true);
    const first = new GradientTrainer(job(hp));
    const before = [first.runEpoch(), first.runEpoch(), first.runEpoch(), first.runEpoch()];
    const saved = JSON.parse(JSON.stringify(first.checkpoint())) as ReturnType<
      GradientTrainer['checkpoint']
    >;
    // The checkpoint has exactly the per-row path's keys: nothing derived from the data.
    const rowsCheckpoint = new GradientTrainer(job(hp), { sufficientStatistics: false });
    expect(Object.keys(saved).sort()).toEqual(Object.keys(rowsCheckpoint.checkpoint()).sort());
    expect(JSON.stringify(saved).length).toBeLessThan(20_000);

    const resumed = new GradientTrainer({ ...job(hp), checkpoint: saved });
    expect(resumed.usesStatistics).toBe(true);
    const after = [...resumed.epochs()];
    expect(resumed.rowsRead).toBe(2 * 1003);
    expect(resumed.checkpoint().params).toEqual(whole.params);
    expect([...before, ...after].map((e) => [e.loss, e.validationLoss])).toEqual(
      whole.epochs.map((e) => [e.loss, e.validationLoss]),
    );
  });

  it('warm-starts from a parent model as the per-row path does', () => {
    const parent = run(job({ epochs: 200, learningRate: 0.1, validationSplit: 0 }), true).result
      .state;
    const update = {
      ...job({ epochs: 20, validationSplit: 0.2 }, data(907, 2)),
      warmStart: parent,
    };
    const fast = run(update, true);
    const rows = run(update, false);
    expectSameRun(fast, rows, 'warm start');
    // It starts from the parent's fit, not from zero.
    const cold = run(job({ epochs: 20, validationSplit: 0.2 }, data(907, 2)), true);
    expect(fast.epochs[0]?.loss).toBeLessThan((cold.epochs[0]?.loss as number) / 10);
  });
});
