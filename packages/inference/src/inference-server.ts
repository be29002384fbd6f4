import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  INFERENCE_HEADER_CONTENT_LENGTH,
  encodeInferResponse,
  sendInferResponse,
  parseInferRequestBody,
  wantsBinaryOutput,
} from './binary-data';
import type { InferenceEngine } from './inference-engine';
import {
  EngineClosedError,
  GenerationInputError,
  GenerationOverloadedError,
  InferenceInputError,
  InferenceRunError,
  InferenceTimeoutError,
  ModelUnavailableError,
  ModelLoadError,
  VersionNotFoundError,
} from './inference.errors';
import { silentLogger } from './logger';
import type { InferenceLogger } from './logger';
import type { RemoteBundles } from './remote-bundles';
import { parseBundleManifest } from './remote-bundles';
import {
  EMBED_PATH,
  GENERATE_STREAM_PATH,
  NDJSON_CONTENT_TYPE,
  encodeVector,
  parseRemoteGenerateRequest,
  parseRemoteTexts,
  type RemoteGenerationLine,
} from './remote-generation';
import { decodeOipInputs } from './tensor-codec';
import type { VersionKey } from './tensor.types';

/** The header with which a caller names the artifact sha256 of the version it addresses. */
export const ARTIFACT_SHA256_HEADER = 'x-maas-artifact-sha256';

export interface InferenceServerOptions {
  /** `INFERENCE_PORT`; 0 picks a free port. */
  port: number;
  /** Default `0.0.0.0`. */
  host?: string;
  /** `INFERENCE_WORKER_TOKEN`. Unset or empty: every call but the health checks is refused. */
  token?: string;
  engine: InferenceEngine;
  /**
   * Finds a version's artifact sha256 when the caller does not send `X-Maas-Artifact-Sha256`
   * (e.g. a database lookup). Resolve `undefined` for an unknown version (404).
   */
  resolveVersion?: (versionId: string) => Promise<VersionKey | undefined>;
  /**
   * Where bundle versions' files go (from the manifest each generate and embed request sends);
   * without it, those routes answer 501.
   */
  bundles?: RemoteBundles;
  /** Largest request body in bytes. Default 64 MiB. */
  bodyLimit?: number;
  logger?: InferenceLogger;
}

export interface InferenceServer {
  /** `http://host:port` it listens on. */
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

const SERVER_METADATA = {
  name: 'maas-inference',
  version: '0.1.0',
  extensions: ['binary_tensor_data'],
};

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** What an error thrown while serving is answered with. */
export interface HttpError {
  status: number;
  message: string;
  /** A language model's refusal: its GenerationInputError code and field. */
  code?: string;
  param?: string;
  /** 429 (a language model's batch and queue are full): when to retry. */
  retryAfterMs?: number;
}

/** HTTP status and message for an error thrown while serving. */
export function httpErrorFor(err: unknown): HttpError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof GenerationInputError)
    return { status: 400, message, code: err.code, ...(err.param ? { param: err.param } : {}) };
  if (err instanceof GenerationOverloadedError)
    return { status: 429, message, retryAfterMs: err.retryAfterMs };
  if (err instanceof InferenceInputError || err instanceof InferenceRunError)
    return { status: 400, message };
  if (err instanceof VersionNotFoundError) return { status: 404, message };
  if (err instanceof InferenceTimeoutError) return { status: 504, message };
  if (err instanceof EngineClosedError || err instanceof ModelUnavailableError)
    return { status: 503, message };
  if (err instanceof ModelLoadError) return { status: 500, message };
  return { status: 500, message: 'internal error' };
}

function errorBody(message: string, details: Omit<HttpError, 'status' | 'message'>): object {
  return {
    error: message,
    ...(details.code ? { code: details.code } : {}),
    ...(details.param ? { param: details.param } : {}),
    ...(details.retryAfterMs !== undefined ? { retry_after_ms: details.retryAfterMs } : {}),
  };
}

