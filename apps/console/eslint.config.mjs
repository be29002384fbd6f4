// The console's lint config: the repository's rules (typescript-eslint, type-checked) plus React
// hooks and Next.js rules. A local file, because the root config knows nothing of JSX or Next.
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import rootConfig from '../../eslint.config.mjs';

export default tseslint.config(
  {
    ignores: [
      '.next/**',
      'src/gql/**',
      'next-env.d.ts',
      'e2e/screenshots/**',
      'codegen-check.tmp-*/**',
    ],
  },
  ...rootConfig,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  reactHooks.configs.flat['recommended-latest'],
  nextPlugin.configs['core-web-vitals'],
  {
    // Tests read loosely typed fixtures and DOM values.
    files: ['**/*.spec.ts', '**/*.spec.tsx', 'e2e/**/*.ts', 'src/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // Event handlers that start a promise are written `onClick={() => void save()}`.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
    },
  },
);
