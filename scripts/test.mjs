#!/usr/bin/env node
// `npm test`: build every package (Turborepo caches what did not change), then run the one root
// vitest config. Extra arguments go to vitest (`npm test -- packages/db`); exits with its code.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) {
    console.error(`Could not run ${command}: ${result.error.message}`);
    return 1;
  }
  // Killed by a signal (Ctrl-C): report failure the way shells do.
  if (result.status === null) return 128 + (result.signal === 'SIGINT' ? 2 : 15);
  return result.status;
}

const build = run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
if (build !== 0) {
  console.error('Build failed; not running the tests.');
  process.exit(build);
}
process.exit(run('npx', ['vitest', 'run', ...process.argv.slice(2)]));
