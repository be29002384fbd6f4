import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Pool, type PoolClient } from 'pg';
import {
  deleteUnreferencedArtifact,
  findArtifact,
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
  type PutArtifactOptions,
  type PutArtifactResult,
  type ReleasedArtifact,
} from './artifact-store';

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
  /** Connections for downloads: their own small pool, so long reads never starve writes. Default 4. */
  readPoolSize?: number;
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

  constructor(options: PgArtifactStoreOptions) {
    super();
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      application_name: 'maas-artifacts',
    });
    this.readPool = new Pool({
      connectionString: options.url,
      max: options.readPoolSize ?? 4,
      application_name: 'maas-artifact-reads',
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.readPool.on('error', () => undefined);
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

  async openRead(sha256: string): Promise<Readable> {
    assertSha256(sha256);
    const client = await this.readPool.connect();
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

  override async delete(sha256: string): Promise<boolean> {
    assertSha256(sha256);
    return inTransaction(this.pool, async (client) => {
      const removed = await deleteUnreferencedArtifact(client, sha256);
      if (removed?.loOid != null) await client.query('SELECT lo_unlink($1)', [removed.loOid]);
      return removed !== null;
    });
  }

  async afterRelease(_released: ReleasedArtifact): Promise<void> {
    // Large objects are unlinked inside the releasing transaction.
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.readPool.end()]);
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
