/** A caller's input does not fit the model: the API maps it to BAD_USER_INPUT / HTTP 400. */
export class InferenceInputError extends Error {
  override readonly name = 'InferenceInputError';
}

/** A prediction took longer than its timeout; its queue slot has been freed. */
export class InferenceTimeoutError extends Error {
  override readonly name = 'InferenceTimeoutError';
}

/** The artifact could not be loaded or does not match its sha256, or ONNX Runtime refused it. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

/** ONNX Runtime failed while running a model (not the caller's fault as far as we can tell). */
export class InferenceRunError extends Error {
  override readonly name = 'InferenceRunError';
}

/** The engine was closed. */
export class EngineClosedError extends Error {
  override readonly name = 'EngineClosedError';
}

/** The version or its artifact does not exist (HTTP 404). Loaders throw it (see `openArtifact`). */
export class VersionNotFoundError extends Error {
  override readonly name = 'VersionNotFoundError';
}

/** Why a version cannot be served right now (see `ModelUnavailableError`). */
export type UnavailableReason = 'QUARANTINED' | 'THREAD_RESTARTED' | 'CRASHED' | 'OVERLOADED';

/**
 * The version cannot be served right now; retrying later may work (HTTP 503, `MODEL_UNAVAILABLE`).
 * `QUARANTINED`: it kept timing out or crashing and is refused until `retryAfterMs` passes;
 * `THREAD_RESTARTED`: its inference thread was replaced because another model ran past its
 * deadline; `CRASHED`: the thread (or inference process) died while running it; `OVERLOADED`: a language
 * model's queue of waiting requests is full (`GenerationOverloadedError`).
 */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
  constructor(
    message: string,
    readonly reason: UnavailableReason,
    /** When a retry may succeed, in milliseconds from now. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * Why a generation or embedding request was refused (OpenAI's error `code` where it has one):
 * `context_length_exceeded`: the prompt alone (or an embedding input) does not fit the model's
 * context; `prompt_too_long`: more characters than the engine tokenizes (`maxPromptChars`);
 * `too_many_messages`, `too_many_inputs`: over `maxMessages` / `maxEmbedInputs`;
 * `no_chat_template`: chat messages for a model without a template; `wrong_task`: generation
 * asked of an embedding model or the other way round; `invalid_request`: a bad parameter (`param`).
 */
export type GenerationInputCode =
  | 'context_length_exceeded'
  | 'prompt_too_long'
  | 'too_many_messages'
  | 'too_many_inputs'
  | 'no_chat_template'
  | 'wrong_task'
  | 'invalid_request';

/** A generation or embedding request the engine refuses (HTTP 400); an `InferenceInputError`. */
export class GenerationInputError extends InferenceInputError {
  constructor(
    message: string,
    readonly code: GenerationInputCode,
    /** The request field at fault, as the engine's request names it (`maxTokens`, `messages`). */
    readonly param?: string,
  ) {
    super(message);
  }
}

/**
 * A language model has `maxRunning` sequences in its batch and `maxQueued` requests waiting:
 * this one was refused (code `queue_full`; retry after `retryAfterMs`).
 */
export class GenerationOverloadedError extends ModelUnavailableError {
  readonly code = 'queue_full';
  constructor(message: string, retryAfterMs = 1000) {
    super(message, 'OVERLOADED', retryAfterMs);
  }
}
