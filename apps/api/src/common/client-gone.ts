import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that aborts when the client goes away before its answer is complete (the
 * socket closed, or the request was destroyed): the one way an HTTP route learns that the work it
 * started for a caller (a generation holding a batch slot) is no longer wanted.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
