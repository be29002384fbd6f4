import {
  DEFAULT_MAX_BYTES_ELEMENTS,
  decodeBinaryTensor,
  encodeBinaryTensor,
  encodeInferResponse,
  GATHER_RESPONSE_BYTES,
  inferResponseBody,
  parseInferRequestBody,
  wantsBinaryOutput,
} from './binary-data';
import { InferenceInputError } from './inference.errors';
import type { DecodedTensor } from './tensor.types';

function binaryBody(header: object, ...chunks: Buffer[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...chunks]), headerLength: json.byteLength };
}

describe("Triton's binary tensor data extension", () => {
  it('round-trips every datatype through encodeBinaryTensor / decodeBinaryTensor', () => {
    const tensors: DecodedTensor[] = [
      { datatype: 'FP32', shape: [2], data: Float32Array.from([1.5, -2]) },
      { datatype: 'FP64', shape: [1], data: Float64Array.from([Math.PI]) },
      { datatype: 'INT64', shape: [2], data: BigInt64Array.from([-(2n ** 62n), 5n]) },
      { datatype: 'UINT64', shape: [1], data: BigUint64Array.from([2n ** 63n]) },
      { datatype: 'INT32', shape: [1], data: Int32Array.from([-7]) },
      { datatype: 'INT16', shape: [1], data: Int16Array.from([-300]) },
      { datatype: 'INT8', shape: [1], data: Int8Array.from([-8]) },
      { datatype: 'UINT8', shape: [1], data: Uint8Array.from([200]) },
      { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
      { datatype: 'BYTES', shape: [3], data: ['', 'ab', 'ünï'] },
    ];
    for (const t of tensors)
      expect(decodeBinaryTensor('x', t.datatype, encodeBinaryTensor(t))).toEqual(t.data);
  });

  it('bounds the element count of a BYTES tensor, zero-length elements included', () => {
    const empties = Buffer.alloc(4 * 1001); // 1001 zero-length elements: 4 bytes each
    expect(decodeBinaryTensor('s', 'BYTES', empties, { maxBytesElements: 1001 })).toHaveLength(
      1001,
    );
    expect(() => decodeBinaryTensor('s', 'BYTES', empties, { maxBytesElements: 1000 })).toThrow(
      /input 's': more than 1000 BYTES elements/,
    );
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          { name: 's', datatype: 'BYTES', shape: [1001], parameters: { binary_data_size: 4004 } },
        ],
      },
      empties,
    );
    expect(() => parseInferRequestBody(body, headerLength, { maxBytesElements: 1000 })).toThrow(
      InferenceInputError,
    );
    // The default bound holds without options.
    const many = Buffer.alloc(4 * (DEFAULT_MAX_BYTES_ELEMENTS + 1));
    expect(() => decodeBinaryTensor('s', 'BYTES', many)).toThrow(/BYTES elements/);
  });

  it('uses the documented BYTES layout: 4-byte little-endian length, then UTF-8', () => {
    expect([...encodeBinaryTensor({ datatype: 'BYTES', shape: [1], data: ['hi'] })]).toEqual([
      2, 0, 0, 0, 104, 105,
    ]);
  });

  it('parses a request whose inputs follow the JSON header, at unaligned offsets', () => {
    const fp = Buffer.from(Float32Array.from([1, 2, 3, 4]).buffer);
    const ids = Buffer.from(BigInt64Array.from([9n]).buffer);
    const { body, headerLength } = binaryBody(
      {
        id: 'r1',
        inputs: [
          {
            name: 'x',
            datatype: 'FP32',
            shape: [2, 2],
            parameters: { binary_data_size: fp.byteLength },
          },
          { name: 'k', datatype: 'INT64', shape: [1], data: [1] },
          {
            name: 'ids',
            datatype: 'INT64',
            shape: [1],
            parameters: { binary_data_size: ids.byteLength },
          },
        ],
        outputs: [{ name: 'y', parameters: { binary_data: true } }],
      },
      fp,
      ids,
    );
    const request = parseInferRequestBody(body, headerLength);
    expect(request.id).toBe('r1');
    expect(request.inputs[0]?.data).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(request.inputs[1]?.data).toEqual([1]);
    expect(request.inputs[2]?.data).toEqual(BigInt64Array.from([9n]));
    expect(wantsBinaryOutput(request, 'y')).toBe(true);
    expect(wantsBinaryOutput(request, 'z')).toBe(false);
  });

  it('parses a plain JSON request without the header', () => {
    const body = Buffer.from(
      JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] }),
    );
    expect(parseInferRequestBody(body).inputs[0]?.data).toEqual([1]);
  });

  it('rejects bad framing with InferenceInputError', () => {
    const four = Buffer.alloc(4);
    const header = {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 8 } }],
    };
    const cases: [Buffer, number | undefined, RegExp][] = [
      [binaryBody(header, four).body, binaryBody(header, four).headerLength, /runs past the end/],
      [Buffer.from('{"inputs": ['), undefined, /not valid JSON/],
      [Buffer.from('{}'), 10, /does not fit/],
      [
        binaryBody({ inputs: [] }, four).body,
        binaryBody({ inputs: [] }, four).headerLength,
        /4 bytes of binary data are not claimed/,
      ],
      [
        binaryBody(
          {
            inputs: [
              { name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 3 } },
            ],
          },
          Buffer.alloc(3),
        ).body,
        binaryBody(
          {
            inputs: [
              { name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 3 } },
            ],
          },
          Buffer.alloc(3),
        ).headerLength,
        /not a whole number of FP32/,
      ],
      [
        binaryBody(
          {
            inputs: [
              { name: 's', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: 5 } },
            ],
          },
          Buffer.from([9, 0, 0, 0, 65]),
        ).body,
        binaryBody(
          {
            inputs: [
              { name: 's', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: 5 } },
            ],
          },
          Buffer.from([9, 0, 0, 0, 65]),
        ).headerLength,
        /runs past the data/,
      ],
    ];
    for (const [body, headerLength, message] of cases) {
      expect(() => parseInferRequestBody(body, headerLength)).toThrow(InferenceInputError);
      expect(() => parseInferRequestBody(body, headerLength)).toThrow(message);
    }
  });

  it('encodes a response with binary outputs after the JSON header', () => {
    const y: DecodedTensor = { datatype: 'FP32', shape: [2], data: Float32Array.from([0.5, 0.25]) };
    const label: DecodedTensor = { datatype: 'INT64', shape: [1], data: BigInt64Array.from([3n]) };
    const encoded = encodeInferResponse(
      {
        model_name: 'm',
        model_version: '1',
        outputs: [
          { name: 'y', tensor: y },
          { name: 'label', tensor: label },
        ],
      },
      (name) => name === 'y',
    );
    expect(encoded.contentType).toBe('application/octet-stream');
    const headerLength = encoded.headerLength as number;
    const header = JSON.parse(
      Buffer.concat(encoded.parts).subarray(0, headerLength).toString(),
    ) as {
      outputs: Record<string, unknown>[];
    };
    expect(header.outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
      { name: 'label', datatype: 'INT64', shape: [1], data: [3] },
    ]);
    const raw = Buffer.concat(encoded.parts).subarray(headerLength);
    expect(decodeBinaryTensor('y', 'FP32', raw)).toEqual(y.data);
  });

  it('encodes plain JSON when no output is binary', () => {
    const encoded = encodeInferResponse({
      model_name: 'm',
      id: 'q',
      outputs: [
        { name: 'y', tensor: { datatype: 'FP64', shape: [1], data: Float64Array.from([NaN]) } },
      ],
    });
    expect(encoded.headerLength).toBeUndefined();
    expect(JSON.parse(Buffer.concat(encoded.parts).toString())).toEqual({
      model_name: 'm',
      id: 'q',
      outputs: [{ name: 'y', datatype: 'FP64', shape: [1], data: ['NaN'] }],
    });
  });

  it('lets binary_data per output override binary_data_output', () => {
    const request = {
      parameters: { binary_data_output: true },
      outputs: [{ name: 'a', parameters: { binary_data: false } }],
    };
    expect(wantsBinaryOutput(request, 'a')).toBe(false);
    expect(wantsBinaryOutput(request, 'b')).toBe(true);
  });

  it('views aligned binary data in place and copies only misaligned data', () => {
    const backing = new ArrayBuffer(64);
    const bytes = new Uint8Array(backing);
    new Float32Array(backing, 8, 4).set([1, 2, 3, 4]);
    const aligned = decodeBinaryTensor('x', 'FP32', bytes.subarray(8, 24)) as Float32Array;
    expect(Array.from(aligned)).toEqual([1, 2, 3, 4]);
    expect(aligned.buffer).toBe(backing); // a view: no copy
    bytes.copyWithin(9, 8, 24); // the same floats one byte later
    const misaligned = decodeBinaryTensor('x', 'FP32', bytes.subarray(9, 25)) as Float32Array;
    expect(Array.from(misaligned)).toEqual([1, 2, 3, 4]);
    expect(misaligned.buffer).not.toBe(backing);
    // UINT8 and BOOL come back as plain Uint8Arrays (not Buffers) over the same bytes.
    const flags = decodeBinaryTensor('f', 'BOOL', Buffer.from([0, 5, 1]));
    expect(flags.constructor).toBe(Uint8Array);
    expect(Array.from(flags as Uint8Array)).toEqual([0, 1, 1]);
  });

  it('answers with the outputs viewed, gathered when small and streamed when large', async () => {
    const small = Float32Array.from([1, 2]);
    const encoded = encodeInferResponse(
      {
        model_name: 'm',
        outputs: [{ name: 'y', tensor: { datatype: 'FP32', shape: [2], data: small } }],
      },
      () => true,
    );
    expect(encoded.parts[1]?.buffer).toBe(small.buffer); // the output is not copied into parts
    expect(encoded.byteLength).toBe(Buffer.concat(encoded.parts).byteLength);
    const gathered = inferResponseBody(encoded);
    expect(Buffer.isBuffer(gathered)).toBe(true);
    expect((gathered as Buffer).equals(Buffer.concat(encoded.parts))).toBe(true);

    const large = new Float32Array(GATHER_RESPONSE_BYTES / 4 + 1).map((_, i) => i);
    const big = encodeInferResponse(
      {
        model_name: 'm',
        outputs: [{ name: 'y', tensor: { datatype: 'FP32', shape: [large.length], data: large } }],
      },
      () => true,
    );
    const streamed = inferResponseBody(big);
    expect(Buffer.isBuffer(streamed)).toBe(false);
    const read: Buffer[] = [];
    for await (const chunk of streamed as AsyncIterable<Buffer>) read.push(chunk);
    const all = Buffer.concat(read);
    expect(all.byteLength).toBe(big.byteLength);
    const out = all.subarray(big.headerLength);
    expect(new Float32Array(new Uint8Array(out).buffer)).toEqual(large);
  });
});
