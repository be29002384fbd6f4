// Documents that used to freeze the event loop (issue 9, item 3), sent to the real API process
// with a VIEWER key: each is refused with a 400 BAD_USER_INPUT and its `reason` within a couple of
// seconds, and the process still serves. The console's own documents still pass every limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServing, startApiProcess, type ApiProcess } from './api-process';

let api: ApiProcess;
let viewerKey: string;

beforeAll(async () => {
  api = await startApiProcess();
  const created = await api.gql(
    `mutation { createApiKey(name: "attacker", role: VIEWER) { secret } }`,
  );
  expect(created.errors).toBeUndefined();
  viewerKey = created.data.createApiKey.secret;
}, 90_000);

afterAll(async () => {
  await api?.stop();
});

/** Sends `query` as the VIEWER key and expects a quick, coded refusal. */
async function expectRefused(query: string, reason: string, withinMs = 2_000): Promise<void> {
  const started = Date.now();
  const res = await api.gql(query, {}, viewerKey);
  const elapsed = Date.now() - started;
  expect(res.status).toBe(400);
  expect(res.data).toBeUndefined();
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
  expect(elapsed).toBeLessThan(withinMs);
  await expectStillServing(api);
}

describe('documents that would freeze the event loop', () => {
  it('refuses 24 chained fragments, each spreading the next twice, by their depth', async () => {
    let query = '{ models { edges { node { ...M0 } } } }\n';
    for (let i = 0; i < 24; i++) {
      query += `fragment M${i} on Model { latestVersion { model { ...M${i + 1} ...M${i + 1} } } }\n`;
    }
    query += 'fragment M24 on Model { id }';
    expect(query.length).toBeLessThan(2_000);
    await expectRefused(query, 'MAX_DEPTH');
  });

  it('refuses 24 chained fragments at one level (2^24 fields once expanded) by their cost', async () => {
    let query = '{ ...F0 }\n';
    for (let i = 0; i < 24; i++) query += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
    query += 'fragment F24 on Query { viewer { role } }';
    await expectRefused(query, 'MAX_COMPLEXITY');
  });

  it('refuses 8,000 repeated fields (56 KB) while parsing, by their tokens', async () => {
    await expectRefused(`{ viewer { ${'isRoot '.repeat(8_000)}} }`, 'MAX_TOKENS');
  });

  it('refuses 4,000 fields with alternating arguments by their tokens', async () => {
    const fields = Array.from(
      { length: 4_000 },
      (_, i) => `deploymentStats(name: "${i % 2 ? 'a' : 'b'}") { requests }`,
    );
    await expectRefused(`{ ${fields.join(' ')} }`, 'MAX_TOKENS');
  });

  it('refuses repeated fields under the token limit before the quadratic validation rule', async () => {
    await expectRefused(`{ viewer { ${'isRoot '.repeat(1_500)}} }`, 'MAX_FIELD_REPEATS');
    const alternating = Array.from(
      { length: 200 },
      (_, i) => `deploymentStats(name: "${i % 2 ? 'a' : 'b'}") { requests }`,
    );
    await expectRefused(`{ ${alternating.join(' ')} }`, 'MAX_FIELD_REPEATS');
  });

  it('refuses many aliases and many directives', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: viewer { role }`);
    await expectRefused(`{ ${aliases.join(' ')} }`, 'MAX_ALIASES');
    await expectRefused(
      `{ viewer { role ${'@include(if: true) '.repeat(200)}} }`,
      'MAX_DIRECTIVES',
    );
  });

  it('refuses a token bomb of distinct names', async () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `f${i}`);
    await expectRefused(`{ viewer { ${names.join(' ')} } }`, 'MAX_TOKENS');
  });

  it('keeps no copy of variables: 150 queries with distinct 1 MB variables leave RSS flat', async () => {
    const query = 'query Probe($blob: String!) { viewer { role } deployment(name: $blob) { id } }';
    const send = async (i: number) => {
      const blob = `${i}:`.padEnd(1_000_000, String.fromCharCode(97 + (i % 26)));
      const res = await api.gql(query, { blob }, viewerKey);
      expect(res.status).toBe(200);
      expect(res.data?.viewer.role).toBe('VIEWER');
    };
    for (let i = 0; i < 20; i++) await send(i); // the heap grows to its working size first
    const before = api.rssBytes();
    const lastSamples: number[] = [];
    for (let i = 20; i < 170; i++) {
      await send(i);
      if (i >= 150) lastSamples.push(api.rssBytes());
    }
    // Garbage comes and goes; what stays is the low point. The old limits cache kept every
    // variable in its key, so its low point rose by 1 MB a query: 150 MB here.
    const retained = Math.min(...lastSamples) - before;
    expect(retained).toBeLessThan(48 * 1024 * 1024);
    await expectStillServing(api);
  }, 60_000);
});

describe('normal documents', () => {
  // Every query the console sends is run against the real API, within these limits, by the
  // console's end-to-end suite (apps/console/e2e: consoleQueries).
  it('answers introspection only outside production (NODE_ENV defaults to production)', async () => {
    const res = await api.gql('{ __schema { queryType { name } } }', {}, viewerKey);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    const typename = await api.gql('{ __typename }', {}, viewerKey);
    expect(typename.data).toEqual({ __typename: 'Query' });
  });
});
