import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { refuseDeclaredOversize, type BodyLimit } from '../../common/body-limits';
import { clientGone } from '../../common/client-gone';
import { badInput, notFound, payloadTooLarge, unauthenticated } from '../../common/errors';
import type { Services } from '../../services';
import { requireAuth } from '../auth/auth.hooks';
import type { AuthInfo } from '../auth/auth.service';
import type { GenerationInput } from './generation-limits';
import type { GenerationStream, StreamEvent } from './language-models.service';
import { toOpenAiError, type OpenAiErrorBody } from './openai.errors';
import {
  ChatCompletionBody,
  chatGenerationInput,
  CompletionBody,
  completionGenerationInput,
  EmbeddingBody,
  embeddingTexts,
  parseBody,
} from './openai.schemas';

/** OpenAI's default `max_tokens` of a text completion. */
const COMPLETION_DEFAULT_MAX_TOKENS = 16;

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
const usageOf = (u: { promptTokens: number; completionTokens: number }): Usage => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.promptTokens + u.completionTokens,
});

/** Little-endian float32 bytes, base64: what the `openai` client decodes. */
function base64Floats(vector: Float32Array): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i += 1) bytes.writeFloatLE(vector[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

/** What a streamed answer writes for each event: the OpenAI chunk objects, without `data:`. */
interface ChunkWriter {
  first(): object | undefined;
  text(text: string): object;
  finish(finishReason: string): object;
  usage(usage: Usage): object;
}

function chatChunks(stream: GenerationStream, model: string, includeUsage: boolean): ChunkWriter {
  const base = (choices: object[]) => ({
    id: `chatcmpl-${stream.id}`,
    object: 'chat.completion.chunk',
    created: stream.created,
    model,
    system_fingerprint: fingerprint(stream),
    choices,
    ...(includeUsage ? { usage: null } : {}),
  });
  const choice = (delta: object, finishReason: string | null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });
  return {
    first: () => base([choice({ role: 'assistant', content: '' }, null)]),
    text: (text) => base([choice({ content: text }, null)]),
    finish: (reason) => base([choice({}, reason)]),
    usage: (usage) => ({ ...base([]), usage }),
  };
}

function completionChunks(
  stream: GenerationStream,
  model: string,
  includeUsage: boolean,
): ChunkWriter {
  const base = (choices: object[]) => ({
    id: `cmpl-${stream.id}`,
    object: 'text_completion',
    created: stream.created,
    model,
    system_fingerprint: fingerprint(stream),
    choices,
    ...(includeUsage ? { usage: null } : {}),
  });
  const choice = (text: string, finishReason: string | null) => ({
    text,
    index: 0,
    logprobs: null,
    finish_reason: finishReason,
  });
  return {
    first: () => undefined,
    text: (text) => base([choice(text, null)]),
    finish: (reason) => base([choice('', reason)]),
    usage: (usage) => ({ ...base([]), usage }),
  };
}

/** Which version answered (`<model>@<version>`): a canary shows here. */
function fingerprint(stream: Pick<GenerationStream, 'version'>): string {
  return `${stream.version.modelName}@${stream.version.version}`;
}

/**
 * Writes a generation as server-sent events: one `data:` line per chunk object, in order, then
 * `data: [DONE]`. Writes wait while the client is slow to read. An error after the first byte is
 * sent as `data: {"error": ...}` (the `openai` client throws it) and the stream ends.
 */
async function sendEvents(
  reply: FastifyReply,
  stream: GenerationStream,
  chunks: ChunkWriter,
  includeUsage: boolean,
): Promise<void> {
  const body = new PassThrough();
  reply
    .code(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no');
  void reply.send(body);
  const write = async (data: string) => {
    if (!body.write(`data: ${data}\n\n`))
      await new Promise<void>((resolve) => {
        body.once('drain', resolve);
        body.once('close', resolve);
      });
  };
  try {
    const first = chunks.first();
    if (first) await write(JSON.stringify(first));
    for await (const event of stream as AsyncIterable<StreamEvent>) {
      if (body.destroyed) break;
      if (event.type === 'text') {
        await write(JSON.stringify(chunks.text(event.text)));
      } else {
        await write(JSON.stringify(chunks.finish(event.finishReason)));
        if (includeUsage) await write(JSON.stringify(chunks.usage(usageOf(event.usage))));
      }
    }
    if (!body.destroyed) await write('[DONE]');
  } catch (err) {
    const { body: error } = toOpenAiError(err);
    if (!body.destroyed) await write(JSON.stringify(error satisfies OpenAiErrorBody));
  } finally {
    body.end();
  }
}

/** The body limit of the OpenAI routes (MAX_OPENAI_BODY_BYTES). */
function openAiBodyLimit(services: Services): BodyLimit {
  return { bytes: services.config.MAX_OPENAI_BODY_BYTES, variable: 'MAX_OPENAI_BODY_BYTES' };
}

async function generationAnswer(
  services: Services,
  auth: AuthInfo,
  reply: FastifyReply,
  kind: 'chat' | 'completion',
  model: string,
  input: GenerationInput,
  stream: { on: boolean; includeUsage: boolean },
) {
  const signal = clientGone(reply);
  const defaultMaxTokens =
    kind === 'chat' ? services.languageModels.limits.maxTokens : COMPLETION_DEFAULT_MAX_TOKENS;
  if (stream.on) {
    const started = await services.languageModels.start(
      auth,
      model,
      input,
      signal,
      defaultMaxTokens,
    );
    const chunks =
      kind === 'chat'
        ? chatChunks(started, model, stream.includeUsage)
        : completionChunks(started, model, stream.includeUsage);
    await sendEvents(reply, started, chunks, stream.includeUsage);
    return reply;
  }
  const result = await services.languageModels.generate(
    auth,
    model,
    input,
    signal,
    defaultMaxTokens,
  );
  const common = {
    created: result.created,
    model,
    system_fingerprint: fingerprint(result),
    usage: usageOf(result.usage),
  };
  if (kind === 'chat')
    return reply.send({
      id: `chatcmpl-${result.id}`,
      object: 'chat.completion',
      ...common,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: result.text, refusal: null },
          logprobs: null,
          finish_reason: result.finishReason,
        },
      ],
    });
  return reply.send({
    id: `cmpl-${result.id}`,
    object: 'text_completion',
    ...common,
    choices: [{ text: result.text, index: 0, logprobs: null, finish_reason: result.finishReason }],
  });
}

