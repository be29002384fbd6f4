import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Pool, type PoolClient } from 'pg';
import { pgPoolTimeouts, type PoolTimeouts } from '../pool-timeouts';
import {
  deleteUnreferencedArtifact,
  findArtifact,
  guardPoolErrors,
  inTransaction,
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

const INV_WRITE = 0x20000;
const INV_READ = 0x40000;
/** Bytes per lowrite/loread round trip. */
const CHUNK_BYTES = 1024 * 1024;

/** Options of {@link PgArtifactStore}. */
export interface PgArtifactStoreOptions {
  /** `postgres://...` of the maas database. */
  url: string;
  /** Connections for uploads and bookkeeping. Default 4. */
  poolSize?: number;
  /** Connections the service's own reads (model loads, training inputs) use. Default 4. */
  readPoolSize?: number;
  /**
   * Downloads to outside clients: `concurrency` is also the size of their own pool, apart from
   * the one model loads read through, so slow readers never starve loads.
   */
  downloads?: DownloadLimits;
  /** Statement, idle-in-transaction and connect timeouts of every pool. */
  timeouts?: PoolTimeouts;
}

/**
 * Artifacts as PostgreSQL large objects, written and read in 1 MiB round trips. Each upload is
 * one transaction: the large object and its `artifacts` row commit together, and a duplicate
 * (same sha256) rolls back, taking its large object with it.
 */
export class PgArtifactStore extends CatalogBackedStore implements ArtifactStore {
  readonly storage = 'pg' as const;
  protected readonly pool: Pool;
  private readonly readPool: Pool;
  private readonly downloadPool: Pool;
  private readonly downloads: DownloadBudget;

  constructor(options: PgArtifactStoreOptions) {
    super();
    this.downloads = new DownloadBudget(options.downloads);
    const pool = (max: number, name: string) =>
      guardPoolErrors(
        new Pool({
          connectionString: options.url,
          max,
          application_name: name,
          ...pgPoolTimeouts(options.timeouts),
        }),
      );
    this.pool = pool(options.poolSize ?? 4, 'maas-artifacts');
    this.readPool = pool(options.readPoolSize ?? 4, 'maas-artifact-reads');
    this.downloadPool = pool(this.downloads.limits.concurrency, 'maas-artifact-downloads');
  }

  async put(
    source: Readable | string,
    options: PutArtifactOptions = {},
  ): Promise<PutArtifactResult> {
    if (options.sha256 !== undefined) assertSha256(options.sha256);
    assertMaxBytes(options.maxBytes);
    if (typeof source === 'string' && options.sha256) {
      const existing = await findArtifact(this.pool, options.sha256);
      if (existing)
        return { sha256: existing.sha256, sizeBytes: existing.sizeBytes, created: false };
    }
    const input = typeof source === 'string' ? createReadStream(source) : source;
    try {
      return await this.write(input, options);
    } finally {
      if (typeof source === 'string') input.destroy();
    }
  }

  private async write(input: Readable, options: PutArtifactOptions): Promise<PutArtifactResult> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const oid = await scalar<number>(client, 'SELECT lo_create(0) AS value', []);
      const fd = await scalar<number>(client, 'SELECT lo_open($1, $2) AS value', [oid, INV_WRITE]);
      const hash = createHash('sha256');
      let sizeBytes = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        await client.query('SELECT lowrite($1, $2)', [fd, Buffer.concat(pending, pendingBytes)]);
        pending = [];
        pendingBytes = 0;
      };
      // Leave a caller's stream open on early exit: an HTTP handler still has to answer (413).
      for await (const chunk of input.iterator({ destroyOnReturn: false })) {
        const buffer = toBuffer(chunk);
        sizeBytes += buffer.length;
        if (options.maxBytes !== undefined && sizeBytes > options.maxBytes) {
          throw new ArtifactTooLargeError(options.maxBytes);
        }
        hash.update(buffer);
        pending.push(buffer);
        pendingBytes += buffer.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      await flush();
      await client.query('SELECT lo_close($1)', [fd]);
      const sha256 = hash.digest('hex');
      if (options.sha256 && options.sha256 !== sha256) {
        throw new ArtifactIntegrityError(options.sha256, sha256);
      }
      const created = await insertArtifact(client, {
        sha256,
        sizeBytes,
        storage: 'pg',
        loOid: oid,
      });
      // A duplicate's transaction rolls back, and its large object with it.
      await client.query(created ? 'COMMIT' : 'ROLLBACK');
      return { sha256, sizeBytes, created };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async openRead(sha256: string, options: OpenReadOptions = {}): Promise<Readable> {
    assertSha256(sha256);
    if (options.purpose !== 'download') return this.openLargeObject(this.readPool, sha256);
    const release = this.downloads.reserve();
    try {
      return this.downloads.guard(await this.openLargeObject(this.downloadPool, sha256), release);
    } catch (err) {
      release();
      throw err;
    }
  }

  private async openLargeObject(pool: Pool, sha256: string): Promise<Readable> {
    const client = await pool.connect();
    try {
      // One snapshot for the lookup and the read: a concurrent release cannot pull the large
      // object out from under a download that found its row.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const entry = await findArtifact(client, sha256);
      if (!entry) throw new ArtifactNotFoundError(sha256);
      if (entry.storage !== 'pg' || entry.loOid === null) {
        throw new Error(
          `Artifact ${sha256} is stored in ${entry.storage}, not in PostgreSQL: ` +
            'check ARTIFACT_STORE_URL.',
        );
      }
      const fd = await scalar<number>(client, 'SELECT lo_open($1, $2) AS value', [
        entry.loOid,
        INV_READ,
      ]);
      return new LargeObjectReadable(client, fd);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw err;
    }
  }

  override async delete(sha256: string, options: DeleteArtifactOptions = {}): Promise<boolean> {
    assertSha256(sha256);
    // The row and its large object go in one transaction: a concurrent put of the same bytes
    // waits for it (the primary key), then stores them anew.
    return inTransaction(this.pool, async (client) => {
      const removed = await deleteUnreferencedArtifact(client, sha256, options.olderThan);
      if (removed?.loOid != null) await client.query('SELECT lo_unlink($1)', [removed.loOid]);
      return removed !== null;
    });
  }

  async afterRelease(_released: ReleasedArtifact): Promise<void> {
    // Large objects are unlinked inside the releasing transaction.
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.readPool.end(), this.downloadPool.end()]);
  }
}

