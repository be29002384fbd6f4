// `npm run bench` (after its build step): every benchmark, one after another, each printing its
// own table. First `npm run bench:inference` and `bench:inference:cnn` (the serving benchmark on
// the MLP and on the compute-bound CNN), then every other
// `packages/*/bench/*.bench.mjs` and `apps/*/bench/*.bench.mjs`. A failing benchmark is reported
// and the rest still run; the exit code says whether all succeeded.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Run by bench:inference already.
const SERVING = path.join('apps', 'api', 'bench', 'serving.bench.mjs');

function benchScripts() {
  const found = [];
  for (const group of ['packages', 'apps']) {
    for (const pkg of readdirSync(path.join(root, group)).sort()) {
      const dir = path.join(group, pkg, 'bench');
      if (!existsSync(path.join(root, dir))) continue;
      for (const file of readdirSync(path.join(root, dir)).sort()) {
        const script = path.join(dir, file);
        if (file.endsWith('.bench.mjs') && script !== SERVING) found.push(script);
      }
    }
  }
  return found;
}

const runs = [
  {
    name: 'bench:inference',
    command: process.platform === 'win32' ? 'npm.cmd' : 'npm',
    args: ['run', '--silent', 'bench:inference'],
  },
  {
    name: 'bench:inference:cnn',
    command: process.platform === 'win32' ? 'npm.cmd' : 'npm',
    args: ['run', '--silent', 'bench:inference:cnn'],
  },
  ...benchScripts().map((script) => ({ name: script, command: process.execPath, args: [script] })),
];
const failed = [];
for (const run of runs) {
  console.log(`\n## ${run.name}\n`);
  const started = Date.now();
  const result = spawnSync(run.command, run.args, { cwd: root, stdio: 'inherit' });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (result.status !== 0) {
    failed.push(run.name);
    console.error(`${run.name} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
  } else {
    console.error(`${run.name}: ${seconds} s`);
  }
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
