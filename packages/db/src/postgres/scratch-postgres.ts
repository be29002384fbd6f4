import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureDatabase } from '../data-source';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { getFreePort } from './postgres-binaries';

/**
 * Starts a throw-away embedded PostgreSQL (fresh temporary folder, free port, fsync off) for
 * tests and tools. `stop()` shuts it down and deletes the folder.
 */
export async function startScratchPostgres(
  options: { log?: (line: string) => void; settings?: Record<string, string | number> } = {},
): Promise<EmbeddedPostgres> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'maas-pg-'));
  // Two starters can draw the same free port; retry on a clash.
  for (let attempt = 1; ; attempt++) {
    try {
      const server = await startEmbeddedPostgres({
        dataDir,
        port: await getFreePort(),
        durable: false,
        ...options,
      });
      return {
        url: server.url,
        port: server.port,
        pid: server.pid,
        async stop() {
          await server.stop();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      const clash = String((err as Error).message).includes('Address already in use');
      if (!clash || attempt >= 3) {
        await rm(dataDir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

/**
 * Runs `fn` against an empty database that exists only for the call: a new database on
 * `adminUrl` when given (an external server), else on a scratch embedded cluster.
 */
export async function withScratchDatabase<T>(
  fn: (url: string) => Promise<T>,
  adminUrl?: string,
): Promise<T> {
  const server = adminUrl ? null : await startScratchPostgres();
  const admin = adminUrl ?? server?.url ?? '';
  const name = `maas_scratch_${randomBytes(6).toString('hex')}`;
  try {
    const url = await ensureDatabase(admin, name);
    try {
      return await fn(url);
    } finally {
      await dropDatabase(admin, name);
    }
  } finally {
    await server?.stop();
  }
}

/** Drops database `name`, ending its sessions first (PostgreSQL 13+ `WITH (FORCE)`). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid database name "${name}".`);
  const client = new Client({ connectionString: adminUrl, application_name: 'maas-admin' });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
