// graphql-codegen: typed operations for the console, generated from the API's committed schema
// (no running server needed). `npm run codegen` writes src/gql; `npm run codegen:check` fails when
// the committed output drifts from the schema or the documents.
// Each feature's operations live in their own document file (src/graphql/<feature>.ts); every one
// of them is generated, so an operation the schema cannot serve fails codegen (and CI).
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

const schemaPath = path.resolve(__dirname, '../api/schema.graphql');
// scripts/codegen-check.mjs generates into a scratch folder and compares it with src/gql.
const outputDir = process.env.CODEGEN_OUTPUT_DIR ?? 'src/gql/';

const config: CodegenConfig = {
  schema: schemaPath,
  documents: ['src/graphql/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    [outputDir]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: {
          DateTime: 'string',
          JSON: 'unknown',
          SafeInt: 'number',
        },
      },
    },
  },
  // The root ignore file only: the scratch folder of codegen:check is git-ignored.
  hooks: {
    afterAllFileWrite: ['prettier --write --log-level warn --ignore-path ../../.prettierignore'],
  },
};

export default config;
