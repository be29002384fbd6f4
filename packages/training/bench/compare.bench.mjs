// Training benchmark, side by side in one run (issue 4, item 8): our trainer vs NumPy running the
// same algorithm, and vs PyTorch for the MLP. Run after a build of @maas/training:
//   node packages/training/bench/compare.bench.mjs [--runs 5] [--budget 270] [--no-openblas] [--json]
// Markdown table on stdout (or JSON with --json), progress on stderr. Each measurement is its own
// process (data loading and setup untimed), rounds interleave the implementations, and the table
// reports medians. See BENCHMARKS.md for what each row runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PYTHON,
  debianVersions,
  ensurePythonPackages,
  privateOpenBlas,
  pythonEnv,
  pythonVersions,
} from './python-env.mjs';
import { WORKLOADS, writeColumns } from './workloads.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const RUNS = option('--runs', 5);
const BUDGET_S = option('--budget', 270);
const JSON_OUT = args.includes('--json');
const log = (...parts) => console.error(...parts);

const distIndex = path.join(here, '..', 'dist', 'index.js');
if (!fs.existsSync(distIndex)) {
  console.error(
    `${distIndex} is missing: build first (npx turbo run build --filter=@maas/training)`,
  );
  process.exit(1);
}
const { createTrainer } = createRequire(import.meta.url)(distIndex);

const started = Date.now();
const loadAverages = [os.loadavg()];

// --- Python side: Debian packages, and OpenBLAS as a second BLAS --------------------------------
const blocked = ensurePythonPackages(log);
const configs = [{ key: 'default', libraryPath: undefined }];
const defaultVersions = blocked.numpy ? null : pythonVersions();
let openBlasNote = null;
if (!args.includes('--no-openblas') && defaultVersions) {
  if (defaultVersions.blas.some((b) => /openblas/i.test(b)))
    openBlasNote = 'the default BLAS is already OpenBLAS';
  else {
    const openBlas = privateOpenBlas(log);
    if (openBlas.libraryPath) configs.push({ key: 'openblas', libraryPath: openBlas.libraryPath });
    else openBlasNote = openBlas.skipped;
  }
}
for (const c of configs)
  c.versions = c.key === 'default' ? defaultVersions : pythonVersions(c.libraryPath);
const blasName = (c) => {
  const files = c.versions?.blas ?? [];
  const openblas = files.find((f) => /openblas/i.test(f));
  if (openblas) {
    const version = files.map((f) => /openblas\w*-r(\d+\.\d+\.\d+)/i.exec(f)?.[1]).find(Boolean);
    return `OpenBLAS${version ? ` ${version}` : ''}`;
  }
  const netlib = files.find((f) => /\/blas\/libblas\.so/.test(f));
  if (netlib)
    return `reference BLAS${/libblas\.so\.(\d+\.\d+\.\d+)/.exec(netlib) ? ` ${/libblas\.so\.(\d+\.\d+\.\d+)/.exec(netlib)[1]}` : ''} (Debian default)`;
  return files.length ? path.basename(files[0]) : '?';
};

// --- Data: generated once, written once -------------------------------------------------------
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maas-training-bench-'));
const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const files = {};
for (const [name, workload] of Object.entries(WORKLOADS)) {
  log(
    `generating ${name}: ${workload.rows.toLocaleString('en-US')} rows × ${workload.features} features`,
  );
  const data = workload.make();
  files[name] = path.join(dataDir, `${name}.f64`);
  writeColumns(files[name], data);
  if (name === 'mlp') {
    // Our initial weights (He init, seed 42), so every MLP starts from the same point.
    const trainer = createTrainer({
      algorithm: 'MLP',
      dataset: data,
      target: 'y',
      hyperparameters: workload.hyperparameters,
    });
    const params = Float64Array.from(trainer.checkpoint().params);
    files.init = path.join(dataDir, 'mlp-init.f64');
    fs.writeFileSync(files.init, new Uint8Array(params.buffer));
  }
}

// --- Rows of the table -------------------------------------------------------------------------
function referenceConfig(workload, impl, dtype) {
  const w = WORKLOADS[workload];
  const hp = w.hyperparameters;
  return {
    impl,
    workload,
    dtype,
    data: files[workload],
    rows: w.rows,
    features: w.features,
    epochs: hp.epochs,
    learningRate: hp.learningRate,
    batchSize: hp.batchSize,
    hidden: hp.hiddenLayers,
    init: files.init,
    beta1: hp.beta1,
    beta2: hp.beta2,
    seed: hp.seed,
    threads: 1,
  };
}