/**
 * The OpenAI-compatible API under /v1 (docs/api.md): models, chat completions, completions and
 * embeddings, with OpenAI's request and answer shapes and its error shape on every refusal,
 * authentication and body limits included. The key is checked, then the declared body size,
 * before a byte of the body is read.
 */
export function registerOpenAiRoutes(app: FastifyInstance, services: Services): void {
  app.register((scope, _opts, done) => {
    scope.setErrorHandler((err, _req, reply) => {
      const code = (err as { code?: unknown }).code;
      const cause =
        code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? payloadTooLarge(
              'The request body',
              'MAX_OPENAI_BODY_BYTES',
              services.config.MAX_OPENAI_BODY_BYTES,
            )
          : err;
      const answer = toOpenAiError(cause);
      if (answer.status >= 500 && answer.status !== 503 && answer.status !== 504)
        reply.log.error({ err }, 'OpenAI route failed');
      if (answer.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(answer.retryAfterSeconds));
      return reply.code(answer.status).send(answer.body);
    });
    const auth = requireAuth(services, (message) => toOpenAiError(unauthenticated(message)).body);
    const sized = refuseDeclaredOversize(() => openAiBodyLimit(services));
    const bodyLimit = services.config.MAX_OPENAI_BODY_BYTES;

    scope.get('/v1/models', { onRequest: auth }, async (req) => {
      const listed = await services.languageModels.list(req.auth);
      return {
        object: 'list',
        data: listed.map((m) => ({
          id: m.id,
          object: 'model',
          created: Math.floor(m.created.getTime() / 1000),
          owned_by: 'maas',
        })),
      };
    });

    scope.get<{ Params: { model: string } }>(
      '/v1/models/:model',
      { onRequest: auth },
      async (req) => {
        const listed = await services.languageModels.list(req.auth);
        const found = listed.find((m) => m.id === req.params.model);
        if (!found) throw notFound(`The model "${req.params.model.slice(0, 200)}" does not exist`);
        return {
          id: found.id,
          object: 'model',
          created: Math.floor(found.created.getTime() / 1000),
          owned_by: 'maas',
        };
      },
    );

    scope.post(
      '/v1/chat/completions',
      { onRequest: [auth, sized], bodyLimit },
      async (req, reply) => {
        const body = parseBody(ChatCompletionBody, req.body);
        return generationAnswer(
          services,
          req.auth,
          reply,
          'chat',
          body.model,
          chatGenerationInput(body),
          {
            on: body.stream === true,
            includeUsage: body.stream_options?.include_usage === true,
          },
        );
      },
    );

    scope.post('/v1/completions', { onRequest: [auth, sized], bodyLimit }, async (req, reply) => {
      const body = parseBody(CompletionBody, req.body);
      return generationAnswer(
        services,
        req.auth,
        reply,
        'completion',
        body.model,
        completionGenerationInput(body),
        { on: body.stream === true, includeUsage: body.stream_options?.include_usage === true },
      );
    });

    scope.post(
      '/v1/embeddings',
      { onRequest: [auth, sized], bodyLimit },
      async (req: FastifyRequest, reply) => {
        const body = parseBody(EmbeddingBody, req.body);
        const texts = embeddingTexts(body);
        const result = await services.languageModels.embed(
          req.auth,
          body.model,
          texts,
          clientGone(reply),
        );
        if (body.dimensions !== undefined && body.dimensions !== result.dimensions)
          throw badInput(
            `"dimensions" is ${body.dimensions}, but this model's embeddings have ${result.dimensions}: leave it out`,
            { param: 'dimensions' },
          );
        const base64 = body.encoding_format === 'base64';
        return reply.send({
          object: 'list',
          data: result.vectors.map((v, index) => ({
            object: 'embedding',
            index,
            embedding: base64 ? base64Floats(v) : Array.from(v),
          })),
          model: body.model,
          usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
        });
      },
    );
    done();
  });
}
