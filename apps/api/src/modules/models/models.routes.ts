import { ArtifactDownloadsBusyError, listVersionFiles } from '@maas/db';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { notFound, rateLimited } from '../../common/errors';
import { refuseDeclaredOversize } from '../../common/body-limits';
import { uploadLimit, withStreamingBody } from '../../common/streaming-body';
import { bundleFormatOf } from './bundle-archive';
import { openBundleTar } from './bundle-download';
import type { Services } from '../../services';
import { requireAuth } from '../auth/auth.hooks';

/** REST routes of the registry: ONNX upload and download. */
export function registerModelRoutes(app: FastifyInstance, services: Services): void {
  withStreamingBody(app, (scope) => {
    scope.post<{ Params: { name: string } }>(
      '/v1/models/:name/versions',
      {
        // Authenticated, then sized by Content-Length, before a byte of the body is read; the
        // upload service counts a chunked body as it streams it.
        onRequest: [
          requireAuth(services),
          refuseDeclaredOversize((req) =>
            bundleFormatOf(req.headers['content-type'])
              ? { bytes: services.config.MAX_BUNDLE_BYTES, variable: 'MAX_BUNDLE_BYTES' }
              : uploadLimit(services),
          ),
        ],
        bodyLimit: Math.max(services.config.MAX_UPLOAD_BYTES, services.config.MAX_BUNDLE_BYTES),
      },
      async (req, reply) => {
        const result = await services.uploads.upload(
          req.auth,
          req.params.name,
          req.raw as Readable,
          req.headers['idempotency-key'],
          req.headers['content-type'],
        );
        return reply.code(201).send(result);
      },
    );
  });

  app.get<{ Params: { name: string; version: string } }>(
    '/v1/models/:name/versions/:version/artifact',
    { onRequest: requireAuth(services) },
    async (req, reply) => {
      const number = Number(req.params.version);
      if (!Number.isInteger(number) || number < 1)
        throw notFound(`Version "${req.params.version}" does not exist`);
      const version = await services.models.getVersionByNumber(req.auth, req.params.name, number);
      let stream: Readable;
      const files =
        version.graphPath !== null ? await listVersionFiles(services.db.manager, version.id) : null;
      try {
        stream = files
          ? await openBundleTar(services.store, files, version.createdAt)
          : await services.store.openRead(version.sha256, { purpose: 'download' });
      } catch (err) {
        if (!(err instanceof ArtifactDownloadsBusyError)) throw err;
        throw rateLimited(
          `${err.message} (ARTIFACT_DOWNLOAD_CONCURRENCY is ${err.concurrency})`,
          1,
          { limit: 'ARTIFACT_DOWNLOAD_CONCURRENCY' },
        );
      }
      if (files)
        return reply
          .header('content-type', 'application/x-tar')
          .header('content-disposition', `attachment; filename="${req.params.name}-v${number}.tar"`)
          .send(stream);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(version.sizeBytes))
        .header('etag', `"${version.sha256}"`)
        .header('content-disposition', `attachment; filename="${req.params.name}-v${number}.onnx"`)
        .send(stream);
    },
  );
}
