import type { ChatMessage } from './text-tokenizer';

/**
 * A text generation request. Exactly one of `prompt` (text to continue: the completions API),
 * `messages` (rendered with the bundle's chat template: the chat API) or `promptTokenIds`.
 * Unset sampling fields take the bundle's generation_config.json (`do_sample` false or absent:
 * greedy).
 */
export interface GenerateRequest {
  prompt?: string;
  messages?: readonly ChatMessage[];
  promptTokenIds?: readonly number[];
  /** Most tokens to generate; default and cap: what the context leaves after the prompt. */
  maxTokens?: number;
  /** 0: greedy. Otherwise softmax temperature (≤ 10). */
  temperature?: number;
  /** Sample from the k most likely tokens only; 0: no cut. */
  topK?: number;
  /** Nucleus sampling: the most likely tokens covering this probability, in (0, 1]. */
  topP?: number;
  /** Makes sampling reproducible: the same seed, prompt and settings give the same tokens. */
  seed?: number;
  /** Text that ends the generation; the text returned stops before it (at most `maxStop`). */
  stop?: readonly string[];
  /** Keeps going past EOS tokens (until `maxTokens`): benchmarks. */
  ignoreEos?: boolean;
}

export interface GenerateOptions {
  /** Aborting cancels the request: it leaves the batch at the next step and the stream throws the reason. */
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * What a generation stream yields: one `delta` per generated token (its `text` may be empty while
 * a character's bytes or a possible stop string are held back, and carries several tokens' text
 * when they complete), then one `finish`.
 */
export type GenerationEvent =
  | { type: 'delta'; text: string; tokenIds: number[] }
  | {
      type: 'finish';
      finishReason: FinishReason;
      /** The whole generated text (what the deltas add up to). */
      text: string;
      /** Every generated token id (an EOS token included). */
      tokenIds: number[];
      usage: TokenUsage;
      /** From the request entering the engine's queue to its first token. */
      timeToFirstTokenMs: number;
      /** Time spent waiting for a place in the batch. */
      queuedMs: number;
      durationMs: number;
    };

export type GenerationFinish = Extract<GenerationEvent, { type: 'finish' }>;

/** A running generation: iterate it for events; `return()` (a `break`) cancels it like `cancel()`. */
export interface GenerationStream extends AsyncIterable<GenerationEvent> {
  readonly promptTokens: number;
  /** Leaves the batch at the next step; iteration ends. */
  cancel(): void;
}

/** A whole generation (`InferenceEngine.complete`). */
export type GenerationResult = Omit<GenerationFinish, 'type'>;

/** Bounds on what one language model takes (engine option `generation`). */
export interface GenerationLimits {
  /** Sequences decoded together in one batch, per version. Default 32. */
  maxRunning: number;
  /** Requests waiting for a place in the batch, per version; more are refused. Default 256. */
  maxQueued: number;
  /** Padded prompt tokens prefilled in one step (more joiners wait a step). Default 4096. */
  prefillTokenBudget: number;
  /** Characters of a prompt (all messages together) the engine tokenizes. Default 200000. */
  maxPromptChars: number;
  /** Chat messages in one request. Default 512. */
  maxMessages: number;
  /** Stop strings in one request, and characters in each. Defaults 4 and 256. */
  maxStop: number;
  maxStopChars: number;
  /** Texts in one embedding request. Default 256. */
  maxEmbedInputs: number;
}

export const DEFAULT_GENERATION_LIMITS: GenerationLimits = {
  maxRunning: 32,
  maxQueued: 256,
  prefillTokenBudget: 4096,
  maxPromptChars: 200_000,
  maxMessages: 512,
  maxStop: 4,
  maxStopChars: 256,
  maxEmbedInputs: 256,
};

/** One decode step of a version's batch (engine option `onGenerationStep`, for metrics). */
export interface GenerationStepEvent {
  /** Sequences in the batch after the step, and the most it may hold. */
  rows: number;
  capacity: number;
  joined: number;
  left: number;
  /** Tokens generated in this step. */
  tokens: number;
  stepMs: number;
  queued: number;
}

/** Embeddings of texts, L2-normalised, in input order. */
export interface EmbeddingResult {
  embeddings: Float32Array[];
  dimensions: number;
  /** Tokens of all inputs (special tokens included). */
  promptTokens: number;
}

/** Where a bundle version's files are: a directory holding the extracted bundle. */
export type BundleLoader = (key: { id: string; sha256: string }) => Promise<{ dir: string }>;
