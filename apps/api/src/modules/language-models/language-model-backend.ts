import type { VersionKey } from '@maas/inference';

/** One chat message, rendered into the prompt with the bundle's chat template. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** What to generate: exactly one of `prompt` and `messages`; bounds checked by the service. */
export interface GenerationRequest {
  prompt?: string;
  messages?: ChatMessage[];
  /**
   * Tokens to generate at most. Past the context length (with the prompt) the backend refuses
   * with CONTEXT_LENGTH_EXCEEDED, unless `fitToContext` (no max tokens were asked for): then it
   * generates up to the context length.
   */
  maxTokens: number;
  fitToContext?: boolean;
  /** 0 is greedy. */
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
}

export type FinishReason = 'stop' | 'length';

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
}

/** What a generation yields, in order: text as it is decoded, then one `done`. */
export type GenerationEvent =
  | { type: 'text'; text: string; tokens: number }
  | { type: 'done'; finishReason: FinishReason; usage: TokenCounts };

export interface EmbeddingResult {
  /** One vector per input, in input order, pooled and normalised as the bundle says. */
  vectors: Float32Array[];
  promptTokens: number;
}

/** Sequences running and waiting in one version's decode batch. */
export interface BatchOccupancy {
  versionId: string;
  running: number;
  queued: number;
}

/**
 * Refusals of the generation engine, as the API maps them: `CONTEXT_LENGTH_EXCEEDED` (prompt plus
 * max tokens past the model's context), `INVALID_REQUEST` (e.g. chat messages for a model without
 * a chat template), `NOT_A_LANGUAGE_MODEL`, `BUSY` (running and queued caps full; retry later).
 */
export class LanguageModelError extends Error {
  constructor(
    readonly reason:
      | 'CONTEXT_LENGTH_EXCEEDED'
      | 'INVALID_REQUEST'
      | 'NOT_A_LANGUAGE_MODEL'
      | 'BUSY',
    message: string,
    readonly param: string | null = null,
    readonly retryAfterMs = 1000,
  ) {
    super(message);
    this.name = 'LanguageModelError';
  }
}

/**
 * Where text generation and embeddings run (the generation engine of @maas/inference). A
 * generation ends when its `signal` aborts: the backend frees its slot in the batch within one
 * decode step and the iteration ends (or throws an AbortError).
 */
export interface LanguageModelBackend {
  generate(
    key: VersionKey,
    request: GenerationRequest,
    opts: { signal: AbortSignal },
  ): AsyncIterable<GenerationEvent>;
  embed(key: VersionKey, texts: string[], opts: { signal: AbortSignal }): Promise<EmbeddingResult>;
  /** For the batch occupancy gauge; absent: nothing to report. */
  occupancy?(): BatchOccupancy[] | Promise<BatchOccupancy[]>;
}
