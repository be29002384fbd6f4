// One timed run of our trainer on a workload's data file, in its own process (as each Python run
// is), printing one JSON line. Used by compare.bench.mjs:
//   node packages/training/bench/run-ours.mjs <linear|mlp> <data.f64>
// The clock covers the epochs only: reading the file and createTrainer (validation, design matrix)
// are reported apart as loadSeconds and setupSeconds.
import { createRequire } from 'node:module';
import { WORKLOADS, readColumns } from './workloads.mjs';

const require = createRequire(import.meta.url);
// MAAS_TRAINING_DIST points at another build of the package (to compare two versions of the trainer).
const { createTrainer } = require(process.env.MAAS_TRAINING_DIST ?? '../dist/index.js');

const [name, file] = process.argv.slice(2);
const workload = WORKLOADS[name];
if (!workload || !file) {
  console.error('usage: node run-ours.mjs <linear|mlp> <data.f64>');
  process.exit(2);
}

const loadStart = process.hrtime.bigint();
const dataset = readColumns(file, workload.rows, workload.features);
const setupStart = process.hrtime.bigint();
const trainer = createTrainer({
  algorithm: name === 'linear' ? 'LINEAR_REGRESSION' : 'MLP',
  dataset,
  target: 'y',
  hyperparameters: workload.hyperparameters,
});
const cpuStart = process.cpuUsage();
const trainStart = process.hrtime.bigint();
const losses = [];
for (const epoch of trainer.epochs()) losses.push(epoch.loss);
const end = process.hrtime.bigint();
const cpu = process.cpuUsage(cpuStart);

console.log(
  JSON.stringify({
    seconds: Number(end - trainStart) / 1e9,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    loadSeconds: Number(setupStart - loadStart) / 1e9,
    setupSeconds: Number(trainStart - setupStart) / 1e9,
    epochs: losses.length,
    finalLoss: losses[losses.length - 1],
    losses,
  }),
);
