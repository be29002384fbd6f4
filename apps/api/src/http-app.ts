import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { payloadTooLarge, UserError } from './common/errors';
import type { Logger } from './common/logger';
import type { ApiMetrics } from './common/metrics';
import { trustProxyOf, type ApiConfig } from './env';

const UNREAD_BODY_LINGER_MS = 1000;

/**
 * The Fastify instance, without routes: timeouts, the default body limit, CORS, WebSockets,
 * request metrics, and errors and unknown routes answered as `{ error, code }` with the
 * contract's codes.
 */
export async function createHttpApp(
  config: ApiConfig,
  logger: Logger,
  metrics: ApiMetrics,
): Promise<FastifyInstance> {
  // Typed as a plain FastifyInstance: the pino logger type would otherwise leak into every route.
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    // Request lines would drown the structured logs; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Every route but the uploads and OIP infer (which set their own) parses at most this much.
    bodyLimit: config.MAX_GRAPHQL_BODY_BYTES,
    // Which peers may name the client in X-Forwarded-For (req.ip: the per-address rate limit,
    // the audit log). Off by default, so a client cannot choose its own address.
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    return503OnClosing: true,
    // A slow or stalled client cannot hold a connection: the whole request (headers and body)
    // within HTTP_REQUEST_TIMEOUT_MS, an idle socket closed after HTTP_CONNECTION_TIMEOUT_MS, an
    // idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS.
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      // Headers within HTTP_HEADERS_TIMEOUT_MS (slowloris), checked often enough to matter.
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4)),
      ),
    },
  }) as unknown as FastifyInstance;
  await app.register(cors, {
    origin: config.corsOrigins,
    credentials: false,
    allowedHeaders: [
      'authorization',
      'content-type',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'inference-header-content-length',
    ],
  });
  await app.register(websocket, { options: { maxPayload: config.MAX_GRAPHQL_BODY_BYTES } });

  // A response sent before the request's body was read (401, 413): the rest of the body is not
  // read (the socket is paused), and the connection is cut UNREAD_BODY_LINGER_MS later if the
  // body is still coming. Closing at once would reset the connection under the client before it
  // could read the answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    // Fastify asks for `connection: close` on a 413 it refuses from Content-Length; Node would then
    // reset the connection at once (data unread), often before the client reads the 413.
    if (!req.raw.complete && reply.getHeader('connection') === 'close')
      reply.removeHeader('connection');
    done(null, payload);
  });
  app.addHook('onResponse', (req, _reply, done) => {
    if (!req.raw.complete) {
      const socket = req.raw.socket;
      socket.pause();
      setTimeout(() => {
        if (!req.raw.complete) socket.destroy();
      }, UNREAD_BODY_LINGER_MS).unref();
    }
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    done();
  });
  // `/graphql` answers in GraphQL's shape, every other route as `{ error, code }`.
  const send = (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    error: string,
    code: string,
    details: Record<string, unknown> = {},
  ) =>
    reply
      .code(status)
      .send(
        req.url.startsWith('/graphql')
          ? { errors: [{ message: error, extensions: { ...details, code } }] }
          : { ...details, error, code },
      );
  app.setErrorHandler((err: FastifyError | UserError, req, reply) => {
    if (err instanceof UserError) {
      // The error's details (`limit`, `retryable`, `reason`, ...) go with it, as in GraphQL's
      // extensions; a retryable one also says when to retry.
      const { http: _http, ...details } = err.details;
      const retryAfter = details.retryAfterSeconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return send(req, reply, err.httpStatus, err.message, err.code, details);
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return send(req, reply, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const tooLarge = payloadTooLarge(
        'The request body',
        'MAX_GRAPHQL_BODY_BYTES',
        config.MAX_GRAPHQL_BODY_BYTES,
      );
      return send(req, reply, 413, tooLarge.message, 'QUOTA_EXCEEDED');
    }
    const code =
      status === 413 ? 'QUOTA_EXCEEDED' : status === 401 ? 'UNAUTHENTICATED' : 'BAD_USER_INPUT';
    return send(req, reply, status, err.message, code);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: `No route ${req.method} ${req.url.split('?')[0]}`, code: 'NOT_FOUND' }),
  );
  return app;
}
