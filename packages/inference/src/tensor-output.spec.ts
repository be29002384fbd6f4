import { encodeOipOutput, encodeTensorOutput, fp32Json, int64Json } from './tensor-output';

describe('encodeTensorOutput (docs/api.md, "Numbers in JSON")', () => {
  it('writes FP32 to 9 significant digits', () => {
    const t = {
      datatype: 'FP32' as const,
      shape: [3],
      data: Float32Array.from([0.1, 1 / 3, 123456789]),
    };
    expect(encodeTensorOutput(t)).toEqual([0.100000001, 0.333333343, 123456792]);
    expect(JSON.stringify(encodeTensorOutput(t))).toBe('[0.100000001,0.333333343,123456792]');
  });

  it('writes FP64 exactly (17 digits round-trip) and NaN/Infinity as strings', () => {
    const t = {
      datatype: 'FP64' as const,
      shape: [2, 2],
      data: Float64Array.from([0.1, NaN, Infinity, -Infinity]),
    };
    expect(encodeTensorOutput(t)).toEqual([
      [0.1, 'NaN'],
      ['Infinity', '-Infinity'],
    ]);
    expect(fp32Json(NaN)).toBe('NaN');
  });

  it('writes INT64 beyond 2^53 as decimal strings, so serialisation never breaks', () => {
    const t = {
      datatype: 'INT64' as const,
      shape: [3],
      data: BigInt64Array.from([1n, 9007199254740993n, -9223372036854775808n]),
    };
    expect(encodeTensorOutput(t)).toEqual([1, '9007199254740993', '-9223372036854775808']);
    expect(() => JSON.stringify(encodeTensorOutput(t))).not.toThrow();
    expect(int64Json(9007199254740991n)).toBe(9007199254740991);
  });

  it('writes BOOL as booleans, BYTES as strings, scalars bare and empty dimensions as empty arrays', () => {
    expect(
      encodeTensorOutput({ datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) }),
    ).toEqual([true, false]);
    expect(encodeTensorOutput({ datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] })).toEqual([
      ['a', 'b'],
    ]);
    expect(encodeTensorOutput({ datatype: 'INT32', shape: [], data: Int32Array.from([4]) })).toBe(
      4,
    );
    expect(
      encodeTensorOutput({ datatype: 'FP32', shape: [2, 0], data: new Float32Array(0) }),
    ).toEqual([[], []]);
    expect(
      encodeTensorOutput({ datatype: 'FP32', shape: [0, 3], data: new Float32Array(0) }),
    ).toEqual([]);
  });

  it('writes the flat OIP form', () => {
    expect(
      encodeOipOutput('y', {
        datatype: 'INT8',
        shape: [2, 2],
        data: Int8Array.from([1, -2, 3, -4]),
      }),
    ).toEqual({
      name: 'y',
      datatype: 'INT8',
      shape: [2, 2],
      data: [1, -2, 3, -4],
    });
  });
});
