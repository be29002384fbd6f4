// Attack: slow readers of GET /v1/models/{name}/versions/{n}/artifact. Downloads have their own
// budget (ARTIFACT_DOWNLOAD_CONCURRENCY), apart from the connections model loads read through, and
// a stalled one is cut after ARTIFACT_DOWNLOAD_STALL_TIMEOUT_MS, ending its transaction.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { buildLinearModel } from '@maas/onnx';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServing, startApiProcess, type ApiProcess } from './api-process';

const STALL_MS = 8_000;
const BUDGET = 2;

/** A download that reads its headers and a few bytes, then stops reading. */
interface SlowReader {
  status: number;
  /** The response head: status line and headers. */
  head: string;
  contentLength: number;
  /** Resumes reading and resolves with the body bytes received in all once the server closed. */
  drain(): Promise<number>;
  body: string;
  socket: Socket;
}

function openSlowDownload(api: ApiProcess, path: string): Promise<SlowReader> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let buffered = Buffer.alloc(0);
    let headerEnd = -1;
    let bodyBytes = 0;
    let closed = false;
    const closedPromise = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      if (headerEnd >= 0) {
        bodyBytes += chunk.length;
        return;
      }
      buffered = Buffer.concat([buffered, chunk]);
      headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = buffered.subarray(0, headerEnd).toString('latin1');
      bodyBytes = buffered.length - headerEnd - 4;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const contentLength = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? -1);
      // A few bytes in: stop reading, and let TCP back-pressure reach the server.
      if (status === 200) socket.pause();
      resolve({
        status,
        head,
        contentLength,
        socket,
        get body() {
          return buffered.subarray(headerEnd + 4).toString();
        },
        async drain() {
          socket.resume();
          if (!closed) await closedPromise;
          return bodyBytes;
        },
      });
    });
    socket.once('close', () => {
      if (headerEnd < 0) reject(new Error('closed before the response headers'));
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${api.adminKey}\r\n` +
        'Connection: close\r\n\r\n',
    );
  });
}

/** Download sessions of the API inside an open transaction. */
async function downloadTransactions(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = 'maas-artifact-downloads' AND xact_start IS NOT NULL`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('slow artifact downloads', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApiProcess({
      ARTIFACT_DOWNLOAD_CONCURRENCY: String(BUDGET),
      ARTIFACT_DOWNLOAD_STALL_TIMEOUT_MS: String(STALL_MS),
    });
    const created = await api.gql(
      `mutation { a: createModel(input: { name: "big", task: REGRESSION }) { id }
                  b: createModel(input: { name: "fresh", task: REGRESSION }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    // 24 MB: far more than the socket buffers between a paused reader and the server hold.
    const weights = [new Array<number>(6_000_000).fill(0.001)];
    const big = await api.upload('big', buildLinearModel({ weights, bias: [0] }));
    expect(big.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
  });

  it('cannot starve model loads, are refused past their budget, and are cut when they stall', async () => {
    const readers = await Promise.all(
      [1, 2, 3, 4].map(() => openSlowDownload(api, '/v1/models/big/versions/1/artifact')),
    );
    const streaming = readers.filter((r) => r.status === 200);
    const refused = readers.filter((r) => r.status !== 200);
    expect(streaming).toHaveLength(BUDGET);
    expect(refused.map((r) => r.status)).toEqual([429, 429]);
    for (const r of refused) {
      await r.drain();
      expect(JSON.parse(r.body)).toMatchObject({ code: 'RATE_LIMITED' });
      expect(r.head).toMatch(/\r\nretry-after: 1\r\n/i);
    }
    // The stalled downloads hold their transactions...
    expect(await downloadTransactions(api.databaseUrl)).toBe(BUDGET);

    // ...and still a new version uploads, loads and predicts at once.
    const started = Date.now();
    const up = await api.upload('fresh', buildLinearModel({ weights: [[3]], bias: [1] }));
    expect(up.status).toBe(201);
    const predicted = await api.gql(
      `{ predict(input: { model: "fresh", version: 1, inputs: { input: [[2]] } }) { outputs } }`,
    );
    expect(predicted.errors).toBeUndefined();
    expect(predicted.data.predict.outputs).toEqual({ output: [[7]] });
    await expectStillServing(api);
    expect(Date.now() - started).toBeLessThan(STALL_MS - 1_000);
    expect(await downloadTransactions(api.databaseUrl)).toBe(BUDGET);

    // The stall timeout cuts them: their transactions end, and they got only part of the bytes.
    const deadline = Date.now() + STALL_MS + 8_000;
    while ((await downloadTransactions(api.databaseUrl)) > 0) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const r of streaming) {
      expect(r.contentLength).toBeGreaterThan(20_000_000);
      expect(await r.drain()).toBeLessThan(r.contentLength);
    }

    // The slots are free again: a reader that keeps reading gets every byte.
    const res = await fetch(`${api.url}/v1/models/sentinel/versions/1/artifact`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('etag')).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    await expectStillServing(api);
  }, 60_000);
});
