import {
  InferenceInputError,
  ModelUnavailableError,
  type InferenceEngine,
  type VersionKey,
} from '@maas/inference';
import {
  LanguageModelError,
  type GenerationEvent,
  type GenerationRequest,
  type LanguageModelBackend,
} from './language-model-backend';

/** What the API uses of the engine's generation scheduler (packages/inference). */
interface EngineGeneration {
  generate(
    key: VersionKey,
    request: {
      prompt?: string;
      messages?: readonly { role: string; content: string }[];
      maxTokens?: number;
      temperature?: number;
      topK?: number;
      topP?: number;
      seed?: number;
      stop?: readonly string[];
    },
    opts?: { signal?: AbortSignal },
  ): AsyncIterable<
    | { type: 'delta'; text: string; tokenIds: number[] }
    | {
        type: 'finish';
        finishReason: 'stop' | 'length';
        usage: { promptTokens: number; completionTokens: number };
      }
  >;
  embed(
    key: VersionKey,
    texts: readonly string[],
    opts?: { signal?: AbortSignal },
  ): Promise<{ embeddings: Float32Array[]; promptTokens: number }>;
}

function hasGeneration(engine: object): engine is EngineGeneration {
  const e = engine as Partial<EngineGeneration>;
  return typeof e.generate === 'function' && typeof e.embed === 'function';
}

/** The engine's refusals in the API's terms (LanguageModelError), anything else as it is. */
function mapEngineError(err: unknown): unknown {
  if (err instanceof InferenceInputError) {
    const { code, param } = err as InferenceInputError & { code?: string; param?: string };
    if (code === 'context_length_exceeded')
      return new LanguageModelError('CONTEXT_LENGTH_EXCEEDED', err.message, param ?? 'messages');
    if (code === 'wrong_task') return new LanguageModelError('NOT_A_LANGUAGE_MODEL', err.message);
    return new LanguageModelError('INVALID_REQUEST', err.message, param ?? null);
  }
  if (err instanceof ModelUnavailableError && err.reason === ('OVERLOADED' as string))
    return new LanguageModelError('BUSY', err.message, null, err.retryAfterMs);
  return err;
}

/**
 * The in-process engine's continuous-batching generation scheduler as the API's
 * LanguageModelBackend. An engine built without one refuses with MODEL_UNAVAILABLE.
 */
export function engineLanguageModels(engine: InferenceEngine): LanguageModelBackend {
  const generation = (): EngineGeneration => {
    if (!hasGeneration(engine))
      throw new ModelUnavailableError(
        'This server has no text-generation engine',
        'CRASHED',
        60_000,
      );
    return engine;
  };
  return {
    async *generate(key, request: GenerationRequest, { signal }) {
      const stream = generation().generate(
        key,
        {
          ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
          ...(request.messages ? { messages: request.messages } : {}),
          // The engine's default is what the context leaves after the prompt.
          ...(request.fitToContext ? {} : { maxTokens: request.maxTokens }),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.topK !== undefined ? { topK: request.topK } : {}),
          ...(request.topP !== undefined ? { topP: request.topP } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          ...(request.stop ? { stop: request.stop } : {}),
        },
        { signal },
      );
      let generated = 0;
      try {
        for await (const event of stream) {
          if (event.type === 'delta') {
            generated += event.tokenIds.length;
            yield {
              type: 'text',
              text: event.text,
              tokens: event.tokenIds.length,
            } satisfies GenerationEvent;
            // With no max tokens asked for: the default, or what the context leaves if less.
            if (request.fitToContext && generated >= request.maxTokens) {
              yield {
                type: 'done',
                finishReason: 'length',
                usage: { promptTokens: promptTokensOf(stream), completionTokens: generated },
              };
              return;
            }
          } else {
            yield { type: 'done', finishReason: event.finishReason, usage: event.usage };
          }
        }
      } catch (err) {
        throw mapEngineError(err);
      }
    },
    async embed(key, texts, { signal }) {
      try {
        const result = await generation().embed(key, texts, { signal });
        return { vectors: result.embeddings, promptTokens: result.promptTokens };
      } catch (err) {
        throw mapEngineError(err);
      }
    },
  };
}

function promptTokensOf(stream: object): number {
  const n = (stream as { promptTokens?: unknown }).promptTokens;
  return typeof n === 'number' ? n : 0;
}
