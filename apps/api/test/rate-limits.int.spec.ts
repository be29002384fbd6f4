// Issue 10, item 2: rate limits. A key over its workspace's requestsPerSecond gets 429
// RATE_LIMITED with Retry-After on GraphQL, REST, OIP and graphql-ws operations, and recovers
// after it; another workspace's key is untouched; /healthz is never limited; requests without a
// known key are limited per source address before their database lookup; two live replicas
// halve each one's share. Against the real API (HTTP and WebSocket) and its database.
import { randomBytes } from 'node:crypto';
import { WORKSPACE_QUOTA_CHANNEL } from '@maas/db';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

// A limited workspace's key holds RATE (1/s) × BURST_SECONDS (4 s) = 4 requests, and gets one
// back each second: a burst sent at once gets exactly 4 through.
const RATE = 1;
const BURST_SECONDS = 4;
const CAPACITY = RATE * BURST_SECONDS;
// Requests without a known key, per address: 5 at once, then 1 per second.
const UNAUTHENTICATED_BURST = 5;
const FLOOD_ADDRESS = '203.0.113.7';

let api: TestApi;
let limitedWorkspaceId: string;
let otherWorkspaceId: string;
const clients: Client[] = [];

async function createWorkspace(name: string): Promise<string> {
  const res = await api.gql<{ createWorkspace: { id: string } }>(
    'mutation($n: String!) { createWorkspace(name: $n) { id } }',
    { n: name },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createWorkspace.id;
}

/**
 * Sets the workspace's requests_per_second in the database and announces it on
 * WORKSPACE_QUOTA_CHANNEL, as setWorkspaceQuota does; resolves once the API applied it to the
 * keys it holds.
 */
async function setRate(workspaceId: string, requestsPerSecond: number | null): Promise<void> {
  const db = api.server.services.db;
  await db.query('UPDATE workspaces SET requests_per_second = $1 WHERE id = $2', [
    requestsPerSecond,
    workspaceId,
  ]);
  const auth = api.server.services.auth;
  const before = auth.quotaChangesApplied;
  await db.query('SELECT pg_notify($1, $2)', [
    WORKSPACE_QUOTA_CHANNEL,
    JSON.stringify({ workspaceId }),
  ]);
  const deadline = Date.now() + 5000;
  while (auth.quotaChangesApplied === before && Date.now() < deadline) await sleep(20);
  expect(auth.quotaChangesApplied).toBeGreaterThan(before);
}

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function request(path: string, key: string | null, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    ...init,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: text.startsWith('{') ? JSON.parse(text) : text,
  };
}

const graphql = (key: string | null, headers: Record<string, string> = {}) =>
  request('/graphql', key, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ viewer { workspace { id } } }' }),
  });
const rest = (key: string) => request('/v1/models/no-such-model/versions/1/artifact', key);
const oip = (key: string) => request('/v2', key);

/** Sends `n` requests at once; returns their answers. */
const burst = (n: number, send: () => Promise<Answer>) =>
  Promise.all(Array.from({ length: n }, () => send()));

const statuses = (answers: Answer[]) => answers.map((a) => a.status).sort();

async function newKey(workspaceId: string): Promise<string> {
  return api.createKey('VIEWER', workspaceId);
}

/** A key that has made one request (now cached, its bucket one token down). */
async function warmKey(workspaceId: string): Promise<string> {
  const key = await newKey(workspaceId);
  expect((await oip(key)).status).toBe(200);
  return key;
}

async function lookups(): Promise<number> {
  const metric = await api.server.metrics.authLookups.get();
  return metric.values[0]?.value ?? 0;
}

const wsUrl = () => `${api.url.replace(/^http/, 'ws')}/graphql`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  api = await startTestApi({
    RATE_LIMIT_BURST_SECONDS: String(BURST_SECONDS),
    RATE_LIMIT_UNAUTHENTICATED_PER_SECOND: '1',
    RATE_LIMIT_UNAUTHENTICATED_BURST: String(UNAUTHENTICATED_BURST),
    // The flood comes "from" FLOOD_ADDRESS through a proxy on loopback.
    TRUST_PROXY: 'loopback',
  });
  await api.server.services.replicas.beat();
  limitedWorkspaceId = await createWorkspace(`limited-${randomBytes(3).toString('hex')}`);
  otherWorkspaceId = await createWorkspace(`other-${randomBytes(3).toString('hex')}`);
  await setRate(limitedWorkspaceId, RATE);
  await setRate(otherWorkspaceId, 1000);
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await api?.close();
});

