// Issue 9, item 1: bodies are authenticated and sized before they are read, and slow clients are
// timed out. Every attack goes to the real API process (127.0.0.1) and ends with the service
// still serving.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStillServing,
  SENTINEL_MODEL,
  startApiProcess,
  type ApiProcess,
} from './api-process';

interface Answer {
  status: number;
  body: any;
  ms: number;
  /** Body bytes the client got onto the socket before the answer came (or it gave up). */
  sent: number;
}

/**
 * POSTs a body of `totalBytes` (zeros after `prefix`) in 1 MiB chunks, declared with
 * Content-Length or chunked, and resolves with the server's answer as soon as it comes, whether
 * or not the body was all sent; writing stops at the answer.
 */
function sendBig(
  url: string,
  path: string,
  totalBytes: number,
  opts: { key?: string; chunked?: boolean; prefix?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = Date.now();
  const target = new URL(path, url);
  return new Promise<Answer>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.chunked ? {} : { 'content-length': String(totalBytes) }),
          ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started, sent });
          req.destroy();
        });
      },
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const head = Buffer.from(opts.prefix ?? '');
    const write = () => {
      while (!answered && !req.destroyed && sent < totalBytes) {
        const piece =
          sent === 0 && head.byteLength > 0
            ? head
            : chunk.subarray(0, Math.min(chunk.byteLength, totalBytes - sent));
        sent += piece.byteLength;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      if (!answered && !req.destroyed) req.end();
    };
    write();
    setTimeout(() => {
      if (!answered) {
        req.destroy();
        reject(new Error(`no answer within 20 s (${sent} bytes sent)`));
      }
    }, 20_000).unref();
  });
}

const MB = 1_000_000;
let api: ApiProcess;

beforeAll(async () => {
  api = await startApiProcess({
    HTTP_HEADERS_TIMEOUT_MS: '1500',
    MAX_BYTES_TENSOR_ELEMENTS: '100000',
  });
});
afterAll(async () => {
  await api?.stop();
});

describe('request bodies are checked before they are read', () => {
  it('refuses a 300 MB OIP JSON body with a valid key with 413, without reading it', async () => {
    const before = api.rssBytes();
    const answer = await sendBig(api.url, '/v2/models/sentinel/infer', 300 * MB, {
      key: api.adminKey,
      prefix: '{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[',
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(answer.body.error).toContain('MAX_OIP_JSON_BYTES');
    expect(answer.ms).toBeLessThan(3000);
    expect(api.rssBytes() - before).toBeLessThan(64 * MB);
    await expectStillServing(api);
  });

  it('counts a chunked OIP body and stops reading it at the limit', async () => {
    const before = api.rssBytes();
    const answer = await sendBig(api.url, '/v2/models/sentinel/infer', 300 * MB, {
      key: api.adminKey,
      chunked: true,
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    // The server stopped at 64 MiB: the client never got the whole body onto the socket.
    expect(answer.sent).toBeLessThan(200 * MB);
    expect(api.rssBytes() - before).toBeLessThan(160 * MB);
    await expectStillServing(api);
  });

  it('answers 401 to a 100 MB body without a key or with a bad key, before reading it', async () => {
    for (const key of [undefined, 'maas_not_a_real_key']) {
      for (const path of [
        '/v2/models/sentinel/infer',
        '/graphql',
        '/v1/models/sentinel/versions',
      ]) {
        const before = api.rssBytes();
        const answer = await sendBig(api.url, path, 100 * MB, { key });
        expect(answer.status, `${path} with key ${key}`).toBe(401);
        const code = path === '/graphql' ? answer.body.errors[0].extensions.code : answer.body.code;
        expect(code).toBe('UNAUTHENTICATED');
        expect(answer.ms).toBeLessThan(3000);
        // Only what fits the socket buffers left the client: the server stopped reading.
        expect(answer.sent).toBeLessThan(50 * MB);
        expect(api.rssBytes() - before).toBeLessThan(32 * MB);
      }
    }
    await expectStillServing(api);
  });

  it('refuses a GraphQL body over 1 MiB with 413 QUOTA_EXCEEDED', async () => {
    const declared = await sendBig(api.url, '/graphql', 2 * MB, { key: api.adminKey });
    expect(declared.status).toBe(413);
    expect(declared.body.errors[0].extensions.code).toBe('QUOTA_EXCEEDED');
    expect(declared.body.errors[0].message).toContain('MAX_GRAPHQL_BODY_BYTES');
    const chunked = await sendBig(api.url, '/graphql', 2 * MB, {
      key: api.adminKey,
      chunked: true,
    });
    expect(chunked.status).toBe(413);
    // Just under the limit is parsed (and answered as a GraphQL request).
    const query = `{ viewer { role } }${' '.repeat(1_000_000)}`;
    const ok = await api.gql(query);
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ viewer: { role: 'ADMIN' } });
    await expectStillServing(api);
  });

  it('marks every GraphQL answer Cache-Control: no-store (answers depend on the key)', async () => {
    for (const body of [{ query: '{ viewer { role } }' }, { query: '{ nope }' }]) {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('bounds the element count of a binary BYTES tensor (zero-length elements: 4 bytes each)', async () => {
    const count = 100_001;
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            datatype: 'BYTES',
            shape: [count],
            parameters: { binary_data_size: 4 * count },
          },
        ],
      }),
    );
    const res = await fetch(`${api.url}/v2/models/${SENTINEL_MODEL}/infer`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.adminKey}`,
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.byteLength),
      },
      body: Buffer.concat([header, Buffer.alloc(4 * count)]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.code).toBe('BAD_USER_INPUT');
    expect(body.error).toContain('more than 100000 BYTES elements');
    await expectStillServing(api);
  });

  it('refuses an upload whose Content-Length is over MAX_UPLOAD_BYTES before reading it', async () => {
    const answer = await sendBig(api.url, '/v1/models/sentinel/versions', 600 * MB, {
      key: api.adminKey,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(answer.ms).toBeLessThan(3000);
    await expectStillServing(api);
  });
});

describe('authentication before the body', () => {
  it('still answers a CORS preflight without a key', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });
});

describe('slow clients are timed out', () => {
  it('closes a connection whose headers trickle in (slowloris) after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const started = Date.now();
    const socket = connect(Number(new URL(api.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One header line every 300 ms: never a complete request.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(`x-slow-${Date.now()}: 1\r\n`);
    }, 300);
    const at = await Promise.race([
      closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(-1), 10_000)),
    ]);
    clearInterval(drip);
    socket.destroy();
    expect(at, 'the server never closed the connection').toBeGreaterThan(0);
    expect(at - started).toBeGreaterThanOrEqual(1400);
    expect(at - started).toBeLessThan(5000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    await expectStillServing(api);
  });
});
