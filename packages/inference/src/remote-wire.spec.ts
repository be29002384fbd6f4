import { encodeInferResponse, parseInferRequestBody } from './binary-data';
import { decodeRemoteInferResponse, encodeRemoteInferRequest } from './remote-wire';
import type { DecodedTensor } from './tensor.types';

const TENSORS: Record<string, DecodedTensor> = {
  f32: { datatype: 'FP32', shape: [2, 2], data: Float32Array.from([1.5, -2, NaN, Infinity]) },
  f64: { datatype: 'FP64', shape: [1], data: Float64Array.from([0.1 + 0.2]) },
  i64: { datatype: 'INT64', shape: [3], data: BigInt64Array.from([2n ** 62n, -5n, 0n]) },
  flag: { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
  text: { datatype: 'BYTES', shape: [2], data: ['héllo', ''] },
};

describe('remote wire format', () => {
  it('sends every input as binary data that the OIP parser reads back exactly', () => {
    // A view into a bigger buffer, as decoded inputs often are.
    const backing = new Float32Array([9, 9, 7, 8]);
    const inputs: Record<string, DecodedTensor> = {
      ...TENSORS,
      view: { datatype: 'FP32', shape: [2], data: backing.subarray(2) },
    };
    const { body, headerLength } = encodeRemoteInferRequest(inputs);
    const parsed = parseInferRequestBody(body, headerLength);
    expect(parsed.parameters).toEqual({ binary_data_output: true });
    for (const input of parsed.inputs) {
      const sent = inputs[input.name];
      expect(input.datatype).toBe(sent?.datatype);
      expect(input.shape).toEqual(sent?.shape);
      expect(input.data).toEqual(sent?.data);
    }
    expect(parsed.inputs.map((i) => i.name)).toEqual(Object.keys(inputs));
  });

  it('asks for the named outputs in binary when outputs are chosen', () => {
    const { body, headerLength } = encodeRemoteInferRequest({ f64: TENSORS.f64 as DecodedTensor }, [
      'a',
      'b',
    ]);
    const parsed = parseInferRequestBody(body, headerLength);
    expect(parsed.outputs).toEqual([
      { name: 'a', parameters: { binary_data: true } },
      { name: 'b', parameters: { binary_data: true } },
    ]);
    expect(parsed.parameters).toBeUndefined();
  });

  it('reads binary responses back bit for bit, and JSON ones too', () => {
    const outputs = Object.entries(TENSORS).map(([name, tensor]) => ({ name, tensor }));
    const binary = encodeInferResponse({ model_name: 'm', outputs }, () => true);
    expect(decodeRemoteInferResponse(Buffer.concat(binary.parts), binary.headerLength)).toEqual(
      TENSORS,
    );
    const json = encodeInferResponse(
      { model_name: 'm', outputs: outputs.filter((o) => o.name !== 'i64') },
      (name) => name === 'text',
    );
    const { i64: _skipped, ...rest } = TENSORS;
    expect(decodeRemoteInferResponse(Buffer.concat(json.parts), json.headerLength)).toEqual(rest);
  });

  it('rejects malformed responses with a message', () => {
    const good = encodeInferResponse(
      { model_name: 'm', outputs: [{ name: 'f64', tensor: TENSORS.f64 as DecodedTensor }] },
      () => true,
    );
    expect(() =>
      decodeRemoteInferResponse(
        Buffer.concat(good.parts).subarray(0, Buffer.concat(good.parts).byteLength - 1),
        good.headerLength,
      ),
    ).toThrow(/does not fit/);
    expect(() =>
      decodeRemoteInferResponse(
        Buffer.concat([Buffer.concat(good.parts), Buffer.alloc(4)]),
        good.headerLength,
      ),
    ).toThrow(/belong to no output/);
    expect(() => decodeRemoteInferResponse(Buffer.from('{"outputs": 3}'))).toThrow(/no "outputs"/);
    expect(() => decodeRemoteInferResponse(Buffer.from('{"outputs": [{"name": "x"}]}'))).toThrow(
      /lacks/,
    );
  });
});
