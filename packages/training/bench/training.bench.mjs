// Training benchmark, our side: seconds, rows/s and final loss of the two workloads that
// issue 4 compares against NumPy and PyTorch. Run after a build:
//   node packages/training/bench/training.bench.mjs [--json]
// Data are generated deterministically (same generator and sizes as the reference scripts).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createTrainer } = require('../dist/index.js');

/** mulberry32: small, seedable; the Python side reproduces the same sizes, not the same numbers. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** rows × features uniform in [0,1), target = x·w + 0.5 + noise(0.1). */
function regressionData(rows, features, seed) {
  const next = random(seed);
  const columns = Array.from({ length: features }, () => new Float64Array(rows));
  const target = new Float64Array(rows);
  const weights = Array.from({ length: features }, (_, j) => (j % 2 ? -1 : 1) * (1 + j / features));
  for (let r = 0; r < rows; r++) {
    let y = 0.5;
    for (let j = 0; j < features; j++) {
      const x = next();
      columns[j][r] = x;
      y += weights[j] * x;
    }
    target[r] = y + 0.1 * (next() - 0.5);
  }
  return {
    rowCount: rows,
    columns: [
      ...columns.map((values, j) => ({ name: `x${j}`, type: 'numeric', values })),
      { name: 'y', type: 'numeric', values: target },
    ],
  };
}

/** Same, with a non-linear target for the MLP: y = sin(x·w) + 0.5·x0². */
function nonlinearData(rows, features, seed) {
  const data = regressionData(rows, features, seed);
  const y = data.columns[features].values;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let j = 0; j < features; j++) dot += data.columns[j].values[r] * (j % 3 === 0 ? 1 : -0.5);
    y[r] = Math.sin(dot) + 0.5 * data.columns[0].values[r] ** 2;
  }
  return data;
}

function run(name, data, algorithm, hyperparameters) {
  const setupStart = process.hrtime.bigint();
  const trainer = createTrainer({ algorithm, dataset: data, target: 'y', hyperparameters });
  const trainStart = process.hrtime.bigint();
  let last;
  for (const epoch of trainer.epochs()) last = epoch;
  const end = process.hrtime.bigint();
  const seconds = Number(end - trainStart) / 1e9;
  return {
    name,
    rows: data.rowCount,
    epochs: last.epoch,
    setupSeconds: Number(trainStart - setupStart) / 1e9,
    seconds,
    rowsPerSecond: (data.rowCount * last.epoch) / seconds,
    finalLoss: last.loss,
  };
}

const results = [
  run(
    'linear GD 1,000,000×10, 50 epochs (full batch)',
    regressionData(1_000_000, 10, 1),
    'LINEAR_REGRESSION',
    {
      epochs: 50,
      optimizer: 'sgd',
      learningRate: 0.1,
      learningRateSchedule: 'constant',
      batchSize: 1_000_000,
      validationSplit: 0,
      shuffle: false,
      standardize: false,
    },
  ),
  run(
    'MLP 20→64→64→1, 100,000 rows, Adam, 5 epochs (batch 64)',
    nonlinearData(100_000, 20, 2),
    'MLP',
    {
      epochs: 5,
      hiddenLayers: [64, 64],
      optimizer: 'adam',
      learningRate: 0.001,
      learningRateSchedule: 'constant',
      batchSize: 64,
      validationSplit: 0,
      standardize: false,
    },
  ),
];

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results));
} else {
  console.log('| workload | setup s | train s | rows/s | final loss |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.setupSeconds.toFixed(2)} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${r.finalLoss.toPrecision(5)} |`,
    );
  }
}
