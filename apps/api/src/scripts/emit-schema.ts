import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { buildApiSchema } from '../schema';

// Writes apps/api/schema.graphql from the code; with --check, fails when the committed file differs.
export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema.graphql');

async function main(): Promise<void> {
  const printed = `${printSchema(await buildApiSchema())}\n`;
  if (process.argv.includes('--check')) {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== printed) {
      console.error(
        'apps/api/schema.graphql is out of date: run `npm run schema -w @maas/api` and commit it',
      );
      process.exit(1);
    }
    console.log('apps/api/schema.graphql matches the code');
    return;
  }
  writeFileSync(SCHEMA_FILE, printed);
  console.log(`wrote ${SCHEMA_FILE}`);
}

void main();
