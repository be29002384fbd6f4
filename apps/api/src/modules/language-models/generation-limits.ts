import { badInput } from '../../common/errors';
import type { ApiConfig } from '../../env';
import type { ChatMessage, GenerationRequest } from './language-model-backend';

/** The bounds every generation and embedding request is held to, on every transport. */
export interface GenerationLimits {
  /** The largest `max_tokens` / `maxTokens` (GENERATION_MAX_TOKENS). */
  maxTokens: number;
  /** Chat messages per request (GENERATION_MAX_MESSAGES). */
  maxMessages: number;
  /** Inputs per embeddings request (EMBEDDING_MAX_INPUTS). */
  maxEmbeddingInputs: number;
}

/** Stop sequences per request, as OpenAI allows. */
export const MAX_STOP_SEQUENCES = 4;
const MAX_STOP_LENGTH = 200;
const MAX_ROLE_LENGTH = 32;
/** The roles a chat template is given; anything else is refused before the engine sees it. */
export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant'] as const;

export function generationLimits(config: ApiConfig): GenerationLimits {
  return {
    maxTokens: config.GENERATION_MAX_TOKENS,
    maxMessages: config.GENERATION_MAX_MESSAGES,
    maxEmbeddingInputs: config.EMBEDDING_MAX_INPUTS,
  };
}

/** A request as a transport hands it over, before its bounds are checked. */
export interface GenerationInput {
  prompt?: string | null;
  messages?: ChatMessage[] | null;
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  topK?: number | null;
  seed?: number | null;
  stop?: string[] | null;
}

const isInt = (n: number) => Number.isSafeInteger(n);

/**
 * Checks a generation request against the limits and returns it as the backend takes it. Errors
 * are BAD_USER_INPUT naming the parameter (`details.param`, in the GraphQL input's spelling; the
 * OpenAI routes translate it). `defaultMaxTokens` applies when the request names none.
 */
export function checkGeneration(
  input: GenerationInput,
  limits: GenerationLimits,
  defaultMaxTokens: number,
): GenerationRequest {
  const hasPrompt = input.prompt !== undefined && input.prompt !== null;
  const hasMessages = input.messages !== undefined && input.messages !== null;
  if (hasPrompt === hasMessages)
    throw badInput('Pass exactly one of "prompt" and "messages"', { param: 'messages' });
  // With no max tokens asked for, the default, fitted to the context.
  const request: GenerationRequest = {
    maxTokens: Math.min(defaultMaxTokens, limits.maxTokens),
    fitToContext: true,
  };
  if (hasPrompt) request.prompt = input.prompt ?? '';
  if (hasMessages) {
    const messages = input.messages ?? [];
    if (messages.length === 0)
      throw badInput('"messages" must hold at least one message', { param: 'messages' });
    if (messages.length > limits.maxMessages)
      throw badInput(
        `"messages" holds ${messages.length} messages, more than GENERATION_MAX_MESSAGES (${limits.maxMessages})`,
        { param: 'messages' },
      );
    messages.forEach((m, i) => {
      if (!(CHAT_ROLES as readonly string[]).includes(m.role))
        throw badInput(
          `messages[${i}].role is "${m.role.slice(0, MAX_ROLE_LENGTH)}": use one of ${CHAT_ROLES.join(', ')}`,
          { param: `messages[${i}].role` },
        );
    });
    request.messages = messages.map((m) => ({ role: m.role, content: m.content }));
  }
  if (input.maxTokens !== undefined && input.maxTokens !== null) {
    const n = input.maxTokens;
    if (!isInt(n) || n < 1 || n > limits.maxTokens)
      throw badInput(
        `"maxTokens" is ${n}: use a whole number from 1 to ${limits.maxTokens} (GENERATION_MAX_TOKENS)`,
        { param: 'maxTokens' },
      );
    request.maxTokens = n;
    request.fitToContext = false;
  }
  if (input.temperature !== undefined && input.temperature !== null) {
    const t = input.temperature;
    if (!Number.isFinite(t) || t < 0 || t > 2)
      throw badInput(`"temperature" is ${t}: use 0 (greedy) to 2`, { param: 'temperature' });
    request.temperature = t;
  }
  if (input.topP !== undefined && input.topP !== null) {
    const p = input.topP;
    if (!Number.isFinite(p) || p <= 0 || p > 1)
      throw badInput(`"topP" is ${p}: use a number above 0 and at most 1`, { param: 'topP' });
    request.topP = p;
  }
  if (input.topK !== undefined && input.topK !== null) {
    const k = input.topK;
    // 0 (and OpenAI servers' -1) mean "no top-k".
    if (!isInt(k) || k < -1 || k > 1_000_000)
      throw badInput(`"topK" is ${k}: use a whole number, 0 for none`, { param: 'topK' });
    if (k > 0) request.topK = k;
  }
  if (input.seed !== undefined && input.seed !== null) {
    const s = input.seed;
    if (!isInt(s)) throw badInput(`"seed" is ${s}: use a whole number`, { param: 'seed' });
    request.seed = s;
  }
  if (input.stop !== undefined && input.stop !== null) {
    const stop = input.stop;
    if (stop.length > MAX_STOP_SEQUENCES)
      throw badInput(`"stop" holds ${stop.length} sequences, at most ${MAX_STOP_SEQUENCES}`, {
        param: 'stop',
      });
    if (stop.some((s) => s.length === 0 || s.length > MAX_STOP_LENGTH))
      throw badInput(`Each "stop" sequence is 1 to ${MAX_STOP_LENGTH} characters`, {
        param: 'stop',
      });
    if (stop.length > 0) request.stop = [...stop];
  }
  return request;
}

/** Checks the inputs of an embeddings request: 1 to maxEmbeddingInputs non-empty strings. */
export function checkEmbeddingInputs(inputs: string[], limits: GenerationLimits): string[] {
  if (inputs.length === 0 || inputs.length > limits.maxEmbeddingInputs)
    throw badInput(
      `"input" holds ${inputs.length} texts: send 1 to ${limits.maxEmbeddingInputs} (EMBEDDING_MAX_INPUTS)`,
      { param: 'input' },
    );
  const empty = inputs.findIndex((t) => t.length === 0);
  if (empty >= 0)
    throw badInput(`input[${empty}] is empty: every input must hold text`, { param: 'input' });
  return inputs;
}