describe('a key over its rate', () => {
  it.each([
    ['GraphQL', graphql, 200],
    ['REST', rest, 404],
    ['OIP', oip, 200],
  ] as const)(
    'on %s: the bucket lets exactly its worth through, then 429 with Retry-After, then recovers',
    async (_surface, send, okStatus) => {
      const key = await newKey(limitedWorkspaceId);
      const answers = await burst(CAPACITY + 3, () => send(key));
      expect(statuses(answers)).toEqual([
        ...Array<number>(CAPACITY).fill(okStatus),
        ...Array<number>(3).fill(429),
      ]);
      const refused = answers.find((a) => a.status === 429)!;
      const retryAfter = Number(refused.retryAfter);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(retryAfter)).toBe(true);
      const error =
        send === graphql
          ? refused.body.errors[0].extensions
          : (refused.body as Record<string, unknown>);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
      if (send === graphql) expect(refused.body.errors[0].message).toMatch(/requests per second/);
      else expect(refused.body.error).toMatch(/requests per second/);

      await sleep(retryAfter * 1000);
      expect((await send(key)).status).toBe(okStatus);
    },
  );

  it('on graphql-ws: each operation is charged; over the rate it is refused and the socket stays open', async () => {
    const key = await newKey(limitedWorkspaceId);
    // One socket for the whole test (a lazy client would close it between operations).
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazyCloseTimeout: 60_000,
    });
    clients.push(client);
    let connections = 0;
    client.on('connected', () => connections++);
    let closed = false;
    client.on('closed', () => (closed = true));
    const operation = () =>
      new Promise<{ data?: any; errors?: any[] }>((resolve, reject) => {
        let result: { data?: any; errors?: any[] } = {};
        client.subscribe(
          { query: '{ viewer { workspace { id } } }' },
          {
            next: (r) => (result = r as typeof result),
            error: (e) =>
              Array.isArray(e)
                ? resolve({ errors: e })
                : reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
            complete: () => resolve(result),
          },
        );
      });
    // connection_init is the key's first request, so CAPACITY - 1 operations are left.
    const results = await Promise.all(Array.from({ length: CAPACITY + 1 }, operation));
    const refused = results.filter((r) => r.errors);
    expect(results.filter((r) => r.data?.viewer).length).toBe(CAPACITY - 1);
    expect(refused.length).toBe(2);
    const ext = refused[0]!.errors![0].extensions;
    expect(ext.code).toBe('RATE_LIMITED');
    expect(ext.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(closed).toBe(false);

    await sleep(ext.retryAfterSeconds * 1000);
    expect((await operation()).data?.viewer.workspace.id).toBe(limitedWorkspaceId);
    expect(closed).toBe(false);
    expect(connections).toBe(1);
  });

  it("leaves another workspace's key alone, and /healthz and the OIP health routes are never limited", async () => {
    const limited = await newKey(limitedWorkspaceId);
    await burst(CAPACITY + 2, () => oip(limited));
    expect((await oip(limited)).status).toBe(429);

    const other = await newKey(otherWorkspaceId);
    expect(statuses(await burst(CAPACITY + 2, () => oip(other)))).toEqual(
      Array<number>(CAPACITY + 2).fill(200),
    );
    for (const path of ['/healthz', '/v2/health/live', '/v2/health/ready']) {
      const answers = await burst(30, () => request(path, limited));
      expect(statuses(answers)).toEqual(Array<number>(30).fill(200));
    }
  });

  it('costs no database round trip, allowed or refused', async () => {
    const key = await warmKey(limitedWorkspaceId);
    api.queries.reset();
    const answers = await burst(CAPACITY + 2, () => oip(key));
    expect(statuses(answers)).toContain(429);
    // Only the replica heartbeat's own statement may run meanwhile (every 5 s).
    expect(api.queries.statements.filter((q) => !q.includes('api_replicas'))).toEqual([]);
  });

  it('the default workspace (the root key) is unlimited', async () => {
    const answers = await burst(30, () => graphql(api.adminKey));
    expect(statuses(answers)).toEqual(Array<number>(30).fill(200));
  });
});

