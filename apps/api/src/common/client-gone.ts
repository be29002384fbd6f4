import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that aborts when the client goes away before its answer is complete (the
 * socket closed, or the request was destroyed): the one way an HTTP route learns that the work it
 * started for a caller (a generation holding a batch slot) is no longer wanted. Made after the
 * response has already closed (a lazily made signal, see context.ts), it is aborted at once.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  if (res.closed) {
    if (!res.writableFinished) controller.abort();
    return controller.signal;
  }
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
