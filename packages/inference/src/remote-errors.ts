// The remote inference client's own errors, apart so that its parts share them.

/** No inference worker could take the request (all down, refusing our token, or shutting down). */
export class WorkerUnavailableError extends Error {
  override readonly name = 'WorkerUnavailableError';
}

/** An inference worker answered something this client cannot use (not the caller's fault). */
export class RemoteInferenceError extends Error {
  override readonly name = 'RemoteInferenceError';
}

/** An error as one line: its code, message and cause. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  const cause = (err as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? `: ${cause.message}` : '';
  const prefix = code && !err.message.includes(code) ? `${code} ` : '';
  return `${prefix}${err.message}${inner}`;
}
