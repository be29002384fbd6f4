import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildApiSchema } from '@maas/api';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';

describe('schema.graphql', () => {
  it('is the printed schema of the code (run `npm run schema -w @maas/api` after changing resolvers)', async () => {
    const committed = readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(committed).toBe(`${printSchema(await buildApiSchema())}\n`);
  });
});
