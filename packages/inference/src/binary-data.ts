// Triton's binary tensor data extension: an infer request or response body is a JSON header
// (its length in the `Inference-Header-Content-Length` HTTP header) followed by raw tensor bytes.
// Inputs and outputs carried in binary have `parameters.binary_data_size` and no `data`.
// Raw bytes are little-endian, as on every platform Node and ONNX Runtime run on here.
import { Readable } from 'node:stream';
import { InferenceInputError } from './inference.errors';
import type { OipTensorInput } from './tensor-codec';
import { flatJson } from './tensor-output';
import type { OipTensorJson } from './tensor-output';
import { isSupportedDatatype } from './tensor.types';
import type { DecodedTensor, SupportedDatatype, TensorData } from './tensor.types';

/** The HTTP header that carries the JSON header's length. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/** An OIP infer request as parsed from JSON (binary inputs already turned into typed data). */
export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipTensorInput[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

/** One output for an OIP infer response. */
export interface OipOutputTensor {
  name: string;
  tensor: DecodedTensor;
}

export interface OipInferResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: OipOutputTensor[];
}

/** An encoded response body; `headerLength` is set when it carries binary data. */
export interface EncodedInferResponse {
  /** The JSON (header), then each binary output's bytes: views of the outputs, not copies. */
  parts: Buffer[];
  /** The body's length, all parts together. */
  byteLength: number;
  contentType: string;
  headerLength?: number;
}

/**
 * Bodies up to this size are gathered into one buffer (a copy of a few hundred KiB costs less than
 * a stream); a larger one is streamed from its parts, so the outputs are never copied again.
 */
export const GATHER_RESPONSE_BYTES = 1_048_576;

/** What a server sends for `encoded`: one Buffer, or a stream of its parts for a large answer. */
export function inferResponseBody(encoded: EncodedInferResponse): Buffer | Readable {
  const [first] = encoded.parts;
  if (encoded.parts.length === 1 && first) return first;
  if (encoded.byteLength <= GATHER_RESPONSE_BYTES)
    return Buffer.concat(encoded.parts, encoded.byteLength);
  return Readable.from(encoded.parts, { objectMode: false });
}

/** The reply methods {@link sendInferResponse} needs (Fastify's reply has them). */
export interface InferReply<R> {
  header(name: string, value: string): unknown;
  code(status: number): { send(body: Buffer | Readable): R };
}

/** Sends an encoded infer answer with its content type, length and OIP header length. */
export function sendInferResponse<R>(reply: InferReply<R>, encoded: EncodedInferResponse): R {
  reply.header('content-type', encoded.contentType);
  reply.header('content-length', String(encoded.byteLength));
  if (encoded.headerLength !== undefined)
    reply.header(INFERENCE_HEADER_CONTENT_LENGTH, String(encoded.headerLength));
  return reply.code(200).send(inferResponseBody(encoded));
}

const BYTES_PER_ELEMENT: Record<Exclude<SupportedDatatype, 'BYTES'>, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/**
 * The default bound on the elements of one binary BYTES tensor. A zero-length element costs 4
 * bytes on the wire but a string slot in memory (and a native string in ONNX Runtime), so the
 * count is bounded on its own, not only through the body size.
 */
export const DEFAULT_MAX_BYTES_ELEMENTS = 1_048_576;

/** Limits applied while decoding binary tensor data. */
export interface BinaryDecodeLimits {
  /** Most elements one BYTES tensor may have ({@link DEFAULT_MAX_BYTES_ELEMENTS}). */
  maxBytesElements?: number;
}

/** Decodes raw little-endian bytes of one tensor into typed data (BYTES: 4-byte length + UTF-8 per element). */
export function decodeBinaryTensor(
  name: string,
  datatype: string,
  bytes: Uint8Array,
  limits: BinaryDecodeLimits = {},
): TensorData {
  if (!isSupportedDatatype(datatype))
    throw new InferenceInputError(`input '${name}': unsupported datatype ${datatype}`);
  if (datatype === 'BYTES')
    return decodeBytesElements(name, bytes, limits.maxBytesElements ?? DEFAULT_MAX_BYTES_ELEMENTS);
  const size = BYTES_PER_ELEMENT[datatype];
  if (bytes.byteLength % size !== 0) {
    throw new InferenceInputError(
      `input '${name}': ${bytes.byteLength} bytes of binary data is not a whole number of ${datatype} values`,
    );
  }
  // A view of the request's bytes when they are aligned for the element size (the API reads
  // bodies so that they are); else a copy, since typed arrays need alignment. BOOL is normalised
  // to 0/1 in place: the bytes belong to this request.
  let copy: Uint8Array;
  if (bytes.byteOffset % size === 0)
    copy = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else {
    copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
  }
  const n = bytes.byteLength / size;
  switch (datatype) {
    case 'BOOL':
      for (let i = 0; i < n; i++) copy[i] = copy[i] === 0 ? 0 : 1;
      return copy;
    case 'UINT8':
      return copy;
    case 'INT8':
      return new Int8Array(copy.buffer, copy.byteOffset, n);
    case 'UINT16':
      return new Uint16Array(copy.buffer, copy.byteOffset, n);
    case 'INT16':
      return new Int16Array(copy.buffer, copy.byteOffset, n);
    case 'UINT32':
      return new Uint32Array(copy.buffer, copy.byteOffset, n);
    case 'INT32':
      return new Int32Array(copy.buffer, copy.byteOffset, n);
    case 'FP32':
      return new Float32Array(copy.buffer, copy.byteOffset, n);
    case 'UINT64':
      return new BigUint64Array(copy.buffer, copy.byteOffset, n);
    case 'INT64':
      return new BigInt64Array(copy.buffer, copy.byteOffset, n);
    case 'FP64':
      return new Float64Array(copy.buffer, copy.byteOffset, n);
  }
}

