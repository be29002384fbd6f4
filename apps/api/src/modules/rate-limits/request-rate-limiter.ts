import { rateLimited } from '../../common/errors';
import type { ApiConfig } from '../../env';
import type { AuthInfo } from '../auth/auth.service';
import { replicaShare, TokenBuckets, type BucketRate } from './token-buckets';

/** The settings a {@link RequestRateLimiter} takes (RATE_LIMIT_* in env.ts). */
export interface RateLimitSettings {
  /** A key's bucket holds this many seconds of its rate (at least one request). */
  burstSeconds: number;
  /** Per source address, for requests without a known key; 0 turns that limit off. */
  unauthenticatedPerSecond: number;
  unauthenticatedBurst: number;
  /** Buckets held per kind (keys, addresses); the least recently used are forgotten. */
  maxBuckets: number;
}

export function rateLimitSettings(config: ApiConfig): RateLimitSettings {
  return {
    burstSeconds: config.RATE_LIMIT_BURST_SECONDS,
    unauthenticatedPerSecond: config.RATE_LIMIT_UNAUTHENTICATED_PER_SECOND,
    unauthenticatedBurst: config.RATE_LIMIT_UNAUTHENTICATED_BURST,
    maxBuckets: config.RATE_LIMIT_MAX_BUCKETS,
  };
}

/**
 * The request rate limits of this replica, checked in memory with no database round trip:
 * - per API key, at its workspace's `requestsPerSecond` (AuthInfo.limits; null is unlimited)
 *   divided by the live API replicas (`liveReplicas`, kept by the ReplicaHeartbeat);
 * - per source address, for every request that does not carry a key this replica already knows,
 *   checked before the key is looked up in the database.
 * Each check throws `rateLimited` (429 RATE_LIMITED, Retry-After) when over the rate.
 */
export class RequestRateLimiter {
  private readonly keys: TokenBuckets;
  private readonly addresses: TokenBuckets;
  private readonly addressRate: BucketRate;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly liveReplicas: () => number,
    private readonly onRefused: (kind: 'key' | 'address') => void = () => undefined,
    now?: () => number,
  ) {
    this.keys = new TokenBuckets(settings.maxBuckets, now);
    this.addresses = new TokenBuckets(settings.maxBuckets, now);
    this.addressRate = {
      perSecond: settings.unauthenticatedPerSecond,
      capacity: Math.max(1, settings.unauthenticatedBurst),
    };
  }

  /** Charges one request to `auth`'s key; throws RATE_LIMITED over its share of the rate. */
  chargeKey(auth: AuthInfo): void {
    const perSecond = auth.limits.requestsPerSecond;
    if (perSecond === null) return;
    const rate = replicaShare(perSecond, this.liveReplicas(), this.settings.burstSeconds);
    const taken = this.keys.take(auth.apiKeyId, rate);
    if (taken.allowed) return;
    this.onRefused('key');
    throw rateLimited(
      `API key "${auth.keyName}" is over its workspace's rate of ${perSecond} requests per second: retry later`,
      taken.retryAfterSeconds,
      { limit: 'requestsPerSecond', requestsPerSecond: perSecond },
    );
  }

  /** Returns the token {@link chargeAddress} took, for a lookup that found a valid key. */
  refundAddress(address: string): void {
    if (this.settings.unauthenticatedPerSecond <= 0) return;
    this.addresses.refund(address, this.addressRate);
  }

  /** Charges one request without a known key to its source address; throws RATE_LIMITED over it. */
  chargeAddress(address: string): void {
    if (this.settings.unauthenticatedPerSecond <= 0) return;
    const taken = this.addresses.take(address, this.addressRate);
    if (taken.allowed) return;
    this.onRefused('address');
    throw rateLimited(
      `Too many requests without a valid API key from ${address} (RATE_LIMIT_UNAUTHENTICATED_PER_SECOND=${this.settings.unauthenticatedPerSecond}): retry later`,
      taken.retryAfterSeconds,
      { limit: 'RATE_LIMIT_UNAUTHENTICATED_PER_SECOND' },
    );
  }
}
