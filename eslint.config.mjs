// One lint config for the whole repo: typescript-eslint's type-checked rules.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/.next/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
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
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
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
);
