import { randomInt } from 'node:crypto';
import {
  GenerationInputError,
  GenerationOverloadedError,
  type EmbeddingResult,
  type GenerateRequest,
  type GenerationOccupancy,
  type GenerationStream,
  type VersionKey,
} from '@maas/inference';
import {
  LanguageModelError,
  type GenerationRequest,
  type LanguageModelBackend,
} from './language-model-backend';

/**
 * Where the generation engine runs: in this process (`InferenceEngine`), or on the remote
 * inference workers (`RemoteInferenceClient`, INFERENCE_WORKERS); both have this shape.
 */
export interface GenerationRuntime {
  generate(
    key: VersionKey,
    request: GenerateRequest,
    opts: { signal: AbortSignal },
  ): Promise<GenerationStream>;
  embed(
    key: VersionKey,
    texts: readonly string[],
    opts: { signal: AbortSignal },
  ): Promise<EmbeddingResult>;
  generationOccupancy(): GenerationOccupancy[] | Promise<GenerationOccupancy[]>;
}

/** The engine's refusals in the API's terms (LanguageModelError), anything else as it is. */
function mapEngineError(err: unknown): unknown {
  if (err instanceof GenerationInputError) {
    if (err.code === 'context_length_exceeded')
      return new LanguageModelError(
        'CONTEXT_LENGTH_EXCEEDED',
        err.message,
        err.param ?? 'messages',
      );
    if (err.code === 'wrong_task')
      return new LanguageModelError('NOT_A_LANGUAGE_MODEL', err.message, 'model');
    return new LanguageModelError('INVALID_REQUEST', err.message, err.param ?? null);
  }
  if (err instanceof GenerationOverloadedError)
    return new LanguageModelError('BUSY', err.message, null, err.retryAfterMs);
  return err;
}

function engineRequest(request: GenerationRequest): GenerateRequest {
  return {
    ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
    ...(request.messages ? { messages: request.messages } : {}),
    // Unset: the engine generates what the context leaves; the cap is applied as it streams.
    ...(request.fitToContext ? {} : { maxTokens: request.maxTokens }),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topK !== undefined ? { topK: request.topK } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    // A seed is always given: the request's, else a fresh one (the engine's own default draw is
    // out of randomInt's range in this version of the engine).
    seed: request.seed ?? randomInt(2 ** 47),
    ...(request.stop ? { stop: request.stop } : {}),
  };
}

/**
 * The engine's continuous-batching generation (in this process or on the inference workers) as
 * the API's LanguageModelBackend, with its batch occupancy for the gauges.
 */
export function engineLanguageModels(engine: GenerationRuntime): LanguageModelBackend {
  return {
    async *generate(key, request, { signal }) {
      try {
        const stream = await engine.generate(key, engineRequest(request), { signal });
        let generated = 0;
        for await (const event of stream) {
          if (event.type === 'delta') {
            generated += event.tokenIds.length;
            yield { type: 'text', text: event.text, tokens: event.tokenIds.length };
            // No max tokens asked for: the default cap, or what the context leaves if less.
            if (request.fitToContext && generated >= request.maxTokens) {
              yield {
                type: 'done',
                finishReason: 'length',
                usage: { promptTokens: stream.promptTokens, completionTokens: generated },
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
    async embed(key, texts, opts) {
      try {
        const result = await engine.embed(key, texts, opts);
        return { vectors: result.embeddings, promptTokens: result.promptTokens };
      } catch (err) {
        throw mapEngineError(err);
      }
    },
    occupancy: () => engine.generationOccupancy(),
  };
}
