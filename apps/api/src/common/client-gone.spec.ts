import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { clientGone } from './client-gone';

/** One request to a real server; `handle` gets the response as Fastify's `reply.raw`. */
async function withRequest(
  handle: (res: ServerResponse, req: IncomingMessage) => Promise<void>,
  client: (req: ReturnType<typeof request>) => void,
): Promise<void> {
  let handled: Promise<void> | undefined;
  const server = createServer((req, res) => {
    handled = handle(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  client(req);
  await new Promise<void>((resolve) => {
    const wait = () => (handled ? void handled.then(resolve) : setTimeout(wait, 5));
    wait();
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const replyOf = (res: ServerResponse) => ({ raw: res }) as unknown as FastifyReply;
const closed = (res: ServerResponse) =>
  new Promise<void>((resolve) => (res.closed ? resolve() : res.once('close', () => resolve())));

describe('clientGone', () => {
  it('aborts when the client drops the connection before the answer', async () => {
    await withRequest(
      async (res) => {
        const signal = clientGone(replyOf(res));
        expect(signal.aborted).toBe(false);
        await closed(res);
        expect(signal.aborted).toBe(true);
      },
      (req) => {
        req.write('x');
        setTimeout(() => req.destroy(), 50);
      },
    );
  });

  it('is aborted at once when first made after the client has gone (a lazily made signal)', async () => {
    await withRequest(
      async (res) => {
        await closed(res);
        expect(clientGone(replyOf(res)).aborted).toBe(true);
      },
      (req) => {
        req.write('x');
        setTimeout(() => req.destroy(), 50);
      },
    );
  });

  it('does not abort once the answer was sent, made before or after', async () => {
    await withRequest(
      async (res) => {
        const before = clientGone(replyOf(res));
        res.end('ok');
        await closed(res);
        expect(before.aborted).toBe(false);
        expect(clientGone(replyOf(res)).aborted).toBe(false);
      },
      (req) => req.end('x'),
    );
  });
});
