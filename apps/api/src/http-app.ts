import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { UserError } from './common/errors';
import type { Logger } from './common/logger';
import type { ApiMetrics } from './common/metrics';
import type { ApiConfig } from './env';

/**
 * The Fastify instance, without routes: CORS, WebSockets, request metrics, and errors and unknown
 * routes answered as `{ error, code }` with the contract's codes.
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
    bodyLimit: config.MAX_GRAPHQL_BODY_BYTES,
    trustProxy: true,
    return503OnClosing: true,
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

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.setErrorHandler((err: FastifyError | UserError, req, reply) => {
    if (err instanceof UserError) {
      const retryAfter = err.details.retryAfterSeconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return reply
        .code(err.httpStatus)
        .send({ error: err.message, code: err.code, ...err.details });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply
        .code(500)
        .send({ error: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });
    }
    const code =
      status === 413 ? 'QUOTA_EXCEEDED' : status === 401 ? 'UNAUTHENTICATED' : 'BAD_USER_INPUT';
    return reply.code(status).send({ error: err.message, code });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: `No route ${req.method} ${req.url.split('?')[0]}`, code: 'NOT_FOUND' }),
  );
  return app;
}
