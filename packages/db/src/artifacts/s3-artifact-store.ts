import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Pool, type PoolClient } from 'pg';
import { pgPoolTimeouts, type PoolTimeouts } from '../pool-timeouts';
import {
  deleteUnreferencedArtifact,
  findArtifact,
  guardPoolErrors,
  insertArtifact,
} from './artifact-catalog';
import { CatalogBackedStore } from './catalog-backed-store';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  assertMaxBytes,
  assertSha256,
  type ArtifactStore,
  type DeleteArtifactOptions,
  type OpenReadOptions,
  type PutArtifactOptions,
  type PutArtifactResult,
  type ReleasedArtifact,
} from './artifact-store';
import { DownloadBudget, type DownloadLimits } from './download-budget';

/** Bucket and key prefix of an `s3://bucket/prefix` URL. */
export interface S3Location {
  bucket: string;
  /** Without leading or trailing slashes; '' for the bucket's root. */
  prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `ARTIFACT_STORE_URL` (`s3://bucket` or `s3://bucket/some/prefix`), with clear errors. */
export function parseS3Url(value: string): S3Location {
  // Parsed by hand: WHATWG URL would lowercase the bucket and resolve ".." silently.
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)([?#].*)?$/i.exec(value.trim());
  if (!match) {
    throw new Error(`ARTIFACT_STORE_URL "${value}" is not a URL; expected s3://bucket/prefix.`);
  }
  const [, scheme = '', authority = '', pathname = '', rest] = match;
  if (scheme.toLowerCase() !== 's3') {
    throw new Error(
      `ARTIFACT_STORE_URL "${value}" must start with s3:// (e.g. s3://bucket/prefix).`,
    );
  }
  if (authority.includes('@') || authority.includes(':') || rest) {
    throw new Error(
      `ARTIFACT_STORE_URL "${value}" may hold only a bucket and a prefix; credentials and the ` +
        'endpoint go in the AWS_* variables (AWS_ENDPOINT_URL for MinIO).',
    );
  }
  if (!BUCKET.test(authority)) {
    throw new Error(
      `ARTIFACT_STORE_URL names the bucket "${authority}": a bucket name has 3-63 lowercase ` +
        'letters, digits, dots and hyphens.',
    );
  }
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`ARTIFACT_STORE_URL "${value}": the prefix may not contain "." or "..".`);
  }
  return { bucket: authority, prefix: segments.join('/') };
}

/** The object key of an artifact: `<prefix>/sha256/<first two hex digits>/<sha256>`. */
export function artifactObjectKey(prefix: string, sha256: string): string {
  assertSha256(sha256);
  return `${prefix ? `${prefix}/` : ''}sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/** Options of {@link S3ArtifactStore}. */
export interface S3ArtifactStoreOptions {
  /** `postgres://...` of the maas database (the `artifacts` table and reference counts). */
  url: string;
  location: S3Location;
  /** A ready client; otherwise one is made from `s3` plus the usual AWS_* variables. */
  client?: S3Client;
  s3?: S3ClientConfig;
  poolSize?: number;
  /** Concurrency and deadlines of downloads to outside clients. */
  downloads?: DownloadLimits;
  /** Statement, idle-in-transaction and connect timeouts of the catalog pool. */
  timeouts?: PoolTimeouts;
}

// Advisory-lock namespace of one artifact's object: put, delete and afterRelease of the same
// sha256 take turns, so an object is never deleted while a row for it is (being) made visible.
const LOCK_NAMESPACE = 'maas.artifact-object';

/**
 * Artifacts as objects in an S3-compatible store (S3, MinIO, Ceph); the `artifacts` table keeps
 * the sha256 and reference count. Uploads go to a temporary key while hashing, then are copied to
 * their content address before the row commits, so a row always points at complete bytes. Put,
 * delete and afterRelease of one sha256 hold a per-artifact advisory lock (a session lock, so no
 * transaction stays open during S3 calls): a delete can never remove the object under a row that
 * a concurrent upload of the same bytes just made visible.
 */
export class S3ArtifactStore extends CatalogBackedStore implements ArtifactStore {
  readonly storage = 's3' as const;
  protected readonly pool: Pool;
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly downloads: DownloadBudget;

  constructor(options: S3ArtifactStoreOptions) {
    super();
    this.pool = guardPoolErrors(
      new Pool({
        connectionString: options.url,
        max: options.poolSize ?? 4,
        application_name: 'maas-artifacts',
        ...pgPoolTimeouts(options.timeouts),
      }),
    );
    this.downloads = new DownloadBudget(options.downloads);
    this.s3 = options.client ?? new S3Client(options.s3 ?? {});
    this.bucket = options.location.bucket;
    this.prefix = options.location.prefix;
  }

  /** The object key of `sha256` in this store. */
  keyOf(sha256: string): string {
    return artifactObjectKey(this.prefix, sha256);
  }

