import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../../common/metrics';
import type { Services } from '../../services';
import type { ServingBackend } from '../predictions/inference-backend';
import { requireAuth } from '../auth/auth.hooks';
import { requireRoot } from '../auth/auth.service';

/** `/healthz` for load balancers and `/metrics` (root key only) for Prometheus. */
export function registerHealthRoutes(
  app: FastifyInstance,
  services: Services,
  metrics: ApiMetrics,
  serving: ServingBackend,
): void {
  app.get('/healthz', async (_req, reply) => {
    try {
      await services.db.query('SELECT 1');
      const workers = await serving.health();
      const unreachable = workers.filter((w) => !w.ok).length;
      if (workers.length === 0 || unreachable === 0) {
        return await reply.send(
          workers.length ? { status: 'ok', inferenceWorkers: workers } : { status: 'ok' },
        );
      }
      // Serving goes on while any inference worker answers; the unreachable ones are named.
      const all = unreachable === workers.length;
      return await reply
        .code(all ? 503 : 200)
        .send({ status: all ? 'unavailable' : 'degraded', inferenceWorkers: workers });
    } catch (err) {
      services.logger.warn({ err }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', error: 'database unreachable' });
    }
  });

  app.get('/metrics', { onRequest: requireAuth(services) }, async (req, reply) => {
    requireRoot(req.auth, 'read /metrics');
    return reply
      .header('content-type', metrics.registry.contentType)
      .send(await metrics.registry.metrics());
  });
}
