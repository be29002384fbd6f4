// The two training workloads of issue 4, item 8, shared by training.bench.mjs (our side alone),
// compare.bench.mjs (our side vs NumPy and PyTorch) and run-ours.mjs (one timed run).
// Data are generated deterministically with a seeded RNG, then written once to a raw
// little-endian float64 file (column-major: feature 0 … feature F-1, then the target) that every
// implementation loads before its clock starts.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const { seededRandom } = createRequire(import.meta.url)('@maas/testing');

/** rows × features uniform in [0,1), target = x·w + 0.5 + noise uniform in ±0.05. */
export function regressionData(rows, features, seed) {
  const next = seededRandom(seed);
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
  return toDataset(rows, columns, target);
}

/** Same features, with a non-linear target for the MLP: y = sin(x·w) + 0.5·x0². */
export function nonlinearData(rows, features, seed) {
  const data = regressionData(rows, features, seed);
  const y = data.columns[features].values;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let j = 0; j < features; j++) dot += data.columns[j].values[r] * (j % 3 === 0 ? 1 : -0.5);
    y[r] = Math.sin(dot) + 0.5 * data.columns[0].values[r] ** 2;
  }
  return data;
}

function toDataset(rows, columns, target) {
  return {
    rowCount: rows,
    columns: [
      ...columns.map((values, j) => ({ name: `x${j}`, type: 'numeric', values })),
      { name: 'y', type: 'numeric', values: target },
    ],
  };
}

/**
 * The workloads. `hyperparameters` are ours (validated by resolveHyperparameters); the reference
 * implementations read the same values from `reference`.
 */
export const WORKLOADS = {
  linear: {
    title: 'Linear regression, full-batch gradient descent, 1,000,000 × 10, 50 epochs',
    rows: 1_000_000,
    features: 10,
    make: () => regressionData(1_000_000, 10, 1),
    hyperparameters: {
      epochs: 50,
      optimizer: 'sgd',
      learningRate: 0.1,
      learningRateSchedule: 'constant',
      batchSize: 1_000_000,
      validationSplit: 0,
      shuffle: false,
      standardize: false,
    },
  },
  mlp: {
    title: 'MLP 20→64→64→1 (ReLU), Adam, batch 64, 100,000 rows, 5 epochs',
    rows: 100_000,
    features: 20,
    make: () => nonlinearData(100_000, 20, 2),
    hyperparameters: {
      epochs: 5,
      hiddenLayers: [64, 64],
      optimizer: 'adam',
      learningRate: 0.001,
      learningRateSchedule: 'constant',
      beta1: 0.9,
      beta2: 0.999,
      batchSize: 64,
      validationSplit: 0,
      shuffle: true,
      standardize: false,
      seed: 42,
    },
  },
};

/** Writes a dataset's columns (all Float64Array) to one raw little-endian float64 file. */
export function writeColumns(file, dataset) {
  const fd = fs.openSync(file, 'w');
  try {
    for (const column of dataset.columns) {
      const v = column.values;
      fs.writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a file written by {@link writeColumns} back into a dataset (x0…x{F-1}, y) of views. */
export function readColumns(file, rows, features) {
  const bytes = fs.readFileSync(file);
  if (bytes.byteLength !== rows * (features + 1) * 8)
    throw new Error(
      `${file}: expected ${rows * (features + 1) * 8} bytes, got ${bytes.byteLength}`,
    );
  // readFileSync's buffer may sit at an unaligned offset of a pooled slab: copy once if so.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(bytes);
  const all = new Float64Array(aligned.buffer, aligned.byteOffset, rows * (features + 1));
  const columns = Array.from({ length: features }, (_, j) =>
    all.subarray(j * rows, (j + 1) * rows),
  );
  return toDataset(rows, columns, all.subarray(features * rows));
}
