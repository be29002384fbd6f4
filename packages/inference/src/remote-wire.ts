// The infer request and response bodies the remote client exchanges with an inference worker:
// Triton's binary tensor data extension both ways, so tensors travel as raw little-endian bytes
// (no float → decimal text → float round trip, INT64 exact).
import { decodeBinaryTensor, encodeBinaryTensor } from './binary-data';
import type { OipInferRequest } from './binary-data';
import { decodeOipInput } from './tensor-codec';
import type { OipTensorInput } from './tensor-codec';
import { elementCount } from './tensor.types';
import type { DecodedTensor } from './tensor.types';

/** An encoded infer request: the body and the length of its JSON header. */
export interface EncodedRemoteRequest {
  body: Buffer;
  headerLength: number;
}

/** Encodes decoded tensors as an OIP infer request with every input and output in binary. */
export function encodeRemoteInferRequest(
  inputs: Record<string, DecodedTensor>,
  outputs?: readonly string[],
): EncodedRemoteRequest {
  const chunks: Buffer[] = [];
  const request: OipInferRequest = {
    inputs: Object.entries(inputs).map(([name, tensor]) => {
      const bytes = encodeBinaryTensor(tensor);
      chunks.push(bytes);
      return {
        name,
        datatype: tensor.datatype,
        shape: [...tensor.shape],
        parameters: { binary_data_size: bytes.byteLength },
      };
    }),
  };
  if (outputs && outputs.length > 0)
    request.outputs = outputs.map((name) => ({ name, parameters: { binary_data: true } }));
  else request.parameters = { binary_data_output: true };
  const header = Buffer.from(JSON.stringify(request), 'utf8');
  return { body: Buffer.concat([header, ...chunks]), headerLength: header.byteLength };
}

interface ResponseOutput {
  name?: unknown;
  datatype?: unknown;
  shape?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown };
}

/**
 * Decodes an infer response (JSON, or a JSON header of `headerLength` bytes followed by binary
 * outputs) into tensors by name. Throws a plain Error naming what is malformed: a bad response is
 * the worker's fault, never the caller's.
 */
export function decodeRemoteInferResponse(
  body: Uint8Array,
  headerLength?: number,
): Record<string, DecodedTensor> {
  const jsonEnd = headerLength ?? body.byteLength;
  if (!Number.isSafeInteger(jsonEnd) || jsonEnd < 0 || jsonEnd > body.byteLength) {
    throw new Error(
      `Inference-Header-Content-Length ${headerLength} does not fit a response of ${body.byteLength} bytes`,
    );
  }
  const parsed = JSON.parse(
    Buffer.from(body.buffer, body.byteOffset, jsonEnd).toString('utf8'),
  ) as { outputs?: unknown };
  if (!Array.isArray(parsed.outputs)) throw new Error('the response has no "outputs" array');
  const result: Record<string, DecodedTensor> = {};
  let offset = jsonEnd;
  for (const raw of parsed.outputs as ResponseOutput[]) {
    const { name, datatype, shape } = raw;
    if (
      typeof name !== 'string' ||
      typeof datatype !== 'string' ||
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      throw new Error('an output lacks a name, datatype or shape');
    }
    const dims = shape as number[];
    const size = raw.parameters?.binary_data_size;
    if (size !== undefined) {
      if (
        typeof size !== 'number' ||
        !Number.isSafeInteger(size) ||
        size < 0 ||
        offset + size > body.byteLength
      ) {
        throw new Error(
          `output '${name}': binary_data_size ${JSON.stringify(size)} does not fit the response`,
        );
      }
      const data = decodeBinaryTensor(name, datatype, body.subarray(offset, offset + size));
      offset += size;
      if (data.length !== elementCount(dims))
        throw new Error(`output '${name}': ${data.length} values for shape [${dims.join(', ')}]`);
      // decodeBinaryTensor accepted the datatype, so it is a supported one.
      result[name] = { datatype, shape: dims, data } as DecodedTensor;
    } else {
      // A worker that ignored binary_data_output: read its JSON data against its own shape.
      result[name] = decodeOipInput({ name, datatype, shape: dims }, raw as OipTensorInput);
    }
  }
  if (offset !== body.byteLength)
    throw new Error(`${body.byteLength - offset} bytes of binary data belong to no output`);
  return result;
}