function parseJsonBody(body: unknown): Record<string, unknown> {
  if (!Buffer.isBuffer(body) || body.byteLength === 0)
    throw new InferenceInputError('the request has no body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InferenceInputError('the request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InferenceInputError('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Starts the standalone Open Inference Protocol server of an inference worker: health, server
 * and model metadata, readiness and infer (JSON and Triton's binary tensor data extension),
 * addressed by version id, for callers presenting `Authorization: Bearer <token>`.
 */
export async function startInferenceServer(
  options: InferenceServerOptions,
): Promise<InferenceServer> {
  const { engine } = options;
  const logger = options.logger ?? silentLogger;
  const expected = options.token ? digest(options.token) : undefined;
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024, logger: false });

  // Every body arrives as a Buffer: an infer body may be a JSON header followed by binary data.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/v2/health/')) return;
    if (!expected) {
      return reply.code(401).send({
        error: 'this inference worker has no INFERENCE_WORKER_TOKEN set: it refuses remote calls',
      });
    }
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return reply.code(401).send({ error: 'missing or wrong bearer token' });
    }
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    const { status, message, ...details } = httpErrorFor(err);
    const fastifyStatus = (err as { statusCode?: number }).statusCode;
    if (status === 500 && fastifyStatus && fastifyStatus < 500) {
      // Fastify's own client errors (body too large, bad content length).
      return reply.code(fastifyStatus).send({ error: (err as Error).message });
    }
    if (status >= 500) logger.error({ err }, 'inference request failed');
    return reply.code(status).send(errorBody(message, details));
  });

  const versionKey = async (req: FastifyRequest, versionId: string): Promise<VersionKey> => {
    const sha = req.headers[ARTIFACT_SHA256_HEADER];
    if (typeof sha === 'string' && sha.length > 0)
      return { id: versionId, sha256: sha.toLowerCase() };
    if (!options.resolveVersion) {
      throw new InferenceInputError(
        `send the version's artifact sha256 in the ${ARTIFACT_SHA256_HEADER} header`,
      );
    }
    const key = await options.resolveVersion(versionId);
    if (!key) throw new VersionNotFoundError(`no model version ${versionId}`);
    return key;
  };

  app.get('/v2/health/live', (_req, reply) => reply.code(200).send());
  app.get('/v2/health/ready', (_req, reply) => reply.code(engine.isOpen ? 200 : 503).send());
  // Beyond OIP's name/version/extensions: what the API's remote client reports in inferenceStatus.
  app.get('/v2', () => {
    const status = engine.status();
    return {
      ...SERVER_METADATA,
      execution_provider: status.executionProvider,
      threads: status.workers,
      loaded_versions: status.loadedVersions,
      loaded_bytes: status.loadedBytes,
      generation: engine.generationOccupancy().map((o) => ({
        version_id: o.versionId,
        running: o.running,
        queued: o.queued,
      })),
    };
  });

  app.get<{ Params: { versionId: string } }>('/v2/models/:versionId', async (req) => {
    const key = await versionKey(req, req.params.versionId);
    const signature = await engine.signature(key);
    return {
      name: key.id,
      versions: [key.id],
      platform: 'onnxruntime',
      inputs: signature.inputs,
      outputs: signature.outputs,
    };
  });

  app.get<{ Params: { versionId: string } }>('/v2/models/:versionId/ready', async (req, reply) => {
    try {
      await engine.signature(await versionKey(req, req.params.versionId));
      return reply.code(200).send();
    } catch (err) {
      const { status, message } = httpErrorFor(err);
      return reply.code(status === 404 || status === 400 ? status : 503).send({ error: message });
    }
  });

  app.post<{ Params: { versionId: string } }>('/v2/models/:versionId/infer', async (req, reply) =>
    infer(req, reply),
  );

  async function infer(
    req: FastifyRequest<{ Params: { versionId: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.byteLength === 0)
      throw new InferenceInputError('the infer request has no body');
    const headerLengthText = req.headers[INFERENCE_HEADER_CONTENT_LENGTH];
    const headerLength =
      typeof headerLengthText === 'string' ? Number(headerLengthText) : undefined;
    const request = parseInferRequestBody(body, headerLength);
    const key = await versionKey(req, req.params.versionId);
    const signature = await engine.signature(key);
    const inputs = decodeOipInputs(signature.inputs, request.inputs);
    const requested = request.outputs?.map((o) => o.name);
    const outputs = await engine.infer(key, inputs, { outputs: requested });
    const names =
      requested && requested.length > 0 ? requested : signature.outputs.map((o) => o.name);
    const skipped = requested && requested.length > 0 ? [] : signature.nonTensorOutputs;
    const encoded = encodeInferResponse(
      {
        model_name: key.id,
        model_version: key.id,
        id: typeof request.id === 'string' ? request.id : undefined,
        // Outputs ONNX Runtime cannot hand to JavaScript (sequences, maps) are named, not failed on.
        parameters:
          skipped.length > 0 ? { skipped_non_tensor_outputs: skipped.join(',') } : undefined,
        outputs: names.flatMap((name) => {
          const tensor = outputs[name];
          return tensor ? [{ name, tensor }] : [];
        }),
      },
      (name) => wantsBinaryOutput(request, name),
    );
    return sendInferResponse(reply, encoded);
  }

  // Generations being streamed: the server's close cancels them rather than wait for their end.
  const streaming = new Set<AbortController>();

  /** A JSON body's value, after the version's bundle manifest is registered. */
  const bundleRequest = async (
    req: FastifyRequest<{ Params: { versionId: string } }>,
  ): Promise<{ key: VersionKey; body: Record<string, unknown> }> => {
    const bundles = options.bundles;
    if (!bundles) throw new ModelLoadError('this inference worker serves no model bundles');
    const body = parseJsonBody(req.body);
    const key = await versionKey(req, req.params.versionId);
    bundles.register(key, parseBundleManifest(body.bundle));
    return { key, body };
  };

  app.post<{ Params: { versionId: string } }>(
    `/v2/models/:versionId/${EMBED_PATH}`,
    async (req) => {
      const { key, body } = await bundleRequest(req);
      const result = await engine.embed(key, parseRemoteTexts(body.texts));
      return {
        embeddings: result.embeddings.map(encodeVector),
        dimensions: result.dimensions,
        promptTokens: result.promptTokens,
      };
    },
  );

  app.post<{ Params: { versionId: string } }>(
    `/v2/models/:versionId/${GENERATE_STREAM_PATH}`,
    async (req, reply) => {
      const { key, body } = await bundleRequest(req);
      // The caller closing its connection (or this server closing) cancels the generation.
      const controller = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('the caller went away'));
        streaming.delete(controller);
      };
      reply.raw.once('close', onClose);
      streaming.add(controller);
      const stream = await engine.generate(key, parseRemoteGenerateRequest(body.request), {
        signal: controller.signal,
      });
      // Accepted: from here the answer is the stream, written as the engine yields.
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': NDJSON_CONTENT_TYPE, 'cache-control': 'no-cache' });
      const write = async (line: RemoteGenerationLine) => {
        if (raw.destroyed) return;
        if (!raw.write(`${JSON.stringify(line)}\n`))
          await new Promise<void>((resolve) => {
            raw.once('drain', resolve);
            raw.once('close', resolve);
          });
      };
      try {
        await write({ type: 'start', promptTokens: stream.promptTokens });
        for await (const event of stream) {
          if (raw.destroyed) break;
          await write(event);
        }
      } catch (err) {
        if (!controller.signal.aborted) {
          const { status, message, ...details } = httpErrorFor(err);
          if (status >= 500) logger.error({ err }, 'generation failed');
          await write({ type: 'error', status, error: message, ...details });
        }
      } finally {
        stream.cancel();
        raw.end();
      }
    },
  );

  const address = await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = app.server.address();
  const actualPort = typeof port === 'object' && port ? port.port : options.port;
  logger.info(
    { address, auth: expected ? 'bearer token' : 'refusing all calls (no token)' },
    'inference worker listening',
  );
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${actualPort}`,
    port: actualPort,
    app,
    close: () => {
      for (const controller of streaming)
        controller.abort(new Error('the worker is shutting down'));
      return app.close();
    },
  };
}
