#!/usr/bin/env node
// `npm test`: build every package (Turborepo caches what did not change), run the one root vitest
// config (unit and integration tiers), then the console's component tests and its end-to-end tests
// in Debian's Chromium. Extra arguments go to vitest alone (`npm test -- packages/db`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1' };
const CHROMIUM = '/usr/bin/chromium';

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
const extra = process.argv.slice(2);
const failures = [];
if (run('npx', ['vitest', 'run', ...extra]) !== 0) failures.push('unit and integration tests');
// With arguments (`npm test -- apps/api`) only the selected vitest files run.
if (extra.length === 0) {
  if (run('npm', ['test', '--silent', '-w', '@maas/console']) !== 0)
    failures.push('console component tests');
  if (existsSync(CHROMIUM)) {
    if (run('npm', ['run', '--silent', 'e2e', '-w', '@maas/console']) !== 0)
      failures.push('console end-to-end tests');
  } else {
    // CI installs it (.ci/run); a developer machine may not have it yet.
    console.warn(
      `\nSkipped the console's end-to-end tests: ${CHROMIUM} is missing (apt-get install -y chromium).`,
    );
  }
}
if (failures.length > 0) console.error(`\nFailed: ${failures.join(', ')}`);
process.exit(failures.length > 0 ? 1 : 0);