/** Reads an open large object chunk by chunk, then commits and returns its client to the pool. */
class LargeObjectReadable extends Readable {
  private done = false;

  constructor(
    private readonly client: PoolClient,
    private readonly fd: number,
  ) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  override _read(): void {
    this.client
      .query<{ data: Buffer }>('SELECT loread($1, $2) AS data', [this.fd, CHUNK_BYTES])
      .then(
        (result) => {
          if (this.destroyed) return;
          const data = result.rows[0]?.data;
          if (data && data.length > 0) {
            this.push(data);
            return;
          }
          this.finish().then(
            () => this.push(null),
            (err: Error) => this.destroy(err),
          );
        },
        (err: Error) => this.destroy(err),
      );
  }

  private async finish(): Promise<void> {
    this.done = true;
    try {
      await this.client.query('COMMIT');
      this.client.release();
    } catch (err) {
      this.client.release(true);
      throw err;
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // Stopped early: drop the connection instead of waiting for a read that may be in flight.
    if (!this.done) {
      this.done = true;
      this.client.release(true);
    }
    callback(err);
  }
}

async function scalar<T>(client: PoolClient, sql: string, params: unknown[]): Promise<T> {
  const { rows } = await client.query<{ value: T }>(sql, params);
  const row = rows[0];
  if (!row) throw new Error(`No result from: ${sql}`);
  return row.value;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new Error('Artifact sources must yield Buffers, Uint8Arrays or strings.');
}
