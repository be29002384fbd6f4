import * as ort from 'onnxruntime-node';
import { buildIdentityModel, buildLinearModel, buildMlpModel } from './index';

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 4): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('buildLinearModel', () => {
  it('computes input · Wᵀ + bias in onnxruntime', async () => {
    const weights = [
      [1, 2, 3],
      [-0.5, 0.25, 4],
    ];
    const bias = [0.5, -1];
    const bytes = buildLinearModel({ weights, bias, metadata: { owner: 'tests' } });
    const input = [1, 1, 1, 2, -3, 0.5];
    const { output } = await run(bytes, {
      input: new ort.Tensor('float32', Float32Array.from(input), [2, 3]),
    });
    expect(output?.dims).toEqual([2, 2]);
    const expected = [0, 1].flatMap((r) =>
      weights.map((w, o) => w.reduce((s, wi, i) => s + wi * (input[r * 3 + i] ?? 0), bias[o] ?? 0)),
    );
    expectClose(output?.data as Float32Array, expected);
  });

  it('uses custom input and output names', async () => {
    const bytes = buildLinearModel({ weights: [[2]], bias: [1], inputName: 'x', outputName: 'y' });
    const { y } = await run(bytes, {
      x: new ort.Tensor('float32', Float32Array.from([3]), [1, 1]),
    });
    expectClose(y?.data as Float32Array, [7]);
  });

  it('rejects ragged weights and a wrong bias length', () => {
    expect(() => buildLinearModel({ weights: [[1, 2], [3]], bias: [0, 0] })).toThrow(
      /every weight row/,
    );
    expect(() => buildLinearModel({ weights: [[1, 2]], bias: [0, 0] })).toThrow(/bias needs 1/);
  });
});

describe('buildMlpModel', () => {
  it('matches its JS forward pass in onnxruntime, for every activation', async () => {
    for (const activation of ['relu', 'sigmoid', 'tanh'] as const) {
      const mlp = buildMlpModel({
        inputSize: 4,
        hiddenLayers: [8, 5],
        outputSize: 3,
        seed: 42,
        activation,
      });
      expect(
        mlp.layers.map((l) => [l.weights.length, l.weights[0]?.length, l.bias.length]),
      ).toEqual([
        [8, 4, 8],
        [5, 8, 5],
        [3, 5, 3],
      ]);
      const rows = [
        [0.1, -0.2, 0.3, 0.4],
        [1, 2, -3, 4],
        [0, 0, 0, 0],
      ];
      const { output } = await run(mlp.bytes, {
        input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [3, 4]),
      });
      expect(output?.dims).toEqual([3, 3]);
      expectClose(output?.data as Float32Array, mlp.forward(rows).flat());
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const options = { inputSize: 3, hiddenLayers: [4], outputSize: 2 };
    const a = buildMlpModel({ ...options, seed: 7 });
    const b = buildMlpModel({ ...options, seed: 7 });
    const c = buildMlpModel({ ...options, seed: 8 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(c.layers[0]?.weights).not.toEqual(a.layers[0]?.weights);
    // Weights stay within the ±1/√fan_in init range.
    for (const w of a.layers[0]?.weights.flat() ?? [])
      expect(Math.abs(w)).toBeLessThanOrEqual(1 / Math.sqrt(3));
  });

  it('rejects non-positive sizes', () => {
    expect(() => buildMlpModel({ inputSize: 0, hiddenLayers: [], outputSize: 1 })).toThrow(
      /inputSize/,
    );
    expect(() => buildMlpModel({ inputSize: 2, hiddenLayers: [2.5], outputSize: 1 })).toThrow(
      /hiddenLayers\[0\]/,
    );
  });
});

describe('buildIdentityModel', () => {
  it('passes every OIP datatype through onnxruntime unchanged', async () => {
    const bytes = buildIdentityModel([
      { name: 'f32', datatype: 'FP32', shape: [-1, 2] },
      { name: 'f64', datatype: 'FP64', shape: [2] },
      { name: 'f16', datatype: 'FP16', shape: [2] },
      { name: 'i8', datatype: 'INT8', shape: [2] },
      { name: 'u8', datatype: 'UINT8', shape: [2] },
      { name: 'i16', datatype: 'INT16', shape: [2] },
      { name: 'u16', datatype: 'UINT16', shape: [2] },
      { name: 'i32', datatype: 'INT32', shape: [2] },
      { name: 'u32', datatype: 'UINT32', shape: [2] },
      { name: 'i64', datatype: 'INT64', shape: ['batch'] },
      { name: 'u64', datatype: 'UINT64', shape: [2] },
      { name: 'b', datatype: 'BOOL', shape: [2] },
      { name: 's', datatype: 'BYTES', shape: [null] },
    ]);
    const feeds: Record<string, ort.Tensor> = {
      f32: new ort.Tensor('float32', Float32Array.from([1.5, -2, 3, 4]), [2, 2]),
      f64: new ort.Tensor('float64', Float64Array.from([1e300, -1e-300]), [2]),
      f16: new ort.Tensor('float16', Uint16Array.from([0x3c00, 0xc000]), [2]),
      i8: new ort.Tensor('int8', Int8Array.from([-128, 127]), [2]),
      u8: new ort.Tensor('uint8', Uint8Array.from([0, 255]), [2]),
      i16: new ort.Tensor('int16', Int16Array.from([-32768, 32767]), [2]),
      u16: new ort.Tensor('uint16', Uint16Array.from([0, 65535]), [2]),
      i32: new ort.Tensor('int32', Int32Array.from([-2147483648, 2147483647]), [2]),
      u32: new ort.Tensor('uint32', Uint32Array.from([0, 4294967295]), [2]),
      i64: new ort.Tensor('int64', BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 5n]), [3]),
      u64: new ort.Tensor('uint64', BigUint64Array.from([0n, 2n ** 64n - 1n]), [2]),
      b: new ort.Tensor('bool', Uint8Array.from([1, 0]), [2]),
      s: new ort.Tensor('string', ['héllo', ''], [2]),
    };
    const outputs = await run(bytes, feeds);
    for (const [name, tensor] of Object.entries(feeds)) {
      const out = outputs[`${name}_out`];
      expect(out?.type, name).toBe(tensor.type);
      expect(out?.dims, name).toEqual(tensor.dims);
      expect(Array.from(out?.data as ArrayLike<unknown>), name).toEqual(
        Array.from(tensor.data as ArrayLike<unknown>),
      );
    }
  });
});
