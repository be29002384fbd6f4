import type { Readable } from 'node:stream';

/** Where an artifact's bytes live: a PostgreSQL large object, or an object in an S3 bucket. */
export type ArtifactStorage = 'pg' | 's3';

/** Options of {@link ArtifactStore.put}. */
export interface PutArtifactOptions {
  /**
   * The sha256 (lowercase hex) the caller already computed. With a file path it lets `put` skip
   * reading the file when the artifact is already stored; otherwise the bytes are hashed anyway
   * and a mismatch is an {@link ArtifactIntegrityError}.
   */
  sha256?: string;
  /** Larger sources fail with {@link ArtifactTooLargeError} (nothing is kept). */
  maxBytes?: number;
}

/** What {@link ArtifactStore.put} stored. */
export interface PutArtifactResult {
  sha256: string;
  sizeBytes: number;
  /** `false` when identical bytes were already stored (nothing was written twice). */
  created: boolean;
}

/** Options of {@link ArtifactStore.openRead}. */
export interface OpenReadOptions {
  /**
   * `load` (default): the service reads the bytes itself (a model load, a training input), on
   * connections downloads never hold. `download`: the bytes go to an outside client, within the
   * store's `DownloadLimits` (its own few connections, a stall timeout and a deadline).
   */
  purpose?: 'load' | 'download';
}

/** Options of {@link ArtifactStore.delete}. */
export interface DeleteArtifactOptions {
  /** Delete only when the row was created before this (what the sweep listed). */
  olderThan?: Date;
}

/** An artifact's metadata row. */
export interface ArtifactInfo {
  sha256: string;
  sizeBytes: number;
  storage: ArtifactStorage;
  refCount: number;
}

/** What {@link releaseArtifact} did, to hand to {@link ArtifactStore.afterRelease} after commit. */
export interface ReleasedArtifact {
  sha256: string;
  /** References left. */
  refCount: number;
  /** `true` when the count reached 0 and the row (and a large object) went with the transaction. */
  removed: boolean;
  storage: ArtifactStorage;
}

/**
 * Content-addressed, streamed artifact storage. Bytes are addressed by their sha256 and stored
 * once; the `artifacts` table holds one row per sha256 with its reference count. `put` creates a
 * row with `refCount` 0; the caller then calls `acquireArtifact` in the transaction that commits
 * the version or dataset using it, and `releaseArtifact` in the one that deletes it.
 */
export interface ArtifactStore {
  readonly storage: ArtifactStorage;
  /**
   * Streams `source` (a Readable, or a file path) into the store while hashing and counting it,
   * never holding it whole in memory. Identical bytes already stored are not stored again.
   */
  put(source: Readable | string, options?: PutArtifactOptions): Promise<PutArtifactResult>;
  /**
   * A stream of the artifact's bytes; {@link ArtifactNotFoundError} when there is none. A
   * download fails at once with `ArtifactDownloadsBusyError` when every download slot is
   * taken, and its stream with `ArtifactDownloadTimeoutError` past a deadline.
   */
  openRead(sha256: string, options?: OpenReadOptions): Promise<Readable>;
  /** The artifact's row, or `null`. */
  stat(sha256: string): Promise<ArtifactInfo | null>;
  exists(sha256: string): Promise<boolean>;
  /**
   * Removes an artifact nothing references (refCount 0), e.g. after an upload that was then
   * rejected. Returns `false` when it is referenced or absent. Safe against a concurrent `put`
   * of the same bytes: a row that is visible always has its bytes.
   */
  delete(sha256: string, options?: DeleteArtifactOptions): Promise<boolean>;
  /** Removes unreferenced artifacts created before `olderThan` (left by crashed uploads). */
  deleteUnreferenced(olderThan: Date): Promise<number>;
  /**
   * Finishes a release after its transaction committed: deletes the S3 object of a removed
   * artifact. A no-op for large objects, which are unlinked inside the transaction.
   */
  afterRelease(released: ReleasedArtifact): Promise<void>;
  /** Closes the store's connection pools. */
  close(): Promise<void>;
}

/** No artifact with that sha256. */
export class ArtifactNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`No artifact with sha256 ${sha256}.`);
    this.name = 'ArtifactNotFoundError';
  }
}

/** The source was larger than `maxBytes`. */
export class ArtifactTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The artifact is larger than the limit of ${maxBytes} bytes.`);
    this.name = 'ArtifactTooLargeError';
  }
}

/** The bytes do not hash to the sha256 the caller announced. */
export class ArtifactIntegrityError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The artifact's sha256 is ${actual}, but ${expected} was announced.`);
    this.name = 'ArtifactIntegrityError';
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Throws unless `sha256` is 64 lowercase hex digits. */
export function assertSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) {
    throw new Error(`Invalid sha256 "${sha256}": expected 64 lowercase hexadecimal digits.`);
  }
}

/** Throws unless `maxBytes` is absent or a positive integer. */
export function assertMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)) {
    throw new Error(`maxBytes must be a positive integer, got ${maxBytes}.`);
  }
}
