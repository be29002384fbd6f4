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
export type UnavailableReason = 'QUARANTINED' | 'THREAD_RESTARTED' | 'CRASHED';

/**
 * The version cannot be served right now; retrying later may work (HTTP 503, `MODEL_UNAVAILABLE`).
 * `QUARANTINED`: it kept timing out or crashing and is refused until `retryAfterMs` passes;
 * `THREAD_RESTARTED`: its inference thread was replaced because another model ran past its
 * deadline; `CRASHED`: the thread (or inference process) died while running it.
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
