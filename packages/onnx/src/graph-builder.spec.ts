import * as ort from 'onnxruntime-node';
import {
  GraphBuilder,
  OIP_TO_ONNX_DATATYPE,
  ONNX_TO_OIP_DATATYPE,
  bfloat16BitsToFloat32,
  decodeModel,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  irVersionForOpset,
  onnxToOipDatatype,
  readSignature,
} from './index';

async function runBytes(bytes: Uint8Array, feeds: Record<string, ort.Tensor> = {}) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('datatype mapping', () => {
  it('maps every OIP datatype to its ONNX element type and back', () => {
    expect(OIP_TO_ONNX_DATATYPE).toMatchObject({
      FP32: 1,
      UINT8: 2,
      INT8: 3,
      INT64: 7,
      BYTES: 8,
      BOOL: 9,
      FP16: 10,
      FP64: 11,
      BF16: 16,
    });
    for (const [oip, onnx] of Object.entries(OIP_TO_ONNX_DATATYPE))
      expect(ONNX_TO_OIP_DATATYPE[onnx]).toBe(oip);
    expect(onnxToOipDatatype(14)).toBe('COMPLEX64');
    expect(onnxToOipDatatype(99)).toBe('ONNX_TYPE_99');
  });
});

describe('half-precision conversions', () => {
  it('converts known float16 and bfloat16 values, rounding to nearest even', () => {
    const halves: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0, 0],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [Infinity, 0x7c00],
      [2 ** -24, 0x0001],
      [2 ** -25, 0],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [0.1, 0x2e66],
    ];
    for (const [value, bits] of halves)
      expect(float32ToFloat16Bits(value), String(value)).toBe(bits);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float16BitsToFloat32(0x3555)).toBeCloseTo(0.33325, 5);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(-2.5)).toBe(0xc020);
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(3.14159))).toBeCloseTo(3.140625, 6);
    expect(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN)))).toBe(true);
  });

  it('writes FP16, BF16, FP64, INT64 and BOOL initializers that onnxruntime reads back', async () => {
    const bytes = new GraphBuilder()
      .addInitializer('h', 'FP16', [3], [1.5, -0.25, 1000])
      .addInitializer('bh', 'BF16', [2], [2, -3.5])
      .addInitializer('d', 'FP64', [1], [0.1])
      .addInitializer('big', 'INT64', [2], [2n ** 62n, -3])
      .addInitializer('flags', 'BOOL', [3], [true, false, true])
      .addInitializer('words', 'BYTES', [2], ['x', 'yz'])
      .addNode('Cast', ['h'], ['h32'], { to: 1 })
      .addNode('Cast', ['bh'], ['bh32'], { to: 1 })
      .addNode('Identity', ['d'], ['d_out'])
      .addNode('Identity', ['big'], ['big_out'])
      .addNode('Identity', ['flags'], ['flags_out'])
      .addNode('Identity', ['words'], ['words_out'])
      .addOutput('h32', 'FP32', [3])
      .addOutput('bh32', 'FP32', [2])
      .addOutput('d_out', 'FP64', [1])
      .addOutput('big_out', 'INT64', [2])
      .addOutput('flags_out', 'BOOL', [3])
      .addOutput('words_out', 'BYTES', [2])
      .toBytes();
    const out = await runBytes(bytes);
    expect(Array.from(out.h32?.data as Float32Array)).toEqual([1.5, -0.25, 1000]);
    expect(Array.from(out.bh32?.data as Float32Array)).toEqual([2, -3.5]);
    expect(Array.from(out.d_out?.data as Float64Array)).toEqual([0.1]);
    expect(Array.from(out.big_out?.data as BigInt64Array)).toEqual([2n ** 62n, -3n]);
    expect(Array.from(out.flags_out?.data as Uint8Array, Boolean)).toEqual([true, false, true]);
    expect(out.words_out?.data).toEqual(['x', 'yz']);
  });
});

