import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  decodeOipInputs,
  encodeInferResponse,
  sendInferResponse,
  INFERENCE_HEADER_CONTENT_LENGTH,
  InferenceInputError,
  parseInferRequestBody,
  wantsBinaryOutput,
} from '@maas/inference';
import type { IncomingHttpHeaders } from 'node:http';
import { readBodyWithin, refuseDeclaredOversize, type BodyLimit } from '../../common/body-limits';
import { badInput, notFound, payloadTooLarge, UserError } from '../../common/errors';
import type { Services } from '../../services';
import { requireAuth } from '../auth/auth.hooks';
import { nonTensorOutputs } from './predictions.service';
import type { TargetQuery } from './target-resolver';

type ModelParams = { name: string; version?: string };

const SERVER_METADATA = {
  name: 'maas',
  version: '0.1.0',
  extensions: ['binary_tensor_data', 'model_repository'],
};

/** The `outputs` of an infer request: absent, or a list of `{"name": "..."}`. */
function requestedOutputs(outputs: unknown): string[] | undefined {
  if (outputs === undefined || outputs === null) return undefined;
  if (
    !Array.isArray(outputs) ||
    !outputs.every((o) => typeof (o as { name?: unknown } | null)?.name === 'string')
  ) {
    throw badInput('"outputs" must be a list of {"name": "<output name>"} objects');
  }
  const names = (outputs as { name: string }[]).map((o) => o.name);
  return names.length > 0 ? names : undefined;
}

/**
 * An infer body with binary tensor data (an `Inference-Header-Content-Length` header) may be as
 * large as MAX_OIP_BINARY_BYTES; a JSON one, which is parsed on the main thread, MAX_OIP_JSON_BYTES.
 */
function oipBodyLimit(services: Services, headers: IncomingHttpHeaders): BodyLimit {
  return headers[INFERENCE_HEADER_CONTENT_LENGTH] !== undefined
    ? { bytes: services.config.MAX_OIP_BINARY_BYTES, variable: 'MAX_OIP_BINARY_BYTES' }
    : { bytes: services.config.MAX_OIP_JSON_BYTES, variable: 'MAX_OIP_JSON_BYTES' };
}

function targetOf(params: ModelParams): TargetQuery {
  if (params.version === undefined) return { name: params.name };
  const version = Number(params.version);
  if (!Number.isInteger(version) || version < 1)
    throw notFound(`Version "${params.version}" does not exist`);
  return { name: params.name, version };
}

/**
 * The Open Inference Protocol (KServe V2 / Triton) on the API port, by deployment or model name,
 * with Triton's binary tensor data extension. Errors are `{"error": "..."}` with an HTTP status.
 */
export function registerOipRoutes(app: FastifyInstance, services: Services): void {
  app.get('/v2/health/live', (_req, reply) => reply.code(200).send({ live: true }));
  app.get('/v2/health/ready', async (_req, reply) => {
    try {
      await services.db.query('SELECT 1');
      return await reply.code(200).send({ ready: true });
    } catch {
      return reply.code(503).send({ ready: false });
    }
  });

  app.register((scope, _opts, done) => {
    // Authenticated, then sized by Content-Length, before a byte of the body is read.
    scope.addHook('onRequest', requireAuth(services));
    scope.addHook(
      'onRequest',
      refuseDeclaredOversize((req) => oipBodyLimit(services, req.headers)),
    );
    // Infer bodies may be a JSON header followed by raw tensor bytes: take every body as a
    // Buffer, counted against its limit while it streams in.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (req, payload, next) => {
      // Binary tensor data starts after the JSON header: aligned, it is viewed, not copied.
      const header = req.headers[INFERENCE_HEADER_CONTENT_LENGTH];
      const alignAt =
        typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
      readBodyWithin(payload, req.headers, oipBodyLimit(services, req.headers), alignAt).then(
        (body) => next(null, body),
        (err: Error) => next(err),
      );
    });

    scope.get('/v2', () => SERVER_METADATA);

    const metadata = async (req: FastifyRequest<{ Params: ModelParams }>) => {
      const query = targetOf(req.params);
      const target = await services.predictions.resolver.resolve(req.auth.workspaceId, query);
      const first = target.routes[0]?.version;
      if (!first) throw notFound(`"${req.params.name}" has no version to serve`);
      return {
        name: req.params.name,
        versions: target.routes.map((r) => String(r.version.version)),
        platform: 'onnxruntime',
        inputs: first.signature.inputs,
        outputs: first.signature.outputs,
      };
    };
    scope.get('/v2/models/:name', metadata);
    scope.get('/v2/models/:name/versions/:version', metadata);

    const ready = async (req: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
      try {
        await services.predictions.resolver.resolve(req.auth.workspaceId, targetOf(req.params));
        return await reply.code(200).send({ name: req.params.name, ready: true });
      } catch (err) {
        if (err instanceof UserError && err.code === 'NOT_FOUND')
          return reply.code(404).send({ error: err.message });
        throw err;
      }
    };
    scope.get('/v2/models/:name/ready', ready);
    scope.get('/v2/models/:name/versions/:version/ready', ready);

    const infer = async (req: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.byteLength === 0)
        throw badInput('The infer request has no body');
      const headerText = req.headers[INFERENCE_HEADER_CONTENT_LENGTH];
      const headerLength = typeof headerText === 'string' ? Number(headerText) : undefined;
      // The JSON part is parsed on the main thread whatever the body's size: it has the JSON limit.
      if (headerLength !== undefined && headerLength > services.config.MAX_OIP_JSON_BYTES) {
        throw payloadTooLarge(
          'The JSON header',
          'MAX_OIP_JSON_BYTES',
          services.config.MAX_OIP_JSON_BYTES,
        );
      }
      let request;
      try {
        request = parseInferRequestBody(body, headerLength, {
          maxBytesElements: services.config.MAX_BYTES_TENSOR_ELEMENTS,
        });
      } catch (err) {
        if (err instanceof InferenceInputError) throw badInput(err.message);
        throw err;
      }
      const requested = requestedOutputs(request.outputs);
      const { version, tensors } = await services.predictions.infer(
        req.auth,
        targetOf(req.params),
        (v) => decodeOipInputs(v.signature.inputs, request.inputs),
        requested,
      );
      const skipped = requested ? [] : nonTensorOutputs(version.signature.outputs);
      const names =
        requested ??
        version.signature.outputs.map((o) => o.name).filter((n) => !skipped.includes(n));
      const encoded = encodeInferResponse(
        {
          model_name: req.params.name,
          model_version: String(version.version),
          id: typeof request.id === 'string' ? request.id : undefined,
          // Outputs that are not tensors (e.g. ZipMap's sequence of maps) are named, not failed on.
          parameters:
            skipped.length > 0 ? { skipped_non_tensor_outputs: skipped.join(',') } : undefined,
          outputs: names.flatMap((name) => {
            const tensor = tensors[name];
            return tensor ? [{ name, tensor }] : [];
          }),
        },
        (name) => wantsBinaryOutput(request, name),
      );
      return sendInferResponse(reply, encoded);
    };
    scope.post('/v2/models/:name/infer', infer);
    scope.post('/v2/models/:name/versions/:version/infer', infer);
    done();
  });
}
