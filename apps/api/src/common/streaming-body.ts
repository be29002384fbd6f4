import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';
import type { BodyLimit } from './body-limits';

/** The limit of streamed uploads (models, datasets). */
export function uploadLimit(services: Services): BodyLimit {
  return { bytes: services.config.MAX_UPLOAD_BYTES, variable: 'MAX_UPLOAD_BYTES' };
}

/**
 * Registers routes whose handlers stream `req.raw` themselves (uploads): in this scope Fastify
 * parses no body, so nothing is buffered in memory.
 */
export function withStreamingBody(
  app: FastifyInstance,
  routes: (scope: FastifyInstance) => void,
): void {
  app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, next) => next(null));
    routes(scope);
    done();
  });
}