const rows = [];
const addRow = (row) => rows.push({ ...row, runs: [] });
addRow({
  workload: 'linear',
  label: 'ours (@maas/training, Node)',
  blas: '—',
  dtype: 'float64',
  ours: true,
  command: [process.execPath, [path.join(here, 'run-ours.mjs'), 'linear', files.linear]],
});
for (const c of configs) {
  addRow({
    workload: 'linear',
    label: 'NumPy',
    blas: blasName(c),
    dtype: 'float64',
    reference: c.key === 'default',
    blocked: blocked.numpy,
    python: c,
    config: referenceConfig('linear', 'numpy', 'float64'),
  });
}
addRow({
  workload: 'mlp',
  label: 'ours (@maas/training, Node)',
  blas: '—',
  dtype: 'float64',
  ours: true,
  command: [process.execPath, [path.join(here, 'run-ours.mjs'), 'mlp', files.mlp]],
});
for (const c of configs) {
  addRow({
    workload: 'mlp',
    label: 'PyTorch',
    blas: blasName(c),
    dtype: 'float32',
    reference: c.key === 'default',
    blocked: blocked.torch ?? blocked.numpy,
    python: c,
    config: referenceConfig('mlp', 'torch', 'float32'),
  });
}
for (const c of configs) {
  addRow({
    workload: 'mlp',
    label: 'NumPy',
    blas: blasName(c),
    dtype: 'float64',
    numpyRef: c.key === 'default',
    blocked: blocked.numpy,
    python: c,
    config: referenceConfig('mlp', 'numpy', 'float64'),
  });
}

