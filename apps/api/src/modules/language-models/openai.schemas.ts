import { z } from 'zod';
import { badInput } from '../../common/errors';
import type { GenerationInput } from './generation-limits';
import type { ChatMessage } from './language-model-backend';

// The request bodies of the OpenAI routes. Unknown fields are dropped, as OpenAI-compatible
// servers do; fields that would change the answer in a way maas cannot honour are refused with a
// message naming them (docs/api.md lists both).

const MAX_ROLE_LENGTH = 32;
/** Every string in a body is bounded by the body limit; this only keeps messages readable. */
const finite = z.number().finite();

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const messageContent = z.union([z.string(), z.array(textPart).max(1000)]);

const chatMessage = z.object({
  role: z.string().min(1).max(MAX_ROLE_LENGTH),
  content: messageContent.nullable().optional(),
  name: z.string().max(256).optional(),
});

const stop = z
  .union([z.string(), z.array(z.string()).max(100)])
  .nullable()
  .optional();
const streamOptions = z
  .object({ include_usage: z.boolean().nullable().optional() })
  .nullable()
  .optional();

/** Sampling and length parameters shared by chat and text completions. */
const samplingFields = {
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().nullable().optional(),
  temperature: finite.nullable().optional(),
  top_p: finite.nullable().optional(),
  top_k: z.number().int().nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop,
  stream: z.boolean().nullable().optional(),
  stream_options: streamOptions,
  n: z.number().int().nullable().optional(),
  presence_penalty: finite.nullable().optional(),
  frequency_penalty: finite.nullable().optional(),
  logit_bias: z.record(z.string(), z.number()).nullable().optional(),
  user: z.string().max(256).optional(),
};

export const ChatCompletionBody = z.object({
  ...samplingFields,
  messages: z.array(chatMessage).max(100_000),
  max_completion_tokens: z.number().int().nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().nullable().optional(),
  tools: z.array(z.unknown()).optional(),
  tool_choice: z.unknown().optional(),
  functions: z.array(z.unknown()).optional(),
  function_call: z.unknown().optional(),
  response_format: z.object({ type: z.string() }).nullable().optional(),
  audio: z.unknown().optional(),
  modalities: z.array(z.string()).nullable().optional(),
  prediction: z.unknown().optional(),
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

export const CompletionBody = z.object({
  ...samplingFields,
  prompt: z.union([z.string(), z.array(z.unknown()).max(100_000)]),
  echo: z.boolean().nullable().optional(),
  logprobs: z.number().int().nullable().optional(),
  best_of: z.number().int().nullable().optional(),
  suffix: z.string().nullable().optional(),
});
export type CompletionBody = z.infer<typeof CompletionBody>;

export const EmbeddingBody = z.object({
  model: z.string().min(1).max(200),
  input: z.union([z.string(), z.array(z.unknown()).max(100_000)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().optional(),
  user: z.string().max(256).optional(),
});
export type EmbeddingBody = z.infer<typeof EmbeddingBody>;

/** Parses a body with `schema`; the first problem is a 400 naming its parameter. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badInput('The body must be a JSON object');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') ?? '';
  throw badInput(`Invalid "${param || 'body'}": ${issue?.message ?? 'invalid value'}`, {
    param: param || null,
  });
}

function refuse(param: string, message: string): never {
  throw badInput(`"${param}" is not supported: ${message}`, { param });
}

function refuseSamplingExtras(body: {
  n?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
}): void {
  if (body.n != null && body.n !== 1)
    refuse('n', 'maas returns one choice; send n = 1 or leave it out');
  if (body.presence_penalty) refuse('presence_penalty', 'leave it out or send 0');
  if (body.frequency_penalty) refuse('frequency_penalty', 'leave it out or send 0');
  if (body.logit_bias && Object.keys(body.logit_bias).length > 0)
    refuse('logit_bias', 'leave it out or send {}');
}

function stopList(value: string | string[] | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

function messageText(content: ChatCompletionBody['messages'][number]['content']): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}

/** A chat completion body as the generation service takes it; unsupported features refused. */
export function chatGenerationInput(body: ChatCompletionBody): GenerationInput {
  refuseSamplingExtras(body);
  if (body.logprobs) refuse('logprobs', 'maas does not return log probabilities');
  if (body.top_logprobs) refuse('top_logprobs', 'maas does not return log probabilities');
  if (body.tools && body.tools.length > 0) refuse('tools', 'maas models do not call tools');
  if (body.functions && body.functions.length > 0)
    refuse('functions', 'maas models do not call functions');
  if (body.tool_choice !== undefined && body.tool_choice !== null && body.tool_choice !== 'none')
    refuse('tool_choice', 'maas models do not call tools');
  if (
    body.function_call !== undefined &&
    body.function_call !== null &&
    body.function_call !== 'none'
  )
    refuse('function_call', 'maas models do not call functions');
  if (body.response_format && body.response_format.type !== 'text')
    refuse('response_format', 'only {"type": "text"}');
  if (body.audio !== undefined && body.audio !== null) refuse('audio', 'text only');
  if (body.modalities && body.modalities.some((m) => m !== 'text'))
    refuse('modalities', 'text only');
  if (body.prediction !== undefined && body.prediction !== null)
    refuse('prediction', 'predicted outputs are not supported');
  const messages: ChatMessage[] = body.messages.map((m) => ({
    role: m.role,
    content: messageText(m.content),
  }));
  return {
    messages,
    maxTokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    seed: body.seed,
    stop: stopList(body.stop),
  };
}

/** A text completion body as the generation service takes it; one string prompt. */
export function completionGenerationInput(body: CompletionBody): GenerationInput {
  refuseSamplingExtras(body);
  if (body.echo) refuse('echo', 'the answer never repeats the prompt');
  if (body.logprobs != null) refuse('logprobs', 'maas does not return log probabilities');
  if (body.best_of != null && body.best_of !== 1) refuse('best_of', 'send 1 or leave it out');
  if (body.suffix) refuse('suffix', 'insertion is not supported');
  let prompt: string;
  if (typeof body.prompt === 'string') prompt = body.prompt;
  else if (body.prompt.length === 1 && typeof body.prompt[0] === 'string') prompt = body.prompt[0];
  else if (body.prompt.every((p) => typeof p === 'string'))
    throw badInput(
      '"prompt" must be one string (or a list of one): maas completes one prompt per request',
      {
        param: 'prompt',
      },
    );
  else throw badInput('"prompt" as token ids is not supported: send the text', { param: 'prompt' });
  return {
    prompt,
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    seed: body.seed,
    stop: stopList(body.stop),
  };
}

/** The texts of an embeddings body: a string or a list of strings (token ids are refused). */
export function embeddingTexts(body: EmbeddingBody): string[] {
  if (typeof body.input === 'string') return [body.input];
  if (body.input.every((t) => typeof t === 'string')) return body.input;
  throw badInput('"input" as token ids is not supported: send strings', { param: 'input' });
}