  async put(
    source: Readable | string,
    options: PutArtifactOptions = {},
  ): Promise<PutArtifactResult> {
    if (options.sha256 !== undefined) assertSha256(options.sha256);
    assertMaxBytes(options.maxBytes);
    if (typeof source === 'string' && options.sha256) {
      const existing = await findArtifact(this.pool, options.sha256);
      // A row whose object went missing is uploaded again below.
      if (existing && (await this.objectExists(this.keyOf(existing.sha256))))
        return { sha256: existing.sha256, sizeBytes: existing.sizeBytes, created: false };
    }
    const input = typeof source === 'string' ? createReadStream(source) : source;
    const hashing = new HashingTransform(options.maxBytes);
    // pipe() leaves a caller's stream open when we fail: an HTTP handler still has to answer.
    input.on('error', (err: Error) => hashing.destroy(err));
    input.pipe(hashing);
    const tempKey = `${this.prefix ? `${this.prefix}/` : ''}uploads/${randomUUID()}`;
    try {
      await new Upload({
        client: this.s3,
        params: { Bucket: this.bucket, Key: tempKey, Body: hashing },
        leavePartsOnError: false,
      }).done();
      const sha256 = hashing.digest();
      if (options.sha256 && options.sha256 !== sha256) {
        throw new ArtifactIntegrityError(options.sha256, sha256);
      }
      const sizeBytes = hashing.sizeBytes;
      const key = this.keyOf(sha256);
      const created = await this.withObjectLock(sha256, async (client) => {
        const existing = await findArtifact(client, sha256);
        // Copied before the row is inserted: a visible row always has its object. A row whose
        // object is missing gets it back.
        if (existing && (await this.objectExists(key))) return false;
        await this.s3.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            CopySource: `${this.bucket}/${encodeURI(tempKey)}`,
            Key: key,
          }),
        );
        return insertArtifact(client, { sha256, sizeBytes, storage: 's3', loOid: null });
      });
      return { sha256, sizeBytes, created };
    } finally {
      if (typeof source === 'string') input.destroy();
      else input.unpipe(hashing);
      await this.deleteObject(tempKey).catch(() => undefined);
    }
  }

  async openRead(sha256: string, options: OpenReadOptions = {}): Promise<Readable> {
    if (options.purpose !== 'download') return this.openObject(sha256);
    const release = this.downloads.reserve();
    try {
      return this.downloads.guard(await this.openObject(sha256), release);
    } catch (err) {
      release();
      throw err;
    }
  }

  private async openObject(sha256: string): Promise<Readable> {
    assertSha256(sha256);
    const entry = await findArtifact(this.pool, sha256);
    if (!entry) throw new ArtifactNotFoundError(sha256);
    if (entry.storage !== 's3') {
      throw new Error(
        `Artifact ${sha256} is stored in ${entry.storage}, not in S3: check ARTIFACT_STORE_URL.`,
      );
    }
    try {
      const response = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }),
      );
      if (!response.Body) throw new ArtifactNotFoundError(sha256);
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return response.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') throw new ArtifactNotFoundError(sha256);
      throw err;
    }
  }

  override async delete(sha256: string, options: DeleteArtifactOptions = {}): Promise<boolean> {
    assertSha256(sha256);
    // Row first, then the object, both under the lock a concurrent put of the same bytes waits
    // for: that put then finds no row and uploads the object again.
    return this.withObjectLock(sha256, async (client) => {
      const removed = await deleteUnreferencedArtifact(client, sha256, options.olderThan);
      if (!removed) return false;
      if (removed.storage === 's3') await this.deleteObject(this.keyOf(sha256));
      return true;
    });
  }

  async afterRelease(released: ReleasedArtifact): Promise<void> {
    if (!released.removed || released.storage !== 's3') return;
    await this.withObjectLock(released.sha256, async (client) => {
      // The same bytes may have been put again since the release committed: keep them then.
      if (await findArtifact(client, released.sha256)) return;
      await this.deleteObject(this.keyOf(released.sha256));
    });
  }

  async close(): Promise<void> {
    this.s3.destroy();
    await this.pool.end();
  }

  /** Runs `fn` holding the advisory lock of `sha256`'s object, outside any transaction. */
  private async withObjectLock<T>(
    sha256: string,
    fn: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', [
        LOCK_NAMESPACE,
        sha256,
      ]);
      try {
        return await fn(client);
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [LOCK_NAMESPACE, sha256])
          // Dropping the session releases the lock.
          .catch(() => (broken = true));
      }
    } finally {
      client.release(broken);
    }
  }

  private async objectExists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if ((err as { name?: string }).name === 'NotFound' || status === 404) return false;
      throw err;
    }
  }

  private async deleteObject(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/** Passes bytes through while hashing and counting them, failing past `maxBytes`. */
class HashingTransform extends Transform {
  sizeBytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes?: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sizeBytes += chunk.length;
    if (this.maxBytes !== undefined && this.sizeBytes > this.maxBytes) {
      callback(new ArtifactTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
