import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Services } from '../../services';
import type { AuthInfo } from './auth.service';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthInfo;
  }
}

/**
 * 401 unless the request carries a valid, unrevoked API key (a failure is recorded in the audit
 * log, sampled: sign-in-failures.ts); sets `req.auth`, with the client address. An `onRequest`
 * hook: it runs before Fastify reads the body, so a caller without a valid key never gets a byte
 * of its body read (the 401 closes the connection, see http-app.ts).
 */
export function requireAuth(services: Services): onRequestAsyncHookHandler {
  return async function (this: unknown, req: FastifyRequest, reply: FastifyReply) {
    const auth = await services.auth.authenticate(req.headers.authorization);
    if (!auth) {
      services.signInFailures.record(
        req.ip,
        req.headers.authorization ? 'unknown_or_revoked_key' : 'missing_key',
        'http',
        `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
      );
      const message = req.headers.authorization
        ? 'The API key is unknown or revoked'
        : 'Missing API key: send "Authorization: Bearer <key>"';
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(
          req.url.startsWith('/graphql')
            ? { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }
            : { error: message, code: 'UNAUTHENTICATED' },
        );
      return reply;
    }
    // A copy per request: the cached AuthInfo is shared by every request with this key.
    req.auth = { ...auth, sourceAddress: req.ip };
  };
}
