// Checks a generation request against the engine's limits and the model, and tokenizes its
// prompt. Every refusal is a GenerationInputError with a code and the field at fault.
import { randomInt } from 'node:crypto';
import { GenerationInputError } from '../inference.errors';
import type { LanguageModelInfo } from './bundle';
import type { GenerateRequest, GenerationLimits } from './generation.types';
import type { SamplingParams } from './sampling';
import type { TextTokenizer } from './text-tokenizer';

/** A request ready for the batch. */
export interface PreparedGeneration {
  promptIds: number[];
  sampling: SamplingParams;
  seed: number;
  maxTokens: number;
  stop: string[];
  eosIds: ReadonlySet<number>;
}

function bad(message: string, param: string): never {
  throw new GenerationInputError(message, 'invalid_request', param);
}

function optionalNumber(
  value: unknown,
  param: string,
  check: (n: number) => boolean,
  rule: string,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value))
    bad(`${param} must be ${rule}`, param);
  return value;
}

/** Sampling defaults from generation_config.json: greedy unless it says `do_sample: true`. */
function defaults(gen: Record<string, unknown> | undefined): SamplingParams {
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  if (gen?.do_sample !== true) return { temperature: 0, topK: 0, topP: 1 };
  return {
    temperature: num(gen.temperature, 1),
    // transformers' default top_k is 50 when sampling.
    topK: Math.max(0, Math.floor(num(gen.top_k, 50))),
    topP: Math.min(1, Math.max(0, num(gen.top_p, 1))) || 1,
  };
}

function promptText(
  request: GenerateRequest,
  tokenizer: TextTokenizer,
  limits: GenerationLimits,
): { text: string; chat: boolean } | undefined {
  const given = [request.prompt, request.messages, request.promptTokenIds].filter(
    (v) => v !== undefined,
  ).length;
  if (given !== 1) bad('give exactly one of prompt, messages or promptTokenIds', 'prompt');
  if (request.prompt !== undefined) {
    if (typeof request.prompt !== 'string') bad('prompt must be a string', 'prompt');
    if (request.prompt.length > limits.maxPromptChars)
      throw new GenerationInputError(
        `the prompt has ${request.prompt.length} characters, more than the ${limits.maxPromptChars} this server takes`,
        'prompt_too_long',
        'prompt',
      );
    return { text: request.prompt, chat: false };
  }
  if (request.messages !== undefined) {
    const messages = request.messages;
    if (!Array.isArray(messages as unknown) || messages.length === 0)
      bad('messages must be a non-empty list', 'messages');
    if (messages.length > limits.maxMessages)
      throw new GenerationInputError(
        `${messages.length} messages, more than the ${limits.maxMessages} this server takes`,
        'too_many_messages',
        'messages',
      );
    let chars = 0;
    messages.forEach((m, i) => {
      if (typeof m?.role !== 'string' || m.role.length === 0 || m.role.length > 64)
        bad(`messages[${i}].role must be a string of 1 to 64 characters`, 'messages');
      if (typeof m.content !== 'string') bad(`messages[${i}].content must be a string`, 'messages');
      if (m.name !== undefined && (typeof m.name !== 'string' || m.name.length > 64))
        bad(`messages[${i}].name must be a string of at most 64 characters`, 'messages');
      chars += m.content.length;
    });
    if (chars > limits.maxPromptChars)
      throw new GenerationInputError(
        `the messages have ${chars} characters, more than the ${limits.maxPromptChars} this server takes`,
        'prompt_too_long',
        'messages',
      );
    if (!tokenizer.hasChatTemplate)
      throw new GenerationInputError(
        'this model has no chat template; send a prompt to the completions API instead',
        'no_chat_template',
        'messages',
      );
    let text: string;
    try {
      text = tokenizer.renderChat(messages);
    } catch (err) {
      // A template's raise_exception (e.g. roles that do not alternate) is the caller's to fix.
      bad(`the chat template refused the messages: ${(err as Error).message}`, 'messages');
    }
    if (text.length > limits.maxPromptChars * 2)
      throw new GenerationInputError(
        `the rendered chat has ${text.length} characters, more than this server takes`,
        'prompt_too_long',
        'messages',
      );
    return { text, chat: true };
  }
  return undefined;
}

export function prepareGeneration(
  request: GenerateRequest,
  info: LanguageModelInfo,
  tokenizer: TextTokenizer,
  generationConfig: Record<string, unknown> | undefined,
  limits: GenerationLimits,
): PreparedGeneration {
  if (typeof request !== 'object' || request === null)
    bad('the request must be an object', 'request');
  const text = promptText(request, tokenizer, limits);
  let promptIds: number[];
  if (text) {
    // Chat templates write their special tokens themselves (transformers tokenizes the rendered
    // chat without adding any); a plain prompt gets what the tokenizer adds (e.g. a BOS).
    promptIds = tokenizer.encode(text.text, !text.chat);
  } else {
    const ids = request.promptTokenIds ?? [];
    if (!Array.isArray(ids as unknown) || ids.length > info.contextLength + 1)
      throw new GenerationInputError(
        `promptTokenIds must be a list of at most ${info.contextLength} ids`,
        'context_length_exceeded',
        'promptTokenIds',
      );
    ids.forEach((id, i) => {
      if (!Number.isSafeInteger(id) || id < 0 || id >= info.vocabSize)
        bad(
          `promptTokenIds[${i}] must be a token id from 0 to ${info.vocabSize - 1}`,
          'promptTokenIds',
        );
    });
    promptIds = [...ids];
  }
  if (promptIds.length === 0) {
    // An empty prompt starts from the BOS token, as transformers does.
    if (info.bosTokenId === undefined) bad('the prompt is empty', 'prompt');
    promptIds = [info.bosTokenId];
  }
  const room = info.contextLength - promptIds.length;
  if (room < 1)
    throw new GenerationInputError(
      `this model's context is ${info.contextLength} tokens, and the prompt alone has ${promptIds.length}`,
      'context_length_exceeded',
      text?.chat ? 'messages' : 'prompt',
    );
  const maxTokens =
    optionalNumber(
      request.maxTokens,
      'maxTokens',
      (n) => Number.isSafeInteger(n) && n >= 1,
      'a whole number ≥ 1',
    ) ?? room;
  const d = defaults(generationConfig);
  const temperature =
    optionalNumber(request.temperature, 'temperature', (n) => n >= 0 && n <= 10, 'from 0 to 10') ??
    d.temperature;
  const topK =
    optionalNumber(
      request.topK,
      'topK',
      (n) => Number.isSafeInteger(n) && n >= 0,
      'a whole number ≥ 0',
    ) ?? d.topK;
  const topP = optionalNumber(request.topP, 'topP', (n) => n > 0 && n <= 1, 'in (0, 1]') ?? d.topP;
  const seed =
    optionalNumber(request.seed, 'seed', (n) => Number.isSafeInteger(n), 'a whole number') ??
    randomInt(2 ** 47);
  const stop = request.stop ?? [];
  if (!Array.isArray(stop as unknown) || stop.length > limits.maxStop)
    bad(`stop must be a list of at most ${limits.maxStop} strings`, 'stop');
  stop.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0 || s.length > limits.maxStopChars)
      bad(`stop[${i}] must be a string of 1 to ${limits.maxStopChars} characters`, 'stop');
  });
  return {
    promptIds,
    sampling: { temperature, topK, topP },
    seed,
    // Bounded by the context: a longer request ends with finish reason `length` there.
    maxTokens: Math.min(maxTokens, room),
    stop: [...stop],
    eosIds: new Set(request.ignoreEos === true ? [] : info.eosTokenIds),
  };
}
