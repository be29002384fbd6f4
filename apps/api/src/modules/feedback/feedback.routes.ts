import type { FastifyInstance } from 'fastify';
import { refuseDeclaredOversize } from '../../common/body-limits';
import { badInput, payloadTooLarge } from '../../common/errors';
import type { Services } from '../../services';
import { requireAuth } from '../auth/auth.hooks';

/**
 * `POST /v1/feedback`: a JSON array of `{"predictionId", "record"?, "actual"}`. 200 with the count
 * recorded and each refused item with its index, code and reason. The key is checked, then the
 * declared size (MAX_FEEDBACK_BODY_BYTES), before the body is read.
 */
export function registerFeedbackRoutes(app: FastifyInstance, services: Services): void {
  const limit = {
    bytes: services.config.MAX_FEEDBACK_BODY_BYTES,
    variable: 'MAX_FEEDBACK_BODY_BYTES',
  };
  app.register((scope, _opts, done) => {
    // A chunked body past the limit: named by its own variable, then answered as everywhere else.
    scope.setErrorHandler((err) => {
      if ((err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw payloadTooLarge('The request body', limit.variable, limit.bytes);
      throw err;
    });
    scope.post(
      '/v1/feedback',
      {
        onRequest: [requireAuth(services), refuseDeclaredOversize(() => limit)],
        bodyLimit: limit.bytes,
      },
      async (req) => {
        if (!Array.isArray(req.body)) {
          throw badInput('The body is a JSON array of {"predictionId", "record"?, "actual"} items');
        }
        const outcome = await services.feedback.record(req.auth, req.body as unknown[]);
        return {
          recorded: outcome.recorded,
          unchanged: outcome.unchanged,
          errors: outcome.refused,
        };
      },
    );
    done();
  });
}
