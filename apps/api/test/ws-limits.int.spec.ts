// Issue 9, item 4: the WebSocket path gets the same safeguards as HTTP. Every attack goes to the
// real API process (127.0.0.1) and ends with the service still serving.
import { API_KEYS_CHANNEL } from '@maas/db';
import type { Client } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStillServing,
  SENTINEL_MODEL,
  startApiProcess,
  type ApiProcess,
} from './api-process';
import { wsClient } from './ws-client';

let api: ApiProcess;
let deploymentName: string;
const clients: Client[] = [];

function client(key: string): Client {
  const c = wsClient(api.url, key);
  clients.push(c);
  return c;
}

async function createKey(name: string, role = 'EDITOR'): Promise<{ id: string; secret: string }> {
  const res = await api.gql(
    `mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { secret apiKey { id } } }`,
    { n: name, r: role },
  );
  expect(res.errors).toBeUndefined();
  return { id: res.data.createApiKey.apiKey.id, secret: res.data.createApiKey.secret };
}

interface Outcome {
  data?: any;
  errors?: any[];
  /** A close event (or other error) instead of a result. */
  failure?: any;
}

/**
 * Runs one operation on `c` and resolves with its first result or its failure; with `keep` a
 * subscription stays open after its first result.
 */
function once(
  c: Client,
  query: string,
  variables: Record<string, unknown> = {},
  keep = false,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const unsubscribe = c.subscribe(
      { query, variables },
      {
        next: (r) => {
          if (settled) return;
          settled = true;
          resolve({ data: r.data, errors: r.errors as any[] | undefined });
          // Not from inside `next`: a query's complete may be in the same read, and graphql-ws's
          // client would then release the connection twice (and close it under other operations).
          if (!keep) setTimeout(unsubscribe, 0);
        },
        error: (e) => {
          if (settled) return;
          settled = true;
          resolve(Array.isArray(e) ? { errors: e } : { failure: e });
        },
        complete: () => undefined,
      },
    );
  });
}

async function metric(name: string): Promise<number> {
  const res = await fetch(`${api.url}/metrics`, {
    headers: { authorization: `Bearer ${api.adminKey}` },
  });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? 0);
}

beforeAll(async () => {
  api = await startApiProcess({ WS_MAX_SOCKETS_PER_KEY: '3' });
  const model = await api.gql(`{ model(name: "${SENTINEL_MODEL}") { id latestVersion { id } } }`);
  deploymentName = 'dash';
  const created = await api.gql(
    `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { name } }`,
    {
      i: {
        name: deploymentName,
        modelId: model.data.model.id,
        routes: [{ versionId: model.data.model.latestVersion.id, weight: 100 }],
      },
    },
  );
  expect(created.errors).toBeUndefined();
});

afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
  await api?.stop();
});

