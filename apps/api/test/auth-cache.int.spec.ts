// The key caches of AuthService against a real database, two replicas (two AuthServices on their
// own event buses): a lookup that read a key before its revocation must not cache it after the
// revocation's NOTIFY, unknown tokens are remembered (a repeated random token costs no lookup),
// and a new key clears that memory on every replica.
import { randomBytes } from 'node:crypto';
import { API_KEYS_CHANNEL, ApiKey, createDataSource, EventBus } from '@maas/db';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import { createLogger } from '../src/common/logger';
import {
  createAuthService,
  type AuthInfo,
  type AuthService,
} from '../src/modules/auth/auth.service';

const ROOT_SECRET = `maas_root_${randomBytes(18).toString('base64url')}`;

interface Replica {
  auth: AuthService;
  bus: EventBus;
  lookups: () => number;
  /** Resolves with the next event this replica hears on API_KEYS_CHANNEL. */
  nextKeyEvent(): Promise<unknown>;
}

let database: TestDatabase;
let db: DataSource;
const replicas: Replica[] = [];
let root: AuthInfo;
// Pauses the next ApiKey load after its row was read, until released.
let pauseNextLoad: { reached: () => void; release: Promise<void> } | null = null;

async function startReplica(): Promise<Replica> {
  const bus = new EventBus({ url: database.url, applicationName: 'auth-cache-test' });
  await bus.connect();
  let count = 0;
  const auth = await createAuthService(db, createLogger('silent'), bus, ROOT_SECRET, () => count++);
  const waiters: ((event: unknown) => void)[] = [];
  // Subscribed after the service's own handler, so it runs once the cache heard the event.
  await bus.subscribe(API_KEYS_CHANNEL, (event) => waiters.splice(0).forEach((w) => w(event)));
  const replica: Replica = {
    auth,
    bus,
    lookups: () => count,
    nextKeyEvent: () => new Promise((resolve) => waiters.push(resolve)),
  };
  replicas.push(replica);
  return replica;
}

/** Starts `fn`, lets it read its key, and holds it there until `then` has run. */
async function withLoadPaused<T>(fn: () => Promise<T>, then: () => Promise<void>): Promise<T> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => {
    pauseNextLoad = { reached: resolve, release: released };
  });
  const result = fn();
  await reached;
  await then();
  release();
  return result;
}

const bearer = (secret: string) => `Bearer ${secret}`;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDataSource(database.url, { poolSize: 4, logging: false });
  await db.initialize();
  const gate: EntitySubscriberInterface<ApiKey> = {
    listenTo: () => ApiKey,
    async afterLoad() {
      const pause = pauseNextLoad;
      if (!pause) return;
      pauseNextLoad = null;
      pause.reached();
      await pause.release;
    },
  };
  db.subscribers.push(gate);
  const first = await startReplica();
  root = (await first.auth.authenticate(bearer(ROOT_SECRET)))!;
  expect(root.isRoot).toBe(true);
});

afterAll(async () => {
  for (const r of replicas) await r.bus.close();
  await db?.destroy();
  await database?.drop();
});

describe('API-key caches', () => {
  it('does not cache a key read before a revocation this replica made', async () => {
    const [a] = replicas;
    const { apiKey, secret } = await a!.auth.createApiKey(root, 'local-race', 'EDITOR');
    const inFlight = await withLoadPaused(
      () => a!.auth.authenticate(bearer(secret)),
      async () => {
        await a!.auth.revokeApiKey(root, apiKey.id);
      },
    );
    // The request in flight read the key before the revocation...
    expect(inFlight?.apiKeyId).toBe(apiKey.id);
    // ...but its answer was not cached: the next request is refused.
    expect(await a!.auth.authenticate(bearer(secret))).toBeNull();
  });

  it('does not cache a key read before another replica revoked it and announced it', async () => {
    const [a] = replicas;
    const b = await startReplica();
    const { apiKey, secret } = await a!.auth.createApiKey(root, 'remote-race', 'EDITOR');
    const inFlight = await withLoadPaused(
      () => b.auth.authenticate(bearer(secret)),
      async () => {
        const heard = b.nextKeyEvent();
        await a!.auth.revokeApiKey(root, apiKey.id);
        await heard;
      },
    );
    expect(inFlight?.apiKeyId).toBe(apiKey.id);
    expect(await b.auth.authenticate(bearer(secret))).toBeNull();
  });

  it('remembers unknown tokens without a lookup each, and forgets them when any replica creates a key', async () => {
    const [a, b] = replicas;
    const tokens = Array.from(
      { length: 10 },
      () => `maas_${randomBytes(24).toString('base64url')}`,
    );
    // Key events of the tests before (each replica hears every publication) must not land in
    // the middle of this count: an event invalidates the cache, and a lookup would repeat.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = b!.lookups();
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(tokens.map((t) => b!.auth.authenticate(bearer(t))));
      expect(answers.every((x) => x === null)).toBe(true);
    }
    expect(b!.lookups() - before).toBe(tokens.length);

    const heard = b!.nextKeyEvent();
    const { secret } = await a!.auth.createApiKey(root, 'new-key', 'VIEWER');
    await heard;
    const afterCreate = b!.lookups();
    expect(await b!.auth.authenticate(bearer(tokens[0]!))).toBeNull();
    expect(b!.lookups()).toBe(afterCreate + 1);
    expect((await b!.auth.authenticate(bearer(secret)))?.role).toBe('VIEWER');
  });
});
