// Training benchmark, our side alone: seconds, rows/s and final loss of the two workloads of
// issue 4, in this process. compare.bench.mjs runs them side by side with NumPy and PyTorch.
// Run after a build:
//   node packages/training/bench/training.bench.mjs [--json]
import { createRequire } from 'node:module';
import { WORKLOADS } from './workloads.mjs';

const require = createRequire(import.meta.url);
const { createTrainer } = require('../dist/index.js');

function run(name, workload) {
  const data = workload.make();
  const setupStart = process.hrtime.bigint();
  const trainer = createTrainer({
    algorithm: name === 'linear' ? 'LINEAR_REGRESSION' : 'MLP',
    dataset: data,
    target: 'y',
    hyperparameters: workload.hyperparameters,
  });
  const trainStart = process.hrtime.bigint();
  let last;
  for (const epoch of trainer.epochs()) last = epoch;
  const end = process.hrtime.bigint();
  const seconds = Number(end - trainStart) / 1e9;
  return {
    name: workload.title,
    rows: data.rowCount,
    epochs: last.epoch,
    setupSeconds: Number(trainStart - setupStart) / 1e9,
    seconds,
    rowsPerSecond: (data.rowCount * last.epoch) / seconds,
    finalLoss: last.loss,
  };
}

const results = Object.entries(WORKLOADS).map(([name, workload]) => run(name, workload));

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
