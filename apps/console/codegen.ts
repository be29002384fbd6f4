// graphql-codegen: typed operations for the console, generated from the API's committed schema
// (no running server needed). `npm run codegen` writes src/gql; `npm run codegen:check` fails when
// the committed output drifts from the schema or the documents.
//
// The API grows feature by feature. Each feature's operations live in their own document file
// (src/graphql/<feature>.ts) and are included only once the schema offers the root fields they
// use, so a console ahead of the API never breaks codegen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { featureDocuments } from './src/graphql/features';

const schemaPath = path.resolve(__dirname, '../api/schema.graphql');
// scripts/codegen-check.mjs generates into a scratch folder and compares it with src/gql.
const outputDir = process.env.CODEGEN_OUTPUT_DIR ?? 'src/gql/';
const schemaSource = readFileSync(schemaPath, 'utf8');

const config: CodegenConfig = {
  schema: schemaPath,
  documents: featureDocuments(schemaSource).map((file) => path.join('src/graphql', file)),
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
