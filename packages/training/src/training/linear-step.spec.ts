import type { RegressionMetrics } from '../model/model.types';
import { SeededRandom } from '../model/random';
import { GradientTrainer } from './trainer';

// Linear regression trains through Network.squaredErrorStep (one pass per chunk), not the general
// forward/metrics/backward path, and full batch from sufficient statistics (no pass per epoch).
// These tests replay plain SGD row by row, with the trainer's own shuffle, and expect the same
// weights, epoch losses and metrics.

const ROWS = 603; // not a multiple of the chunk (256) nor of 4
const FEATURES = 5;

function data(): { X: Float64Array[]; y: Float64Array } {
  const random = new SeededRandom(11);
  const X = Array.from({ length: FEATURES }, () => new Float64Array(ROWS));
  const y = new Float64Array(ROWS);
  for (let r = 0; r < ROWS; r++) {
    let target = 0.3;
    for (let j = 0; j < FEATURES; j++) {
      // float32 values: the trainer feeds features as the exported model's FP32 input sees them.
      const x = Math.fround(random.nextNormal() + j);
      (X[j] as Float64Array)[r] = x;
      target += (j - 2) * 0.7 * x;
    }
    y[r] = target + 0.2 * random.nextNormal();
  }
  return { X, y };
}

/** Plain SGD on squared error, as documented: batch mean gradient, loss measured before each step. */
function replay(batchSize: number, shuffle: boolean, epochs: number, learningRate: number) {
  const { X, y } = data();
  const w = new Float64Array(FEATURES);
  let b = 0;
  const random = new SeededRandom(42, 3);
  const order = new Int32Array(ROWS);
  const losses: number[] = [];
  let last = { sse: 0, abs: 0 };
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < ROWS; i++) order[i] = i;
    if (shuffle && batchSize < ROWS) random.shuffle(order);
    let sse = 0;
    let abs = 0;
    for (let start = 0; start < ROWS; start += batchSize) {
      const end = Math.min(start + batchSize, ROWS);
      const gw = new Float64Array(FEATURES);
      let gb = 0;
      for (let k = start; k < end; k++) {
        const r = order[k] as number;
        let z = b;
        for (let j = 0; j < FEATURES; j++)
          z += (w[j] as number) * ((X[j] as Float64Array)[r] as number);
        const e = z - (y[r] as number);
        sse += e * e;
        abs += Math.abs(e);
        const g = (2 * e) / (end - start);
        for (let j = 0; j < FEATURES; j++)
          gw[j] = (gw[j] as number) + g * ((X[j] as Float64Array)[r] as number);
        gb += g;
      }
      for (let j = 0; j < FEATURES; j++) w[j] = (w[j] as number) - learningRate * (gw[j] as number);
      b -= learningRate * gb;
    }
    losses.push(sse / ROWS);
    last = { sse, abs };
  }
  const mean = y.reduce((s, v) => s + v, 0) / ROWS;
  const sst = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return {
    params: [...w, b],
    losses,
    metrics: { mse: last.sse / ROWS, mae: last.abs / ROWS, r2: 1 - last.sse / sst },
  };
}

function train(
  batchSize: number,
  shuffle: boolean,
  epochs: number,
  learningRate: number,
  sufficientStatistics: boolean,
) {
  const { X, y } = data();
  const trainer = new GradientTrainer(
    {
      algorithm: 'LINEAR_REGRESSION',
      dataset: {
        rowCount: ROWS,
        columns: [
          ...X.map((values, j) => ({ name: `x${j}`, type: 'numeric' as const, values })),
          { name: 'y', type: 'numeric' as const, values: y },
        ],
      },
      target: 'y',
      hyperparameters: {
        epochs,
        batchSize,
        shuffle,
        learningRate,
        optimizer: 'sgd',
        learningRateSchedule: 'constant',
        validationSplit: 0,
        standardize: false,
      },
    },
    { sufficientStatistics },
  );
  const results = [...trainer.epochs()];
  return {
    usesStatistics: trainer.usesStatistics,
    params: trainer.checkpoint().params,
    losses: results.map((r) => r.loss),
    metrics: results[results.length - 1]?.metrics as RegressionMetrics,
  };
}

describe('linear regression one-pass training step', () => {
  it.each([
    ['full batch, sufficient statistics', 100_000, false, 0.02, true],
    ['full batch, per-row path', 100_000, false, 0.02, false],
    ['mini-batches in place', 50, false, 0.005, true],
    ['shuffled mini-batches', 50, true, 0.005, true],
    ['shuffled batches of one row', 1, true, 0.001, true],
  ])('%s: same weights, losses and metrics as plain SGD', (name, batchSize, shuffle, lr, stats) => {
    const epochs = batchSize === 1 ? 2 : 6;
    const ours = train(batchSize, shuffle, epochs, lr, stats);
    expect(ours.usesStatistics).toBe(name === 'full batch, sufficient statistics');
    const plain = replay(batchSize, shuffle, epochs, lr);
    expect(ours.params).toHaveLength(FEATURES + 1);
    ours.params.forEach((p, i) => expect(p).toBeCloseTo(plain.params[i] as number, 11));
    ours.losses.forEach((l, i) => expect(l).toBeCloseTo(plain.losses[i] as number, 10));
    // Losses fall: the replay is not trivially equal to a trainer that does nothing.
    expect(plain.losses[plain.losses.length - 1]).toBeLessThan((plain.losses[0] as number) / 2);
    expect(ours.metrics.mse).toBeCloseTo(plain.metrics.mse, 10);
    // Sufficient statistics give no mae (it needs every residual): the epoch leaves it out.
    if (ours.usesStatistics) expect(ours.metrics).not.toHaveProperty('mae');
    else expect(ours.metrics.mae).toBeCloseTo(plain.metrics.mae, 10);
    expect(ours.metrics.r2).toBeCloseTo(plain.metrics.r2, 10);
  });
});
