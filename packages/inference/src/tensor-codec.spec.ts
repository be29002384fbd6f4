import { InferenceInputError } from './inference.errors';
import {
  decodeOipInputs,
  decodeTensorInput,
  decodeTensorInputs,
  resolveFetches,
  validateFeeds,
} from './tensor-codec';
import type { ModelSignature, TensorSpec } from './tensor.types';

const spec = (name: string, datatype: string, shape: number[]): TensorSpec => ({
  name,
  datatype,
  shape,
});

function expectInputError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InferenceInputError);
  expect((caught as Error).message).toMatch(message);
}

describe('decodeTensorInput', () => {
  it('decodes nested arrays of every numeric datatype into the right typed array', () => {
    const cases: [string, unknown, unknown][] = [
      ['FP32', [[1.5, -2]], Float32Array.from([1.5, -2])],
      ['FP64', [[0.1, 1e300]], Float64Array.from([0.1, 1e300])],
      ['INT64', [[9007199254740991, -3]], BigInt64Array.from([9007199254740991n, -3n])],
      ['UINT64', [[5, 0]], BigUint64Array.from([5n, 0n])],
      ['INT32', [[-2147483648, 7]], Int32Array.from([-2147483648, 7])],
      ['UINT32', [[4294967295, 0]], Uint32Array.from([4294967295, 0])],
      ['INT16', [[-32768, 32767]], Int16Array.from([-32768, 32767])],
      ['UINT16', [[65535, 1]], Uint16Array.from([65535, 1])],
      ['INT8', [[-128, 127]], Int8Array.from([-128, 127])],
      ['UINT8', [[255, 0]], Uint8Array.from([255, 0])],
      ['BOOL', [[true, false]], Uint8Array.from([1, 0])],
      ['BYTES', [['a', 'héllo']], ['a', 'héllo']],
    ];
    for (const [datatype, value, data] of cases) {
      const t = decodeTensorInput(spec('x', datatype, [-1, 2]), value);
      expect(t).toEqual({ datatype, shape: [1, 2], data });
    }
  });

  it('accepts "NaN" and "±Infinity" strings for floats and a bare number for a scalar', () => {
    const t = decodeTensorInput(spec('x', 'FP32', [3]), ['NaN', 'Infinity', '-Infinity']);
    expect(Array.from(t.data as Float32Array)).toEqual([NaN, Infinity, -Infinity]);
    expect(decodeTensorInput(spec('s', 'FP64', []), 2.5)).toEqual({
      datatype: 'FP64',
      shape: [],
      data: Float64Array.from([2.5]),
    });
  });

  it('accepts {shape, data} with flat or nested data', () => {
    const s = spec('x', 'FP32', [-1, 3]);
    const flat = decodeTensorInput(s, { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
    const nested = decodeTensorInput(s, {
      shape: [2, 3],
      data: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    expect(flat).toEqual({
      datatype: 'FP32',
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
    });
    expect(nested).toEqual(flat);
  });

  it('rejects the wrong rank, naming the input and the expected shape', () => {
    expectInputError(
      () => decodeTensorInput(spec('features', 'FP32', [-1, 3]), [1, 2, 3]),
      /input 'features'.*FP32 of shape \[-1, 3\].*rank 1/,
    );
  });

  it('rejects a fixed dimension mismatch', () => {
    expectInputError(
      () => decodeTensorInput(spec('x', 'FP32', [-1, 3]), [[1, 2]]),
      /input 'x'.*got \[1, 2\].*dimension 1 must be 3/,
    );
  });

  it('rejects ragged arrays', () => {
    expectInputError(
      () => decodeTensorInput(spec('x', 'FP32', [-1, 2]), [[1, 2], [3]]),
      /input 'x'.*ragged/,
    );
    expectInputError(
      () =>
        decodeTensorInput(spec('x', 'FP32', [-1, 2]), [
          [1, 2],
          [3, [4]],
        ]),
      /input 'x'.*ragged/,
    );
  });

  it('rejects non-numeric and out-of-range values, naming the element', () => {
    expectInputError(
      () =>
        decodeTensorInput(spec('x', 'FP32', [-1, 2]), [
          [1, 2],
          [3, 'abc'],
        ]),
      /input 'x'.*element \[1, 1\] is "abc", expected a number/,
    );
    expectInputError(
      () => decodeTensorInput(spec('x', 'FP32', [1]), [null]),
      /element \[0\] is null/,
    );
    expectInputError(
      () => decodeTensorInput(spec('x', 'INT32', [1]), [1.5]),
      /integer in \[-2147483648, 2147483647\]/,
    );
    expectInputError(
      () => decodeTensorInput(spec('x', 'UINT8', [1]), [256]),
      /integer in \[0, 255\]/,
    );
    expectInputError(() => decodeTensorInput(spec('x', 'BOOL', [1]), ['yes']), /true or false/);
    expectInputError(() => decodeTensorInput(spec('x', 'BYTES', [1]), [3]), /a string/);
  });

  it('takes INT64/UINT64 beyond ±2^53 as decimal strings, exactly, as outputs are written', () => {
    expect(
      decodeTensorInput(spec('ids', 'INT64', [3]), [
        '9223372036854775807',
        '-9223372036854775808',
        '7',
      ]).data,
    ).toEqual(BigInt64Array.from([2n ** 63n - 1n, -(2n ** 63n), 7n]));
    expect(
      decodeTensorInput(spec('ids', 'UINT64', [1]), { shape: [1], data: ['18446744073709551615'] })
        .data,
    ).toEqual(BigUint64Array.from([2n ** 64n - 1n]));
    // Out of range, not decimal, or not an integer: refused with the element named.
    for (const bad of ['9223372036854775808', '1e3', '0x10', '1.5', ' 12', '', '007', '-'])
      expectInputError(() => decodeTensorInput(spec('ids', 'INT64', [1]), [bad]), /decimal string/);
    expectInputError(() => decodeTensorInput(spec('ids', 'UINT64', [1]), ['-1']), /decimal string/);
    expectInputError(
      () => decodeTensorInput(spec('ids', 'INT64', [1]), ['1'.repeat(5000)]),
      /element \[0\]/,
    );
  });

  it('rejects INT64 numbers beyond ±2^53 (they are not exact in JSON)', () => {
    expectInputError(
      () => decodeTensorInput(spec('ids', 'INT64', [1]), [2 ** 53]),
      /input 'ids'.*9007199254740991/,
    );
    expectInputError(
      () => decodeTensorInput(spec('ids', 'INT64', [1]), [-(2 ** 53) - 2]),
      /input 'ids'/,
    );
  });

  it('rejects {shape, data} whose data length does not match the shape', () => {
    expectInputError(
      () => decodeTensorInput(spec('x', 'FP32', [-1, 2]), { shape: [2, 2], data: [1, 2, 3] }),
      /input 'x'.*\[2, 2\] needs 4 values, got 3/,
    );
    expectInputError(
      () => decodeTensorInput(spec('x', 'FP32', [-1, 2]), { shape: [2, -2], data: [] }),
      /non-negative integers/,
    );
  });

  it('refuses datatypes it cannot feed', () => {
    expectInputError(() => decodeTensorInput(spec('h', 'FP16', [1]), [1]), /input 'h'.*FP16/);
  });
});

describe('decodeTensorInputs / decodeOipInputs', () => {
  const specs = [spec('a', 'FP32', [-1, 2]), spec('b', 'INT64', [-1])];

  it('decodes every input by name', () => {
    const out = decodeTensorInputs(specs, { a: [[1, 2]], b: [7] });
    expect(Object.keys(out)).toEqual(['a', 'b']);
  });

  it('rejects missing and unknown inputs', () => {
    expectInputError(
      () => decodeTensorInputs(specs, { a: [[1, 2]] }),
      /missing input 'b': expected INT64 of shape \[-1\]/,
    );
    expectInputError(
      () => decodeTensorInputs(specs, { a: [[1, 2]], b: [1], c: [1] }),
      /unknown input 'c'.*a, b/,
    );
  });

  it('decodes the flat OIP form and checks its datatype', () => {
    const out = decodeOipInputs(specs, [
      { name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
      { name: 'b', datatype: 'INT64', shape: [1], data: [3] },
    ]);
    expect(out.b).toEqual({ datatype: 'INT64', shape: [1], data: BigInt64Array.from([3n]) });
    expectInputError(
      () =>
        decodeOipInputs(specs, [
          { name: 'a', datatype: 'FP64', shape: [1, 2], data: [1, 2] },
          { name: 'b', datatype: 'INT64', shape: [1], data: [3] },
        ]),
      /input 'a': expected datatype FP32, got FP64/,
    );
    expectInputError(() => decodeOipInputs(specs, { a: 1 }), /"inputs" must be an array/);
    expectInputError(
      () =>
        decodeOipInputs(specs, [
          { name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
          { name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
        ]),
      /appears twice/,
    );
  });
});

describe('validateFeeds / resolveFetches', () => {
  const signature: ModelSignature = {
    inputs: [spec('x', 'FP32', [-1, 2])],
    outputs: [spec('label', 'INT64', [-1]), spec('prob', 'FP32', [-1, 2])],
    nonTensorOutputs: ['zipmap'],
  };

  it('checks decoded tensors against the loaded model', () => {
    expect(() =>
      validateFeeds(signature, {
        x: { datatype: 'FP32', shape: [1, 2], data: new Float32Array(2) },
      }),
    ).not.toThrow();
    expectInputError(
      () =>
        validateFeeds(signature, {
          x: { datatype: 'FP32', shape: [1, 2], data: new Float32Array(3) },
        }),
      /needs 2 values, got 3/,
    );
    expectInputError(
      () =>
        validateFeeds(signature, {
          x: { datatype: 'FP64', shape: [1, 2], data: new Float64Array(2) },
        }),
      /got FP64/,
    );
    expectInputError(() => validateFeeds(signature, {}), /missing input 'x'/);
  });

  it('fetches every tensor output by default, skipping non-tensor ones', () => {
    expect(resolveFetches(signature)).toEqual(['label', 'prob']);
    expect(resolveFetches(signature, ['prob'])).toEqual(['prob']);
    expectInputError(() => resolveFetches(signature, ['zipmap']), /'zipmap' is not a tensor/);
    expectInputError(
      () => resolveFetches(signature, ['nope']),
      /unknown output 'nope'.*label, prob/,
    );
  });
});
