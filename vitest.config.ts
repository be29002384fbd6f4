import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // type-graphql must see the same graphql module as the rest of the process (CJS), or it
    // fails with "Cannot use GraphQLObjectType from another module or realm".
    // graphql-query-complexity's ESM build imports `graphql/index.mjs` and
    // `graphql/execution/values.mjs`: inlined (below), those go to the same CJS files.
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      {
        find: /^graphql\/(.+?)(\.m?js)?$/,
        replacement: `${dirname(require.resolve('graphql'))}/$1.js`,
      },
    ],
  },
  test: {
    globals: true,
    include: ['{apps,packages}/*/{src,test}/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'apps/console/**'],
    // One embedded PostgreSQL for the whole run, migrated once into a template database;
    // each integration test file copies the template into its own database.
    globalSetup: existsSync('test/global-setup.ts') ? ['test/global-setup.ts'] : [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    server: { deps: { inline: ['graphql-query-complexity'] } },
  },
});
