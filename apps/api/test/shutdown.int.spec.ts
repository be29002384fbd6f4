import { spawn } from 'node:child_process';
import path from 'node:path';
import { createApiServer, loadConfig } from '@maas/api';
import { getFreePort } from '@maas/db';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@maas/testing';

const API_ENTRY = path.resolve(__dirname, '..', 'dist', 'main.js');
let database: TestDatabase;

/** Connections this database has from maas processes (the API names every pool it opens). */
async function maasConnections(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'maas%'`,
  );
  return Number(rows[0]?.count);
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('the API process', () => {
  it('on SIGTERM closes WebSockets, finishes, releases its database connections and exits 0', async () => {
    const port = await getFreePort();
    const adminKey = 'maas_shutdown_test_key_0123456789';
    const child = spawn(process.execPath, [API_ENTRY], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    for (let i = 0; i < 150; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    // An open graphql-ws connection with an active subscription.
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => socket.on('open', () => resolve()));
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${adminKey}` } }),
    );
    await new Promise<void>((resolve) => socket.once('message', () => resolve()));
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { trainingJobsUpdated { id } }' },
      }),
    );

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const count = () => maasConnections(client);
    expect(await count()).toBeGreaterThan(0);

    const started = Date.now();
    child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited, output.join('')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await count()).toBe(0);
    await client.end();
  });

  it('closes what it had opened when it fails to start', async () => {
    // The worker URL is refused only after the pool, the event bus, the store and the engine are open.
    const config = loadConfig({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      ORT_EXECUTION_PROVIDERS: 'cpu',
      INFERENCE_WORKERS: 'ftp://127.0.0.1:1',
      INFERENCE_WORKER_TOKEN: 'inference-worker-token',
    });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await expect(createApiServer({ config })).rejects.toThrow(
        "INFERENCE_WORKERS: 'ftp://127.0.0.1:1' must be an http:// or https:// URL",
      );
      // A closed connection leaves pg_stat_activity when its backend exits, a moment later.
      await expect.poll(() => maasConnections(client), { timeout: 2000 }).toBe(0);
    } finally {
      await client.end();
    }
  });
});