describe('GraphBuilder', () => {
  const minimal = () =>
    new GraphBuilder()
      .addInput('x', 'FP32', [-1])
      .addNode('Relu', ['x'], ['y'])
      .addOutput('y', 'FP32', [-1]);

  it('writes the IR version matching the opset, the producer and the metadata', () => {
    const bytes = minimal()
      .setMetadata('a', '1')
      .setMetadata('a', '2')
      .setMetadata('b', 'x')
      .toBytes();
    const model = decodeModel(bytes);
    expect(model.producer_name).toBe('maas');
    expect(readSignature(bytes).metadata).toEqual({ a: '2', b: 'x' });
    expect(readSignature(bytes).irVersion).toBe(8);
    expect([7, 8, 9, 10, 11, 12, 14, 15, 18, 19, 20, 21, 22, 23].map(irVersionForOpset)).toEqual([
      3, 3, 4, 5, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11,
    ]);
    expect(() => irVersionForOpset(6)).toThrow(/7 to 23/);
    expect(() => new GraphBuilder({ opsetVersion: 30 })).toThrow(/7 to 23/);
  });

  it('produces identical bytes for identical graphs', () => {
    expect(Buffer.from(minimal().toBytes()).equals(Buffer.from(minimal().toBytes()))).toBe(true);
  });

  it('rejects unknown datatypes, bad shapes and wrong value counts', () => {
    // @ts-expect-error: not an OIP datatype
    expect(() => new GraphBuilder().addInput('x', 'FLOAT', [1])).toThrow(
      /unknown datatype 'FLOAT'/,
    );
    expect(() => new GraphBuilder().addInput('x', 'FP32', [-2])).toThrow(/dimension -2/);
    expect(() => new GraphBuilder().addInput('x', 'FP32', [1.5])).toThrow(/dimension 1.5/);
    // @ts-expect-error: a tensor needs a shape
    expect(() => new GraphBuilder().addInput('x', 'FP32')).toThrow(/needs a shape/);
    expect(() => new GraphBuilder().addInitializer('w', 'FP32', [2, 2], [1, 2, 3])).toThrow(
      /need 4 values, got 3/,
    );
    expect(() => new GraphBuilder().addInitializer('w', 'INT8', [1], [300])).toThrow(
      /not a valid INT8/,
    );
    expect(() => new GraphBuilder().addInitializer('w', 'INT64', [1], [0.5])).toThrow(
      /not a safe integer/,
    );
    expect(() => new GraphBuilder().addInitializer('w', 'BYTES', [1], [1])).toThrow(
      /string or Uint8Array/,
    );
  });

  it('rejects graphs that use names before they exist, twice, or never produce an output', () => {
    expect(() =>
      new GraphBuilder().addInput('x', 'FP32', [1]).addNode('Relu', ['z'], ['y']),
    ).toThrow(/uses 'z', which no input/);
    expect(() =>
      new GraphBuilder().addInput('x', 'FP32', [1]).addInitializer('x', 'FP32', [1], [1]),
    ).toThrow(/already defined/);
    expect(() =>
      new GraphBuilder().addInput('x', 'FP32', [1]).addNode('Relu', ['x'], ['x']),
    ).toThrow(/already defined/);
    expect(() =>
      new GraphBuilder().addInput('x', 'FP32', [1]).addOutput('y', 'FP32', [1]).toBytes(),
    ).toThrow(/'y' is not produced/);
    expect(() => new GraphBuilder().addInput('x', 'FP32', [1]).toBytes()).toThrow(/no outputs/);
    expect(() =>
      new GraphBuilder()
        .addInput('x', 'FP32', [1])
        .addNode('Scaler', ['x'], ['y'], {}, { domain: 'ai.onnx.ml' })
        .addOutput('y', 'FP32', [1])
        .toBytes(),
    ).toThrow(/domain 'ai.onnx.ml': declare it in extraOpsets/);
  });

  it('rejects ambiguous attribute arrays', () => {
    // Mixed arrays are not an attribute type; JS callers can still pass one.
    const mixed = [1, 'a'] as unknown as string[];
    expect(() =>
      new GraphBuilder().addInput('x', 'FP32', [1]).addNode('Foo', ['x'], ['y'], { bad: mixed }),
    ).toThrow(/only numbers or only strings/);
  });

  it('accepts an omitted optional input and hands out fresh names', async () => {
    const builder = new GraphBuilder()
      .addInput('x', 'FP32', [2])
      .addInitializer('min', 'FP32', [], [0]);
    const clipped = builder.freshName('clipped');
    expect(clipped).toBe('clipped_0');
    builder.addNode('Clip', ['x', 'min', ''], [clipped]).addOutput(clipped, 'FP32', [2]);
    expect(builder.freshName('clipped')).toBe('clipped_1');
    const out = await runBytes(builder.toBytes(), {
      x: new ort.Tensor('float32', Float32Array.from([-1, 3]), [2]),
    });
    expect(Array.from(out[clipped]?.data as Float32Array)).toEqual([0, 3]);
  });

  it('loads at opset 23 in onnxruntime-node', async () => {
    const bytes = new GraphBuilder({ opsetVersion: 23 })
      .addInput('x', 'FP32', [1])
      .addNode('Relu', ['x'], ['y'])
      .addOutput('y', 'FP32', [1])
      .toBytes();
    const out = await runBytes(bytes, {
      x: new ort.Tensor('float32', Float32Array.from([-1]), [1]),
    });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([0]);
  });
});

describe('graph attributes', () => {
  it('writes a Loop body subgraph that onnxruntime runs', async () => {
    const body = new GraphBuilder({ graphName: 'body' });
    body.addInput('i', 'INT64', []).addInput('cond', 'BOOL', []).addInput('v', 'FP32', [1]);
    body.addInitializer('two', 'FP32', [], [2]);
    body.addNode('Identity', ['cond'], ['cond_out']).addNode('Mul', ['v', 'two'], ['v_out']);
    body.addOutput('cond_out', 'BOOL', []).addOutput('v_out', 'FP32', [1]);
    const g = new GraphBuilder();
    g.addInput('x', 'FP32', [1]);
    g.addInitializer('trips', 'INT64', [], [5n]);
    g.addInitializer('go', 'BOOL', [], [true]);
    g.addNode('Loop', ['trips', 'go', 'x'], ['y'], { body: { graph: body } });
    g.addOutput('y', 'FP32', [1]);
    const session = await ort.InferenceSession.create(g.toBytes());
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([3]), [1]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([96]);
    await session.release();
  });
});
