import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../../common/metrics';
import type { Services } from '../../services';
import { requireAuth } from '../auth/auth.hooks';
import { requireRoot } from '../auth/auth.service';

/** `/healthz` for load balancers and `/metrics` (root key only) for Prometheus. */
export function registerHealthRoutes(
  app: FastifyInstance,
  services: Services,
  metrics: ApiMetrics,
): void {
  app.get('/healthz', async (_req, reply) => {
    try {
      await services.db.query('SELECT 1');
      return await reply.send({ status: 'ok' });
    } catch (err) {
      services.logger.warn({ err }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', error: 'database unreachable' });
    }
  });

  app.get('/metrics', { preHandler: requireAuth(services) }, async (req, reply) => {
    requireRoot(req.auth, 'read /metrics');
    return reply
      .header('content-type', metrics.registry.contentType)
      .send(await metrics.registry.metrics());
  });
}
