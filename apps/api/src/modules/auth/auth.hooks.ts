import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Services } from '../../services';
import type { AuthInfo } from './auth.service';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthInfo;
  }
}

/**
 * The key of a request or WebSocket, rate-limited. A valid key is charged to its own bucket.
 * Anything else (no key, an unknown or revoked one) is charged to its source address. A database
 * lookup of a key this replica does not hold yet takes a token from the address before it is made
 * (so a flood of random tokens from one address costs no lookup past that address's bucket, however
 * many arrive at once) and gives it back when the key turns out valid: valid keys behind one
 * address (a proxy, NAT) hold its tokens only while their lookups run, so they do not use up its
 * bucket (more new keys than its burst at the very same moment are refused for a second). Throws RATE_LIMITED; null when there is no valid key.
 */
export async function authenticateRateLimited(
  services: Services,
  authorization: string | undefined,
  address: string,
): Promise<AuthInfo | null> {
  let charged = false;
  const auth = await services.auth.authenticate(authorization, () => {
    charged = true;
    services.rateLimits.chargeAddress(address);
  });
  if (!auth) {
    if (!charged) services.rateLimits.chargeAddress(address);
    return null;
  }
  if (charged) services.rateLimits.refundAddress(address);
  services.rateLimits.chargeKey(auth);
  return auth;
}

/**
 * 401 unless the request carries a valid, unrevoked API key (a failure is recorded in the audit
 * log, sampled: sign-in-failures.ts); sets `req.auth`, with the client address. 429 RATE_LIMITED
 * (thrown to the error handler, which sets Retry-After) over the key's or the address's rate.
 * An `onRequest` hook: it runs before Fastify reads the body, so a caller without a valid key, or
 * over its rate, never gets a byte of its body read (the answer closes the connection, see
 * http-app.ts). `unauthorizedBody` shapes the 401 for routes with their own error shape (the OpenAI
 * routes); by default it is GraphQL's on /graphql and `{ error, code }` elsewhere.
 */
export function requireAuth(
  services: Services,
  unauthorizedBody?: (message: string) => unknown,
): onRequestAsyncHookHandler {
  return async function (this: unknown, req: FastifyRequest, reply: FastifyReply) {
    const auth = await authenticateRateLimited(services, req.headers.authorization, req.ip);
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
          unauthorizedBody
            ? unauthorizedBody(message)
            : req.url.startsWith('/graphql')
              ? { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }
              : { error: message, code: 'UNAUTHENTICATED' },
        );
      return reply;
    }
    // A copy per request: the cached AuthInfo is shared by every request with this key.
    req.auth = { ...auth, sourceAddress: req.ip };
  };
}