describe('WebSocket safeguards', () => {
  it('closes the sockets of a revoked key within a second and refuses its mutation', async () => {
    const key = await createKey('soon-revoked');
    const c = client(key.secret);
    // An open subscription keeps the socket (a lazy client closes it when idle).
    const stats = `subscription { deploymentStatsUpdated(name: "${deploymentName}") { requests } }`;
    expect((await once(c, stats, {}, true)).data).toBeTruthy();
    const first = await once(c, '{ viewer { role } }');
    expect(first.data).toEqual({ viewer: { role: 'EDITOR' } });
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      c.on('closed', (e) => resolve({ code: (e as { code: number }).code, at: Date.now() })),
    );
    const revokedAt = Date.now();
    const revoked = await api.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, {
      id: key.id,
    });
    expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy();
    const close = await Promise.race([
      closed,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000)),
    ]);
    expect(close, 'the socket of the revoked key stayed open').not.toBeNull();
    expect(close!.code).toBe(4403);
    expect(close!.at - revokedAt).toBeLessThan(1000);

    // The mutation is refused: the client reconnects with the revoked key and is closed again.
    const mutation = await once(
      c,
      `mutation { createModel(input: { name: "after-revoke", task: REGRESSION }) { id } }`,
    );
    expect(mutation.data).toBeUndefined();
    expect((mutation.failure as { code?: number } | undefined)?.code).toBe(4403);
    const found = await api.gql(`{ model(name: "after-revoke") { id } }`);
    expect(found.data.model).toBeNull();
    await expectStillServing(api);
  });

  it('re-checks the key on every operation, even when no revocation event names it', async () => {
    const key = await createKey('quietly-revoked');
    const c = client(key.secret);
    const stats = `subscription { deploymentStatsUpdated(name: "${deploymentName}") { requests } }`;
    expect((await once(c, stats, {}, true)).data).toBeTruthy();
    let closedWith: number | undefined;
    c.on('closed', (e) => (closedWith ??= (e as { code: number }).code));
    // Revoked behind the API's back: caches are cleared, but no event names the key, so its
    // socket stays open until the next operation checks the key.
    const pg = new PgClient({ connectionString: api.databaseUrl });
    await pg.connect();
    try {
      await pg.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [key.id]);
      await pg.query('SELECT pg_notify($1, $2)', [API_KEYS_CHANNEL, '{}']);
    } finally {
      await pg.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closedWith).toBeUndefined();
    const mutation = await once(
      c,
      `mutation { createModel(input: { name: "quiet-revoke", task: REGRESSION }) { id } }`,
    );
    expect(mutation.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closedWith).toBe(4403);
    const found = await api.gql(`{ model(name: "quiet-revoke") { id } }`);
    expect(found.data.model).toBeNull();
    await expectStillServing(api);
  });

  it('refuses operations past WS_MAX_SUBSCRIPTIONS_PER_SOCKET with QUOTA_EXCEEDED', async () => {
    const key = await createKey('many-subscriptions', 'VIEWER');
    const c = client(key.secret);
    const query = `subscription { deploymentStatsUpdated(name: "${deploymentName}") { requests } }`;
    const outcomes = await Promise.all(
      Array.from({ length: 2000 }, () => once(c, query, {}, true)),
    );
    const accepted = outcomes.filter((o) => o.data);
    const refused = outcomes.filter((o) => o.errors);
    expect(accepted).toHaveLength(100);
    expect(refused).toHaveLength(1900);
    expect(refused[0]!.errors![0].extensions.code).toBe('QUOTA_EXCEEDED');
    expect(refused[0]!.errors![0].message).toContain('WS_MAX_SUBSCRIPTIONS_PER_SOCKET');
    await c.dispose();
    // A new socket starts with free places.
    const fresh = await once(client(key.secret), '{ viewer { role } }');
    expect(fresh.data).toEqual({ viewer: { role: 'VIEWER' } });
    await expectStillServing(api);
  });

  it('refuses a socket past WS_MAX_SOCKETS_PER_KEY with close code 4429', async () => {
    const key = await createKey('many-sockets', 'VIEWER');
    const stats = `subscription { deploymentStatsUpdated(name: "${deploymentName}") { requests } }`;
    const held = [client(key.secret), client(key.secret), client(key.secret)];
    for (const c of held) expect((await once(c, stats, {}, true)).data).toBeTruthy();
    const fourth = client(key.secret);
    const refused = await once(fourth, '{ viewer { role } }');
    expect((refused.failure as { code?: number; reason?: string }).code).toBe(4429);
    expect((refused.failure as { reason?: string }).reason).toContain('WS_MAX_SOCKETS_PER_KEY');
    // Another key is not affected, and a freed place can be taken again.
    expect((await once(client(api.adminKey), '{ viewer { role } }')).data).toBeTruthy();
    await held[0]!.dispose();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await once(client(key.secret), '{ viewer { role } }')).data).toBeTruthy();
    await Promise.all(held.map(async (c) => c.dispose()));
    await expectStillServing(api);
  });

  it('masks internal errors and keeps coded ones, like HTTP', async () => {
    const c = client(api.adminKey);
    const missing = await once(
      c,
      `subscription { deploymentStatsUpdated(name: "no-such-deployment") { requests } }`,
    );
    expect(missing.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const invalid = await once(c, '{ noSuchField }');
    expect(invalid.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'GRAPHQL_VALIDATION_FAILED',
    });
    // A NUL byte in a name fails in PostgreSQL: an internal error, whose message must not leak.
    const internal = await once(c, '{ model(name: "a\\u0000b") { id } }');
    const error = internal.errors?.[0];
    expect(error, JSON.stringify(internal)).toBeDefined();
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('Internal server error');
    expect(JSON.stringify(internal)).not.toMatch(/stacktrace|UTF8|byte sequence|at \w+ \(/);
    await expectStillServing(api);
  });

  it('holds WebSocket operations to the same depth limit as HTTP', async () => {
    let selection = 'id';
    for (let i = 0; i < 8; i++) selection = `latestVersion { model { ${selection} } }`;
    const deep = await once(
      client(api.adminKey),
      `{ model(name: "${SENTINEL_MODEL}") { ${selection} } }`,
    );
    expect(deep.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(deep.errors?.[0].message).toMatch(/depth \d+ exceeds the limit of 12/);
    await expectStillServing(api);
  });

  it('polls the database once per deployment and window, however many subscribers', async () => {
    const key = await createKey('dashboards', 'VIEWER');
    const a = client(key.secret);
    const b = client(key.secret);
    const query = `subscription { deploymentStatsUpdated(name: "${deploymentName}", windowSeconds: 30) { requests } }`;
    const before = await metric('maas_deployment_stats_polls_total');
    let results = 0;
    for (let i = 0; i < 50; i++) {
      (i % 2 ? a : b).subscribe(
        { query },
        { next: () => (results += 1), error: () => undefined, complete: () => undefined },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 4500));
    const polls = (await metric('maas_deployment_stats_polls_total')) - before;
    // 50 subscribers over 4.5 s: each got the first value and later ones, from ~3 shared polls
    // (each subscriber polling would make ~150).
    expect(results).toBeGreaterThanOrEqual(100);
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(4);
    await expectStillServing(api);
  });
});
