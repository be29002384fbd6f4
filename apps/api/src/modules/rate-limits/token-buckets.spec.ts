import { describe, expect, it } from 'vitest';
import type { AuthInfo } from '../auth/auth.service';
import { RequestRateLimiter } from './request-rate-limiter';
import { MIN_REPLICA_SHARE_PER_SECOND, replicaShare, TokenBuckets } from './token-buckets';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** How many of `n` takes in a row (no time passing) are allowed. */
function allowedOf(
  buckets: TokenBuckets,
  key: string,
  n: number,
  rate = { perSecond: 5, capacity: 5 },
) {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (buckets.take(key, rate).allowed) allowed++;
  return allowed;
}

describe('TokenBuckets', () => {
  it('allows a full bucket at once, then one token per 1/rate seconds', () => {
    const c = clock();
    const buckets = new TokenBuckets(100, c.now);
    const rate = { perSecond: 5, capacity: 5 };
    expect(allowedOf(buckets, 'k', 8, rate)).toBe(5);
    c.advance(199);
    expect(buckets.take('k', rate).allowed).toBe(false);
    c.advance(1);
    expect(buckets.take('k', rate).allowed).toBe(true);
    expect(buckets.take('k', rate).allowed).toBe(false);
    // A long idle time refills to the capacity, never beyond it.
    c.advance(60_000);
    expect(allowedOf(buckets, 'k', 10, rate)).toBe(5);
  });

  it('says how long until the next token', () => {
    const c = clock();
    const buckets = new TokenBuckets(100, c.now);
    const rate = { perSecond: 0.5, capacity: 1 };
    expect(buckets.take('k', rate)).toEqual({ allowed: true });
    c.advance(500);
    // 0.25 tokens back; 0.75 more at 0.5/s is 1.5 s.
    expect(buckets.take('k', rate)).toEqual({ allowed: false, retryAfterSeconds: 1.5 });
    expect(buckets.take('k', { perSecond: 0, capacity: 1 })).toMatchObject({
      allowed: false,
      retryAfterSeconds: 60,
    });
  });

  it('keeps buckets apart, and a changed rate caps the tokens a bucket holds', () => {
    const c = clock();
    const buckets = new TokenBuckets(100, c.now);
    expect(allowedOf(buckets, 'a', 10)).toBe(5);
    expect(allowedOf(buckets, 'b', 10)).toBe(5);
    c.advance(10_000);
    expect(allowedOf(buckets, 'a', 10, { perSecond: 2, capacity: 2 })).toBe(2);
  });

  it('holds at most maxBuckets buckets, forgetting the least recently used', () => {
    const c = clock();
    const buckets = new TokenBuckets(3, c.now);
    for (const key of ['a', 'b', 'c', 'd']) allowedOf(buckets, key, 10);
    expect(buckets.size).toBe(3);
    // 'a' was forgotten: it starts full; 'd' is still empty.
    expect(allowedOf(buckets, 'a', 10)).toBe(5);
    expect(allowedOf(buckets, 'd', 10)).toBe(0);
  });
});

describe('replicaShare', () => {
  it('divides the rate among live replicas, holding burstSeconds of it, at least one token', () => {
    expect(replicaShare(10, 1, 1)).toEqual({ perSecond: 10, capacity: 10 });
    expect(replicaShare(10, 4, 2)).toEqual({ perSecond: 2.5, capacity: 5 });
    expect(replicaShare(1, 4, 1)).toEqual({ perSecond: 0.25, capacity: 1 });
    // Many replicas never round a positive rate down to nothing; a rate of 0 stays 0.
    expect(replicaShare(1, 1_000_000, 1).perSecond).toBe(MIN_REPLICA_SHARE_PER_SECOND);
    expect(replicaShare(0, 3, 1)).toEqual({ perSecond: 0, capacity: 1 });
    expect(replicaShare(6, 0, 1)).toEqual({ perSecond: 6, capacity: 6 });
  });
});

describe('RequestRateLimiter', () => {
  const auth = (apiKeyId: string, requestsPerSecond: number | null): AuthInfo => ({
    apiKeyId,
    keyName: apiKeyId,
    workspaceId: 'w',
    role: 'VIEWER',
    isRoot: false,
    limits: { requestsPerSecond, maxPredictionsPerDay: null, maxTokensPerDay: null },
  });
  const settings = {
    burstSeconds: 1,
    unauthenticatedPerSecond: 2,
    unauthenticatedBurst: 3,
    maxBuckets: 100,
  };

  function charges(charge: () => void, n: number): { allowed: number; retryAfter: unknown[] } {
    let allowed = 0;
    const retryAfter: unknown[] = [];
    for (let i = 0; i < n; i++) {
      try {
        charge();
        allowed++;
      } catch (err) {
        expect((err as { extensions: { code: string } }).extensions.code).toBe('RATE_LIMITED');
        retryAfter.push(
          (err as { extensions: { retryAfterSeconds: number } }).extensions.retryAfterSeconds,
        );
      }
    }
    return { allowed, retryAfter };
  }

  it("charges a key its workspace's rate divided by the live replicas; null is unlimited", () => {
    const c = clock();
    let replicas = 1;
    const refused: string[] = [];
    const limiter = new RequestRateLimiter(
      settings,
      () => replicas,
      (k) => refused.push(k),
      c.now,
    );
    expect(charges(() => limiter.chargeKey(auth('a', 4)), 6)).toEqual({
      allowed: 4,
      retryAfter: [1, 1],
    });
    expect(charges(() => limiter.chargeKey(auth('u', null)), 1000).allowed).toBe(1000);
    replicas = 2;
    expect(charges(() => limiter.chargeKey(auth('b', 4)), 6).allowed).toBe(2);
    expect(refused).toEqual(['key', 'key', 'key', 'key', 'key', 'key']);
  });

  it('charges requests without a known key to their address; 0 turns that off', () => {
    const c = clock();
    const limiter = new RequestRateLimiter(settings, () => 1, undefined, c.now);
    expect(charges(() => limiter.chargeAddress('10.0.0.1'), 5)).toEqual({
      allowed: 3,
      retryAfter: [1, 1],
    });
    expect(charges(() => limiter.chargeAddress('10.0.0.2'), 5).allowed).toBe(3);
    c.advance(500);
    expect(charges(() => limiter.chargeAddress('10.0.0.1'), 5).allowed).toBe(1);
    const off = new RequestRateLimiter({ ...settings, unauthenticatedPerSecond: 0 }, () => 1);
    expect(charges(() => off.chargeAddress('10.0.0.1'), 100).allowed).toBe(100);
  });
});