function decodeBytesElements(name: string, bytes: Uint8Array, maxElements: number): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  const decoder = new TextDecoder();
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (out.length >= maxElements)
      throw new InferenceInputError(
        `input '${name}': more than ${maxElements} BYTES elements (the limit per tensor)`,
      );
    if (offset + 4 > bytes.byteLength)
      throw new InferenceInputError(
        `input '${name}': truncated BYTES element length at byte ${offset}`,
      );
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength)
      throw new InferenceInputError(
        `input '${name}': BYTES element at byte ${offset - 4} runs past the data`,
      );
    out.push(decoder.decode(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return out;
}

/** Raw little-endian bytes of a tensor (BYTES: 4-byte length + UTF-8 per element). */
export function encodeBinaryTensor(tensor: DecodedTensor): Buffer {
  if (tensor.datatype === 'BYTES') {
    const parts: Buffer[] = [];
    for (const s of tensor.data as string[]) {
      const utf8 = Buffer.from(s, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(utf8.byteLength, 0);
      parts.push(length, utf8);
    }
    return Buffer.concat(parts);
  }
  const data = tensor.data as Exclude<TensorData, string[]>;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function binarySize(input: OipTensorInput): number | undefined {
  const size = input.parameters?.binary_data_size;
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new InferenceInputError(
      `input '${input.name}': parameters.binary_data_size must be a non-negative integer`,
    );
  }
  return size;
}

/**
 * Parses an infer request body. With `headerLength` (the `Inference-Header-Content-Length`
 * header) the JSON header is followed by binary data, which is decoded into each input's `data`
 * in the order the inputs appear.
 */
export function parseInferRequestBody(
  body: Uint8Array,
  headerLength?: number,
  limits: BinaryDecodeLimits = {},
): OipInferRequest {
  const jsonEnd = headerLength ?? body.byteLength;
  if (!Number.isSafeInteger(jsonEnd) || jsonEnd < 0 || jsonEnd > body.byteLength) {
    throw new InferenceInputError(
      `Inference-Header-Content-Length ${headerLength} does not fit a body of ${body.byteLength} bytes`,
    );
  }
  let request: OipInferRequest;
  try {
    request = JSON.parse(
      Buffer.from(body.buffer, body.byteOffset, jsonEnd).toString('utf8'),
    ) as OipInferRequest;
  } catch (err) {
    throw new InferenceInputError(`request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs)) {
    throw new InferenceInputError('request must be an object with an "inputs" array');
  }
  let offset = jsonEnd;
  for (const input of request.inputs as unknown[]) {
    if (typeof input !== 'object' || input === null)
      throw new InferenceInputError('each input must be an object');
    const tensorInput = input as OipTensorInput;
    const size = binarySize(tensorInput);
    if (size === undefined) continue;
    if (tensorInput.data !== undefined) {
      throw new InferenceInputError(
        `input '${tensorInput.name}' has both "data" and binary_data_size`,
      );
    }
    if (offset + size > body.byteLength) {
      throw new InferenceInputError(
        `input '${tensorInput.name}': binary_data_size ${size} runs past the end of the body`,
      );
    }
    tensorInput.data = decodeBinaryTensor(
      tensorInput.name,
      tensorInput.datatype,
      body.subarray(offset, offset + size),
      limits,
    );
    offset += size;
  }
  if (offset !== body.byteLength) {
    throw new InferenceInputError(
      `${body.byteLength - offset} bytes of binary data are not claimed by any input's binary_data_size`,
    );
  }
  return request;
}

/** Whether the request asks for output `name` in binary (`binary_data` per output wins over `binary_data_output`). */
export function wantsBinaryOutput(
  request: Pick<OipInferRequest, 'parameters' | 'outputs'>,
  name: string,
): boolean {
  const perOutput = request.outputs?.find((o) => o.name === name)?.parameters?.binary_data;
  if (typeof perOutput === 'boolean') return perOutput;
  return request.parameters?.binary_data_output === true;
}

/**
 * Encodes an infer response: plain JSON, or (when any output is wanted in binary) a JSON header
 * followed by those outputs' bytes, with `headerLength` for `Inference-Header-Content-Length`.
 */
export function encodeInferResponse(
  response: OipInferResponse,
  binary: (name: string) => boolean = () => false,
): EncodedInferResponse {
  const chunks: Buffer[] = [];
  const outputs: OipTensorJson[] = response.outputs.map(({ name, tensor }) => {
    const head = { name, datatype: tensor.datatype, shape: [...tensor.shape] };
    if (!binary(name)) return { ...head, data: flatJson(tensor) };
    const bytes = encodeBinaryTensor(tensor);
    chunks.push(bytes);
    return { ...head, parameters: { binary_data_size: bytes.byteLength } };
  });
  const json = {
    model_name: response.model_name,
    ...(response.model_version !== undefined ? { model_version: response.model_version } : {}),
    ...(response.id !== undefined ? { id: response.id } : {}),
    ...(response.parameters ? { parameters: response.parameters } : {}),
    outputs,
  };
  const header = Buffer.from(JSON.stringify(json), 'utf8');
  if (chunks.length === 0)
    return { parts: [header], byteLength: header.byteLength, contentType: 'application/json' };
  let byteLength = header.byteLength;
  for (const chunk of chunks) byteLength += chunk.byteLength;
  return {
    parts: [header, ...chunks],
    byteLength,
    contentType: 'application/octet-stream',
    headerLength: header.byteLength,
  };
}
