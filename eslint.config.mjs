// One lint config for the whole repo: typescript-eslint's type-checked rules on TypeScript
// (sources, tests, configs), the recommended rules on plain JavaScript (benchmarks, scripts).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.next/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/.maas/**',
      '**/coverage/**',
      'apps/console/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Decorated classes (TypeORM entities, type-graphql types) need value imports for metadata.
    files: ['**/*.entity.ts', '**/*.types.ts', '**/*.inputs.ts', '**/*.resolver.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // Services and helpers sit below the transport: a route or resolver may import them, never
    // the other way round.
    files: ['apps/*/src/**/*.ts'],
    ignores: [
      '**/*.routes.ts',
      '**/*.resolver.ts',
      'apps/api/src/server.ts',
      'apps/api/src/schema.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/*.routes', '**/*.resolver'],
              message:
                'Only the composition root imports routes and resolvers; move shared code to a service or helper.',
            },
          ],
        },
      ],
    },
  },
  {
    // Every LISTEN/NOTIFY channel name lives in packages/db/src/events/channels.ts.
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
    ignores: ['packages/db/src/events/channels.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'VariableDeclarator[id.name=/_CHANNEL$/] > Literal.init',
          message: 'Declare NOTIFY channels in packages/db/src/events/channels.ts and import them.',
        },
        {
          selector:
            "CallExpression[callee.property.name=/^(subscribe|publish)$/][arguments.0.type='Literal']",
          message: 'Pass a channel constant from @maas/db (events/channels.ts), not a string.',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/test/**/*.ts', '**/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/test/fixtures/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
