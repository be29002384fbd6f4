import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { refuseDeclaredOversize } from '../../common/body-limits';
import { uploadLimit, withStreamingBody } from '../../common/streaming-body';
import type { Services } from '../../services';
import { requireAuth } from '../auth/auth.hooks';

/** `POST /v1/datasets?name=`: a CSV file streamed as the body. */
export function registerDatasetRoutes(app: FastifyInstance, services: Services): void {
  withStreamingBody(app, (scope) => {
    scope.post<{ Querystring: { name?: string } }>(
      '/v1/datasets',
      {
        // Authenticated, then sized by Content-Length, before a byte of the body is read; the
        // upload service counts a chunked body as it streams it.
        onRequest: [requireAuth(services), refuseDeclaredOversize(() => uploadLimit(services))],
        bodyLimit: services.config.MAX_UPLOAD_BYTES,
      },
      async (req, reply) => {
        const dataset = await services.datasets.upload(
          req.auth,
          req.query.name,
          req.raw as Readable,
          req.headers['idempotency-key'],
        );
        return reply.code(201).send({
          id: dataset.id,
          name: dataset.name,
          rowCount: dataset.rowCount,
          sizeBytes: dataset.sizeBytes,
          columns: dataset.columns,
        });
      },
    );
  });
}
