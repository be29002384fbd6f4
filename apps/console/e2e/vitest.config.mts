// End-to-end tests of the console: a real platform (the supervisor with an embedded PostgreSQL,
// the API, a worker and the built console) driven in Debian's Chromium through playwright-core.
// Needs everything built (`npx turbo run build`) and /usr/bin/chromium (`apt-get install chromium`).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    pool: 'forks',
    // One scenario: later steps use what earlier ones made. Stop at the first failure.
    bail: 1,
    sequence: { concurrent: false },
  },
});
