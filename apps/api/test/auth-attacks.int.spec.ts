// Attacks on authentication, against the real API process: a flood of random bearer tokens costs
// no database lookup per repeated token, and a root-key rotation made by one replica (started
// with a new ADMIN_API_KEY) ends the old root secret on the other replica at once, not after its
// 30 s cache.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServing, startApiProcess, type ApiProcess } from './api-process';

const randomToken = () => `maas_${randomBytes(24).toString('base64url')}`;

async function viewer(api: ApiProcess, key: string): Promise<{ status: number; code?: string }> {
  const res = await api.gql('{ viewer { role } }', {}, key);
  return { status: res.status, code: res.errors?.[0]?.extensions?.code };
}

/** maas_auth_key_lookups_total of the process. */
async function keyLookups(api: ApiProcess): Promise<number> {
  const res = await fetch(`${api.url}/metrics`, {
    headers: { authorization: `Bearer ${api.adminKey}` },
  });
  expect(res.status).toBe(200);
  const line = /^maas_auth_key_lookups_total (\d+)/m.exec(await res.text());
  expect(line, 'maas_auth_key_lookups_total is exported').not.toBeNull();
  return Number(line![1]);
}

describe('authentication under attack', () => {
  let api: ApiProcess;
  const replicas: ApiProcess[] = [];
  beforeAll(async () => {
    // The per-address rate limit would answer most of this flood with 429 before any lookup
    // (rate-limits.int.spec.ts): off here, so that the key caches alone are measured.
    api = await startApiProcess({ RATE_LIMIT_UNAUTHENTICATED_PER_SECOND: '0' });
  }, 90_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await api?.stop();
  });

  it('answers a flood of random tokens with 401 and no database lookup per repeated token', async () => {
    const tokens = Array.from({ length: 25 }, randomToken);
    const before = await keyLookups(api);
    const started = Date.now();
    for (let round = 0; round < 10; round++) {
      // 50 requests at a time, 500 in all: every token twice a round.
      const answers = await Promise.all([...tokens, ...tokens].map((token) => viewer(api, token)));
      for (const answer of answers)
        expect(answer).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
    expect(Date.now() - started).toBeLessThan(20_000);
    // One lookup per distinct token (the root key's own may expire from its cache meanwhile).
    expect((await keyLookups(api)) - before).toBeLessThanOrEqual(tokens.length + 1);
    await expectStillServing(api);
  }, 30_000);

  it('ends the old root secret on every replica when one rotates it', async () => {
    const oldRoot = api.adminKey;
    expect(await viewer(api, oldRoot)).toEqual({ status: 200, code: undefined });
    const newRoot = `maas_root_${randomBytes(18).toString('base64url')}`;
    const other = await startApiProcess({}, { databaseUrl: api.databaseUrl, adminKey: newRoot });
    replicas.push(other);
    // The first replica heard the rotation: the secret it had cached no longer works...
    const deadline = Date.now() + 3_000;
    while ((await viewer(api, oldRoot)).status !== 401) {
      expect(Date.now(), 'the old root secret still works on the first replica').toBeLessThan(
        deadline,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await viewer(api, oldRoot)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await viewer(other, oldRoot)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    // ...and the new one does, on both.
    api.adminKey = newRoot;
    expect(await viewer(api, newRoot)).toEqual({ status: 200, code: undefined });
    await expectStillServing(api);
    await expectStillServing(other);
  }, 60_000);
});