function measure(row) {
  const [command, commandArgs] = row.command ?? [
    PYTHON,
    ['-E', '-s', '-B', path.join(here, 'reference.py'), JSON.stringify(row.config)],
  ];
  const result = spawnSync(command, commandArgs, {
    encoding: 'utf8',
    env: row.python ? pythonEnv(row.python.libraryPath) : process.env,
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) {
    row.error = `${command} exited with ${result.status}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ')}`;
    return;
  }
  row.runs.push(JSON.parse(result.stdout.trim().split('\n').pop()));
}

// Rounds: every row once per round, the order rotated each round so that drifting load spreads
// evenly; a new round starts only if the last one fits in what is left of the time budget.
const active = rows.filter((r) => !r.blocked);
let lastRound = 0;
for (let round = 0; round < RUNS; round++) {
  const elapsed = (Date.now() - started) / 1000;
  if (round > 0 && elapsed + lastRound > BUDGET_S) {
    log(`stopping after ${round} rounds: another would pass the ${BUDGET_S} s budget`);
    break;
  }
  const roundStart = Date.now();
  const order = active.map((_, i) => active[(i + round) % active.length]);
  for (const row of order) {
    if (row.error) continue;
    log(`round ${round + 1}/${RUNS}: ${row.workload} ${row.label} ${row.blas} …`);
    measure(row);
    loadAverages.push(os.loadavg());
  }
  lastRound = (Date.now() - roundStart) / 1000;
}

// --- Results -----------------------------------------------------------------------------------
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
for (const row of rows) {
  if (row.runs.length === 0) continue;
  const w = WORKLOADS[row.workload];
  row.seconds = median(row.runs.map((r) => r.seconds));
  row.cpuSeconds = median(row.runs.map((r) => r.cpuSeconds));
  row.rowsPerSecond = (w.rows * w.hyperparameters.epochs) / row.seconds;
  row.finalLoss = row.runs[0].finalLoss;
}
const find = (workload, predicate) =>
  rows.find((r) => r.workload === workload && predicate(r) && r.seconds);
for (const row of rows) {
  const reference = find(row.workload, (r) => r.reference);
  const numpy = find(row.workload, (r) => r.numpyRef);
  if (row.seconds && reference) row.vsReference = row.seconds / reference.seconds;
  if (row.seconds && numpy) row.vsNumpy = row.seconds / numpy.seconds;
}

const totalSeconds = (Date.now() - started) / 1000;
const cpu = os.cpus();
const machine = {
  cpu: cpu[0]?.model ?? '?',
  cores: cpu.length,
  node: process.version,
  python: defaultVersions?.python ?? null,
  numpy: defaultVersions?.numpy ?? null,
  torch: defaultVersions?.torch ?? null,
  debian: debianVersions(['python3-numpy', 'python3-torch', 'libblas3']),
  blas: configs.map((c) => `${c.key}: ${c.versions?.blas?.join(', ') ?? '?'}`),
  openBlasNote,
};
const load = {
  start: loadAverages[0],
  end: loadAverages[loadAverages.length - 1],
  max1m: Math.max(...loadAverages.map((l) => l[0])),
};

if (JSON_OUT) {
  const strip = ({ command: _c, config: _f, python: _p, ...row }) => row;
  console.log(JSON.stringify({ machine, load, totalSeconds, rows: rows.map(strip) }));
} else {
  printMarkdown();
}

function printMarkdown() {
  const fmt = (v, digits = 2) => (v === undefined ? '—' : v.toFixed(digits));
  const loadText = (l) => l.map((v) => v.toFixed(2)).join(' / ');
  const out = [];
  const started = new Date(Date.now() - totalSeconds * 1000)
    .toISOString()
    .slice(0, 16)
    .replace('T', ' ');
  out.push(
    `Measured ${started} UTC in ${totalSeconds.toFixed(0)} s: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ` +
      `Python ${machine.python ?? '—'}, NumPy ${machine.numpy ?? '—'} (python3-numpy ${machine.debian['python3-numpy'] ?? '—'}), ` +
      `PyTorch ${machine.torch ?? '—'} (python3-torch ${machine.debian['python3-torch'] ?? '—'}). One thread everywhere.`,
  );
  out.push(
    `Load average (1/5/15 min): ${loadText(load.start)} at the start, ${loadText(load.end)} at the end, 1-min peak ${load.max1m.toFixed(2)}.`,
  );
  out.push('');
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    const reference = name === 'linear' ? 'NumPy' : 'PyTorch';
    out.push(
      `**${workload.title}** (× ref: time ÷ ${reference} with the default BLAS${name === 'mlp' ? '; × NumPy: time ÷ NumPy with the default BLAS' : ''})`,
    );
    out.push('');
    out.push(
      `| implementation | BLAS | dtype | train s (median) | runs (s) | CPU s | rows/s | final loss (MSE) | × ref |${name === 'mlp' ? ' × NumPy |' : ''}`,
    );
    out.push(
      `| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |${name === 'mlp' ? ' ---: |' : ''}`,
    );
    for (const row of rows.filter((r) => r.workload === name)) {
      const status = row.blocked ?? row.error;
      const label = `${row.label}${row.reference || row.numpyRef ? ' (ref)' : ''}`;
      if (!row.seconds) {
        out.push(
          `| ${label} | ${row.blas} | ${row.dtype} | ${status ?? 'not run'} | | | | | |${name === 'mlp' ? ' |' : ''}`,
        );
        continue;
      }
      out.push(
        `| ${label} | ${row.blas} | ${row.dtype} | ${fmt(row.seconds)} | ${row.runs.map((r) => r.seconds.toFixed(2)).join(', ')} | ${fmt(row.cpuSeconds)} | ` +
          `${Math.round(row.rowsPerSecond).toLocaleString('en-US')} | ${row.finalLoss.toPrecision(6)} | ${fmt(row.vsReference)} |${name === 'mlp' ? ` ${fmt(row.vsNumpy)} |` : ''}`,
      );
    }
    out.push('');
  }
  out.push('Targets (ours ÷ reference, lower is faster):');
  const ours = (w) => find(w, (r) => r.ours);
  const targets = [
    ['linear', 'NumPy', 1],
    ['mlp', 'PyTorch', 2],
    ['mlp', 'NumPy', null],
  ];
  for (const [workload, label, limit] of targets) {
    for (const row of rows.filter(
      (r) => r.workload === workload && r.label === label && r.seconds,
    )) {
      const o = ours(workload);
      if (!o) continue;
      const ratio = o.seconds / row.seconds;
      const verdict =
        limit === null ? '' : ratio <= limit ? ` ≤ ${limit}: met` : ` > ${limit}: missed`;
      out.push(
        `- ${workload === 'linear' ? 'linear' : 'MLP'} vs ${label} (${row.blas}): ${ratio.toFixed(2)}${verdict}`,
      );
    }
  }
  if (openBlasNote) out.push(`- OpenBLAS rows skipped: ${openBlasNote}`);
  out.push('');
  out.push(
    'Not timed: reading the data file, and for ours createTrainer (validation, float32 design matrix): ' +
      rows
        .filter((r) => r.ours && r.runs.length)
        .map((r) => `${r.workload} ${median(r.runs.map((x) => x.setupSeconds)).toFixed(2)} s`)
        .join(', ') +
      ' (median).',
  );
  out.push(
    `Command: \`node packages/training/bench/compare.bench.mjs${args.length ? ' ' + args.join(' ') : ''}\` (${rows.reduce((m, r) => Math.max(m, r.runs.length), 0)} rounds).`,
  );
  console.log(out.join('\n'));
}