describe('requests without a known key', () => {
  it('never charge a valid key to its address: many new keys behind one address get in', async () => {
    const from = { 'x-forwarded-for': '203.0.113.9' };
    const keys = await Promise.all(
      Array.from({ length: UNAUTHENTICATED_BURST * 3 }, () => newKey(otherWorkspaceId)),
    );
    const before = await lookups();
    // One after another (a lookup holds its address's token only while it runs).
    const first: Answer[] = [];
    for (const key of keys) first.push(await graphql(key, from));
    expect(statuses(first)).toEqual(Array<number>(keys.length).fill(200));
    expect((await lookups()) - before).toBe(keys.length);
    // The address's bucket is still full: a flood from it gets the whole burst of lookups.
    const flood = await burst(UNAUTHENTICATED_BURST, () =>
      graphql(`maas_${randomBytes(24).toString('base64url')}`, from),
    );
    expect(statuses(flood)).toEqual(Array<number>(UNAUTHENTICATED_BURST).fill(401));
  });

  it('are limited per source address before the key is looked up: past the bucket a flood costs no lookup', async () => {
    const from = { 'x-forwarded-for': FLOOD_ADDRESS };
    const before = await lookups();
    const flood = await burst(UNAUTHENTICATED_BURST + 10, () =>
      graphql(`maas_${randomBytes(24).toString('base64url')}`, from),
    );
    expect(statuses(flood)).toEqual([
      ...Array<number>(UNAUTHENTICATED_BURST).fill(401),
      ...Array<number>(10).fill(429),
    ]);
    // Each random token that got through the bucket cost one lookup; the refused ones none.
    expect((await lookups()) - before).toBe(UNAUTHENTICATED_BURST);
    const refused = flood.find((a) => a.status === 429)!;
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      limit: 'RATE_LIMIT_UNAUTHENTICATED_PER_SECOND',
    });
    // No key at all counts too, and so does a WebSocket's connection_init.
    const afterFlood = await lookups();
    expect((await graphql(null, from)).status).toBe(429);
    expect((await request('/v2', null, { headers: from })).status).toBe(429);
    expect((await graphql(`maas_${randomBytes(24).toString('base64url')}`, from)).status).toBe(429);
    // A WebSocket from that address is closed at connection_init with 4429, before its lookup.
    class FromFloodAddress extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: from });
      }
    }
    const ws = createClient({
      url: wsUrl(),
      webSocketImpl: FromFloodAddress,
      connectionParams: { authorization: `Bearer maas_${randomBytes(24).toString('base64url')}` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(ws);
    const closedWith = new Promise<number>((resolve) =>
      ws.on('closed', (e) => resolve((e as { code: number }).code)),
    );
    ws.subscribe(
      { query: '{ __typename }' },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    expect(await closedWith).toBe(4429);
    // Another address has its own bucket; health routes are never limited.
    expect((await graphql(null, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
    expect((await request('/healthz', null, { headers: from })).status).toBe(200);
    expect(await lookups()).toBe(afterFlood);

    // A valid key this replica holds is charged to its own bucket, not the address's.
    const known = await warmKey(otherWorkspaceId);
    expect((await graphql(known, from)).status).toBe(200);

    await sleep(Number(refused.retryAfter) * 1000);
    expect((await graphql(null, from)).status).toBe(401);
  });
});

describe('several replicas', () => {
  it('each live replica enforces rate / replicas; stale replicas are not counted and are cleaned', async () => {
    const db = api.server.services.db;
    const replicas = api.server.services.replicas;
    const fake = '00000000-0000-4000-8000-00000000fa4e';
    const dead = '00000000-0000-4000-8000-0000000dead0';
    await db.query(
      `INSERT INTO api_replicas (id, heartbeat_at, started_at) VALUES
         ($1, now(), now()), ($2, now() - interval '1 hour', now() - interval '2 hours')`,
      [fake, dead],
    );
    await replicas.beat();
    expect(replicas.liveReplicas).toBe(2);
    const ids = (await db.query<{ id: string }[]>('SELECT id FROM api_replicas ORDER BY id')).map(
      (r) => r.id,
    );
    expect(ids.sort()).toEqual([fake, replicas.id].sort());

    const key = await newKey(limitedWorkspaceId);
    expect(statuses(await burst(CAPACITY + 2, () => oip(key)))).toEqual([
      ...Array<number>(CAPACITY / 2).fill(200),
      ...Array<number>(CAPACITY / 2 + 2).fill(429),
    ]);
    const metrics = await request('/metrics', api.adminKey);
    expect(metrics.body).toMatch(/^maas_api_replicas 2$/m);
    expect(metrics.body).toMatch(/^maas_rate_limited_total\{bucket="key"\} \d+$/m);

    await db.query('DELETE FROM api_replicas WHERE id = $1', [fake]);
    await replicas.beat();
    expect(replicas.liveReplicas).toBe(1);
  });

  it('a replica removes its row when it shuts down', async () => {
    const db = api.server.services.db;
    const id = api.server.services.replicas.id;
    expect(await db.query('SELECT 1 FROM api_replicas WHERE id = $1', [id])).toHaveLength(1);
    // The whole server's shutdown, as on SIGTERM (the test's DataSource stays open).
    await api.server.close();
    expect(await db.query('SELECT 1 FROM api_replicas WHERE id = $1', [id])).toHaveLength(0);
  });
});
