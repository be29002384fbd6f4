// The language-model calls of the remote inference client (`generate`, `embed`), over the wire
// described in remote-generation.ts; the client supplies the worker choice and failover.
import type { Dispatcher } from 'undici';
import type {
  EmbeddingResult,
  GenerateOptions,
  GenerateRequest,
  GenerationEvent,
  GenerationStream,
} from './generation/generation.types';
import type { BundleFileRef } from './generation/materialize-bundle';
import { InferenceInputError, InferenceTimeoutError, ModelLoadError } from './inference.errors';
import { describeError, RemoteInferenceError } from './remote-errors';
import {
  EMBED_PATH,
  GENERATE_STREAM_PATH,
  decodeVector,
  generationRefusal,
  readNdjson,
  type RemoteGenerationLine,
} from './remote-generation';
import type { VersionKey } from './tensor.types';

/** What the client lends these calls: a version's manifest, and a POST to its workers in turn. */
export interface WorkerTransport {
  manifestOf(key: VersionKey): Promise<readonly BundleFileRef[]>;
  /** The first worker's 200 answer (its body still to read); refusals thrown, failover done. */
  post(
    key: VersionKey,
    route: string,
    body: string,
    signal: AbortSignal,
    describeDeadline: () => string,
  ): Promise<{ worker: { url: string }; body: Dispatcher.ResponseData['body'] }>;
}

/**
 * Starts a generation on the version's worker and resolves once the worker accepted it (its
 * `start` line), as the engine's `generate` does. Aborting `opts.signal`, `cancel()` or leaving the
 * iteration closes the connection, and the worker frees the sequence's place in its batch.
 * `startMs` bounds the wait for the worker to accept (load the bundle, check, queue).
 */
export async function remoteGenerate(
  transport: WorkerTransport,
  key: VersionKey,
  request: GenerateRequest,
  opts: GenerateOptions,
  startMs: number,
): Promise<GenerationStream> {
  opts.signal?.throwIfAborted();
  const body = JSON.stringify({ bundle: await transport.manifestOf(key), request });
  // Aborted by the caller's signal, cancel(), the end of the iteration, or the start deadline.
  const connection = new AbortController();
  const callerAborted = () => connection.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', callerAborted, { once: true });
  let timedOut = false;
  const startTimer = setTimeout(() => {
    timedOut = true;
    connection.abort();
  }, startMs);
  const release = () => opts.signal?.removeEventListener('abort', callerAborted);
  const failIfCaller = (err: unknown): never => {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (timedOut)
      throw new InferenceTimeoutError(
        `no inference worker accepted the generation for version ${key.id} within ${startMs} ms`,
      );
    throw err;
  };
  let lines: AsyncGenerator<unknown>;
  let worker: { url: string };
  let promptTokens: number;
  try {
    const answer = await transport.post(key, GENERATE_STREAM_PATH, body, connection.signal, () =>
      timedOut
        ? `no inference worker accepted the generation for version ${key.id} within ${startMs} ms`
        : 'the generation was cancelled',
    );
    worker = answer.worker;
    lines = readNdjson(answer.body);
    const first = await lines.next();
    const start = first.value as RemoteGenerationLine | undefined;
    if (first.done || start?.type !== 'start' || typeof start.promptTokens !== 'number')
      throw new RemoteInferenceError(
        `inference worker ${worker.url} began its generation stream with something else than its start`,
      );
    promptTokens = start.promptTokens;
  } catch (err) {
    clearTimeout(startTimer);
    release();
    connection.abort();
    return failIfCaller(err);
  } finally {
    clearTimeout(startTimer);
  }
  const url = worker.url;
  async function* events(): AsyncGenerator<GenerationEvent> {
    let finished = false;
    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await lines.next();
        } catch (err) {
          if (opts.signal?.aborted) throw opts.signal.reason;
          if (connection.signal.aborted) return; // cancel()
          throw new RemoteInferenceError(
            `inference worker ${url} broke off the generation: ${describeError(err)}`,
          );
        }
        if (next.done) {
          if (opts.signal?.aborted) throw opts.signal.reason;
          if (connection.signal.aborted) return;
          throw new RemoteInferenceError(
            `inference worker ${url} ended the generation stream before its finish`,
          );
        }
        const line = next.value as RemoteGenerationLine;
        if (line.type === 'error') {
          const refused = generationRefusal(line.status, line);
          if (refused) throw refused;
          throw line.status === 400
            ? new InferenceInputError(line.error)
            : new ModelLoadError(`inference worker ${url}: ${line.error}`);
        }
        if (line.type === 'delta' || line.type === 'finish') {
          yield line;
          if (line.type === 'finish') {
            finished = true;
            return;
          }
        }
      }
    } finally {
      release();
      // Gone before the finish (a break, cancel, an error): closing the connection frees the slot.
      if (!finished) connection.abort();
      await lines.return(undefined).catch(() => undefined);
    }
  }
  const iterator = events();
  return {
    promptTokens,
    cancel: () => connection.abort(),
    [Symbol.asyncIterator]: () => iterator,
  };
}

/** The engine's `embed` on the version's worker, within `timeoutMs`. */

export async function remoteEmbed(
  transport: WorkerTransport,
  key: VersionKey,
  texts: readonly string[],
  opts: { signal?: AbortSignal },
  timeoutMs: number,
): Promise<EmbeddingResult> {
  const body = JSON.stringify({ bundle: await transport.manifestOf(key), texts });
  const signal = AbortSignal.any([
    AbortSignal.timeout(timeoutMs),
    ...(opts.signal ? [opts.signal] : []),
  ]);
  const answer = await transport.post(
    key,
    EMBED_PATH,
    body,
    signal,
    () => `embeddings for version ${key.id} took longer than ${timeoutMs} ms`,
  );
  let parsed: { embeddings?: unknown; dimensions?: unknown; promptTokens?: unknown };
  try {
    parsed = JSON.parse(await answer.body.text()) as typeof parsed;
    if (!Array.isArray(parsed.embeddings) || typeof parsed.promptTokens !== 'number')
      throw new Error('no embeddings or promptTokens');
    const embeddings = parsed.embeddings.map(decodeVector);
    return {
      embeddings,
      dimensions: embeddings[0]?.length ?? 0,
      promptTokens: parsed.promptTokens,
    };
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new RemoteInferenceError(
      `inference worker ${answer.worker.url} sent unreadable embeddings: ${describeError(err)}`,
    );
  }
}
