import { LRUCache } from 'lru-cache';

/** A bucket's rate: `perSecond` tokens refill each second, up to `capacity` held at once. */
export interface BucketRate {
  perSecond: number;
  capacity: number;
}

/** What taking one token answered: allowed, or refused with the seconds until one is back. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const ALLOWED: TakeResult = { allowed: true };

/**
 * Token buckets by key, held in memory (an LRU of `maxBuckets`: a bucket evicted, or never seen,
 * starts full). The rate is given at each take rather than fixed per bucket, so a key whose
 * workspace rate or replica share changes keeps its bucket: its tokens refill at the new rate and
 * are capped at the new capacity. One take is a map lookup and a few float operations.
 */
export class TokenBuckets {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(
    maxBuckets: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.buckets = new LRUCache<string, Bucket>({ max: maxBuckets });
  }

  /** Takes one token from `key`'s bucket, refilled at `rate` since its last take. */
  take(key: string, rate: BucketRate): TakeResult {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: rate.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
    } else {
      const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
      bucket.tokens = Math.min(rate.capacity, bucket.tokens + elapsedSeconds * rate.perSecond);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    // A rate of 0 never refills: ask the caller to come back in a minute.
    const retryAfterSeconds =
      rate.perSecond > 0 ? (1 - bucket.tokens) / rate.perSecond : NO_REFILL_RETRY_SECONDS;
    return { allowed: false, retryAfterSeconds };
  }

  /** Gives back one token taken from `key` (capped at the capacity), e.g. for a request that turned out not to count. */
  refund(key: string, rate: BucketRate): void {
    const bucket = this.buckets.peek(key);
    if (bucket) bucket.tokens = Math.min(rate.capacity, bucket.tokens + 1);
  }

  /** Forgets every bucket (they start full again). */
  clear(): void {
    this.buckets.clear();
  }

  get size(): number {
    return this.buckets.size;
  }
}

export const NO_REFILL_RETRY_SECONDS = 60;

/**
 * One replica's bucket for a rate of `perSecond` shared by `replicas` live replicas: `perSecond /
 * replicas` (never below `minShare`, so many replicas never round a key's share to nothing),
 * holding `burstSeconds` of it, at least one token.
 */
export function replicaShare(
  perSecond: number,
  replicas: number,
  burstSeconds: number,
  minShare = MIN_REPLICA_SHARE_PER_SECOND,
): BucketRate {
  const share = perSecond <= 0 ? 0 : Math.max(minShare, perSecond / Math.max(1, replicas));
  return { perSecond: share, capacity: Math.max(1, share * burstSeconds) };
}

/** The least a replica refills per second for a positive rate (one request per 100 s). */
export const MIN_REPLICA_SHARE_PER_SECOND = 0.01;
