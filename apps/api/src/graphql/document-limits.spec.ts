import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../env';
import { ByteBoundedCache } from './byte-bounded-cache';
import { DocumentGuard, documentLimitsFrom } from './document-limits';

const schema = buildSchema(
  readFileSync(path.resolve(__dirname, '..', '..', 'schema.graphql'), 'utf8'),
);
const config = loadConfig({ DATABASE_URL: 'postgres://maas@127.0.0.1/maas' });
const guard = new DocumentGuard(schema, documentLimitsFrom(config));

function reasons(result: ReturnType<DocumentGuard['prepare']>): unknown[] {
  return 'errors' in result ? result.errors.map((e) => e.extensions.reason) : [];
}

// `prepare` is what a transport without Apollo's pipeline (graphql-ws) calls; the HTTP path is
// covered through the real process in test/graphql-limits.int.spec.ts.
describe('DocumentGuard.prepare', () => {
  it('returns the document of a query within every limit', () => {
    const result = guard.prepare(
      'query($n: Int) { models(first: $n) { edges { node { id name } } } }',
      undefined,
      { n: 50 },
    );
    expect('document' in result).toBe(true);
  });

  it('refuses chained fragments by depth, in milliseconds', () => {
    let query = '{ models { edges { node { ...M0 } } } }\n';
    for (let i = 0; i < 24; i++) {
      query += `fragment M${i} on Model { latestVersion { model { ...M${i + 1} ...M${i + 1} } } }\n`;
    }
    query += 'fragment M24 on Model { id }';
    const started = performance.now();
    expect(reasons(guard.prepare(query, undefined, {}))).toEqual(['MAX_DEPTH']);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('refuses tokens, repeated fields, aliases, cost and introspection, each with its reason', () => {
    expect(reasons(guard.prepare(`{ viewer { ${'role '.repeat(3000)}} }`, undefined, {}))).toEqual([
      'MAX_TOKENS',
    ]);
    expect(reasons(guard.prepare(`{ viewer { ${'role '.repeat(6)}} }`, undefined, {}))).toEqual([
      'MAX_FIELD_REPEATS',
    ]);
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { role }`).join(' ');
    expect(reasons(guard.prepare(`{ ${aliases} }`, undefined, {}))).toEqual(['MAX_ALIASES']);
    const wide =
      'query($n: Int) { models(first: $n) { edges { node { versions(first: 100) { edges { node { id } } } } } } }';
    expect(reasons(guard.prepare(wide, undefined, { n: 2 }))).toEqual([]);
    expect(reasons(guard.prepare(wide, undefined, { n: 100 }))).toEqual(['MAX_COMPLEXITY']);
    const introspection = guard.prepare('{ __schema { types { name } } }', undefined, {});
    expect('errors' in introspection && introspection.errors[0]?.message).toMatch(/introspection/);
    expect(new Set(reasons(introspection))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
  });

  it('refuses repeated fields before the quadratic validation rule, even with the token cap raised', () => {
    const loose = new DocumentGuard(schema, {
      ...documentLimitsFrom(config),
      maxTokens: 1_000_000,
    });
    const alternating = Array.from(
      { length: 4_000 },
      (_, i) => `deploymentStats(name: "${i % 2 ? 'a' : 'b'}") { requests }`,
    );
    for (const query of [
      `{ viewer { ${'isRoot '.repeat(8_000)}} }`,
      `{ ${alternating.join(' ')} }`,
    ]) {
      const started = performance.now();
      expect(reasons(loose.prepare(query, undefined, {}))).toEqual(['MAX_FIELD_REPEATS']);
      // graphql-js validation alone takes seconds to minutes on these.
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('costs every request whose variables can change the cost, the same document or not', () => {
    const q =
      'query($big: Boolean!) { models(first: 100) { edges { node { id ' +
      'versions(first: 100) @include(if: $big) { edges { node { id } } } } } } }';
    expect(reasons(guard.prepare(q, undefined, { big: false }))).toEqual([]);
    expect(reasons(guard.prepare(q, undefined, { big: true }))).toEqual(['MAX_COMPLEXITY']);
    expect(reasons(guard.prepare(q, undefined, { big: false }))).toEqual([]);
    const fixed =
      '{ models(first: 100) { edges { node { versions(first: 100) { totalCount } } } } }';
    expect(reasons(guard.prepare(fixed, undefined, {}))).toEqual(['MAX_COMPLEXITY']);
    expect(reasons(guard.prepare(fixed, undefined, {}))).toEqual(['MAX_COMPLEXITY']);
  });

  it('counts aliases as if fragments were spread out, so chained fragments cannot hide them', () => {
    let query = '{ ...F0 }\n';
    for (let i = 0; i < 10; i++) query += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
    query += 'fragment F10 on Query { a: viewer { role } }';
    const result = guard.prepare(query, undefined, {});
    expect(reasons(result)).toEqual(['MAX_ALIASES']);
    expect('errors' in result && result.errors[0]?.message).toMatch(/1024/);
  });

  it('lets the standard introspection query through when introspection is on', () => {
    const open = new DocumentGuard(schema, { ...documentLimitsFrom(config), introspection: true });
    expect(reasons(open.prepare(getIntrospectionQuery(), undefined, {}))).toEqual([]);
  });

  it('reports every validation error, as BAD_USER_INPUT', () => {
    const result = guard.prepare('{ nope viewer { alsoNope } }', undefined, {});
    expect('errors' in result && result.errors.map((e) => e.extensions.code)).toEqual([
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
    ]);
  });

  it('keeps its cache of validated documents within its bytes, however many documents come', () => {
    const small = new DocumentGuard(schema, { ...documentLimitsFrom(config), cacheBytes: 8_192 });
    for (let i = 0; i < 300; i++) {
      expect(reasons(small.prepare(`{ viewer { role } } # ${i}`, undefined, {}))).toEqual([]);
    }
    expect(small.cachedBytes).toBeGreaterThan(4_096);
    expect(small.cachedBytes).toBeLessThanOrEqual(8_192);
  });
});

describe('the cost of auditEvents', () => {
  const page = (first: string) =>
    `{ auditEvents${first} { totalCount edges { node { id at action outcome targetId
       actor { id name } workspace { id name } } } } }`;

  it('counts its page, the default 50 included, times the fields of an event', () => {
    // About 1 + first × 13: the default page is refused under a limit of 500, 20 rows are not.
    const tight = new DocumentGuard(schema, { ...documentLimitsFrom(config), maxComplexity: 500 });
    expect(reasons(tight.prepare(page(''), undefined, {}))).toEqual(['MAX_COMPLEXITY']);
    expect(reasons(tight.prepare(page('(first: 20)'), undefined, {}))).toEqual([]);
    // A full page of 100 fits the default limit.
    expect(reasons(guard.prepare(page('(first: 100)'), undefined, {}))).toEqual([]);
  });
});

describe('ByteBoundedCache', () => {
  it('evicts the least recently used entries to stay within its bytes', () => {
    const cache = new ByteBoundedCache<string>(1_000);
    cache.set('a', 'A', 300);
    cache.set('b', 'B', 300);
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.set('c', 'C', 300);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['A', undefined, 'C']);
    expect(cache.bytes).toBeLessThanOrEqual(1_000);
    cache.set('huge', 'H', 5_000);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});
