// What the API's remote client and an inference worker exchange for language models, beside the
// Open Inference Protocol's infer:
//
//   POST /v2/models/{versionId}/generate_stream  {"bundle": [...], "request": GenerateRequest}
//     200 application/x-ndjson: {"type":"start","promptTokens"}, then the engine's events in
//     order ({"type":"delta",...} ..., {"type":"finish",...}), or {"type":"error",...} last.
//     Closing the connection cancels the generation (its sequence leaves the batch).
//   POST /v2/models/{versionId}/embed  {"bundle": [...], "texts": [...]}
//     200 {"embeddings": [base64 little-endian float32, ...], "dimensions", "promptTokens"}
//
// `bundle` is the version's manifest ({path, sizeBytes, sha256} per file): the worker writes the
// files from the shared artifact store. Refusals: 400 {"error", "code", "param"} (the engine's
// GenerationInputError), 429 {"error", "retry_after_ms"} (batch and queue full).
import type { GenerateRequest, GenerationEvent } from './generation/generation.types';
import {
  GenerationInputError,
  GenerationOverloadedError,
  InferenceInputError,
  type GenerationInputCode,
} from './inference.errors';

export const GENERATE_STREAM_PATH = 'generate_stream';
export const EMBED_PATH = 'embed';
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/** A line of the generation stream. */
export type RemoteGenerationLine =
  | { type: 'start'; promptTokens: number }
  | GenerationEvent
  | { type: 'error'; status: number; error: string; code?: string; param?: string };

/** The longest line a client reads (a `finish` line carries the whole text and its token ids). */
export const MAX_NDJSON_LINE_BYTES = 64 * 1024 * 1024;

const GENERATION_INPUT_CODES: ReadonlySet<string> = new Set<GenerationInputCode>([
  'context_length_exceeded',
  'prompt_too_long',
  'too_many_messages',
  'too_many_inputs',
  'no_chat_template',
  'wrong_task',
  'invalid_request',
]);

/**
 * The fields of a GenerateRequest a worker passes to its engine (which checks each one); anything
 * else in the object is left behind.
 */
export function parseRemoteGenerateRequest(value: unknown): GenerateRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InferenceInputError('"request" must be an object');
  const r = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of [
    'prompt',
    'messages',
    'promptTokenIds',
    'maxTokens',
    'temperature',
    'topK',
    'topP',
    'seed',
    'stop',
    'ignoreEos',
  ] as const) {
    if (r[field] !== undefined && r[field] !== null) out[field] = r[field];
  }
  return out as GenerateRequest;
}

/** Texts to embed, as received: a list of strings (the engine checks count and lengths). */
export function parseRemoteTexts(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((t): t is string => typeof t === 'string'))
    throw new InferenceInputError('"texts" must be a list of strings');
  return value;
}

/** Float32 vectors as base64 of their little-endian bytes, and back. */
export function encodeVector(vector: Float32Array): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i += 1) bytes.writeFloatLE(vector[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

export function decodeVector(text: unknown): Float32Array {
  if (typeof text !== 'string') throw new Error('an embedding is not a base64 string');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new Error('an embedding is not a whole number of float32s');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/**
 * The error a worker's refusal stands for, when it is a language-model refusal (400 with a
 * generation code, 429); undefined otherwise.
 */
export function generationRefusal(
  status: number,
  body: { error?: unknown; code?: unknown; param?: unknown; retry_after_ms?: unknown },
): Error | undefined {
  const message = typeof body.error === 'string' ? body.error : 'refused';
  if (status === 400 && typeof body.code === 'string' && GENERATION_INPUT_CODES.has(body.code))
    return new GenerationInputError(
      message,
      body.code as GenerationInputCode,
      typeof body.param === 'string' ? body.param : undefined,
    );
  if (status === 429) {
    const retry = body.retry_after_ms;
    return new GenerationOverloadedError(
      message,
      typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? retry : 1000,
    );
  }
  return undefined;
}

/**
 * The JSON values of an NDJSON byte stream, one per line, in order. Throws on a line longer than
 * `maxLineBytes` or one that is not JSON.
 */
export async function* readNdjson(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = MAX_NDJSON_LINE_BYTES,
): AsyncGenerator<unknown> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      pending.push(buf.subarray(0, nl));
      const line = Buffer.concat(pending).toString('utf8');
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(nl + 1);
      if (line.trim().length > 0) yield JSON.parse(line) as unknown;
    }
    pendingBytes += buf.length;
    if (pendingBytes > maxLineBytes)
      throw new Error(`a line of the stream is longer than ${maxLineBytes} bytes`);
    if (buf.length > 0) pending.push(Buffer.from(buf));
  }
  const rest = Buffer.concat(pending).toString('utf8');
  if (rest.trim().length > 0) yield JSON.parse(rest) as unknown;
}
