import { GraphBuilder, OnnxFormatError, onnxProto, readInitializers } from './index';

function model(): GraphBuilder {
  return new GraphBuilder()
    .addInput('x', 'FP32', [-1, 2])
    .addInitializer('w', 'FP32', [2, 1], [0.5, -1.25])
    .addInitializer('d', 'FP64', [2], [Math.PI, -1e-300])
    .addInitializer('i', 'INT64', [3], [1, -2, 2 ** 40])
    .addInitializer('h', 'FP16', [1], [0.5])
    .addInitializer('s', 'BYTES', [1], ['text'])
    .addNode('MatMul', ['x', 'w'], ['y'])
    .addOutput('y', 'FP32', [-1, 1]);
}

describe('readInitializers', () => {
  it('reads numeric initializers from raw data with their dims and datatype', () => {
    const found = readInitializers(model().toBytes());
    expect(found.get('w')).toEqual({
      name: 'w',
      datatype: 'FP32',
      dims: [2, 1],
      values: Float64Array.from([0.5, -1.25]),
    });
    expect(Array.from(found.get('d')?.values ?? [])).toEqual([Math.PI, -1e-300]);
    expect(Array.from(found.get('i')?.values ?? [])).toEqual([1, -2, 2 ** 40]);
    expect(found.get('h')?.values[0]).toBe(0.5);
    expect(found.has('s')).toBe(false);
  });

  it('reads the typed data fields other exporters write', () => {
    const proto = model().toModelProto() as { graph: { initializer: Record<string, unknown>[] } };
    proto.graph.initializer = [
      { name: 'f', dims: [3], data_type: 1, float_data: [1.5, 2, -3] },
      { name: 'n', dims: [2], data_type: 7, int64_data: [5, -6] },
    ];
    const bytes = onnxProto.ModelProto.encode(proto).finish();
    const found = readInitializers(bytes);
    expect(Array.from(found.get('f')?.values ?? [])).toEqual([1.5, 2, -3]);
    expect(Array.from(found.get('n')?.values ?? [])).toEqual([5, -6]);
  });

  it('rejects data that does not match the dims, and bytes that are not ONNX', () => {
    const proto = model().toModelProto() as { graph: { initializer: Record<string, unknown>[] } };
    proto.graph.initializer = [
      { name: 'bad', dims: [4], data_type: 1, raw_data: new Uint8Array(8) },
    ];
    expect(() => readInitializers(onnxProto.ModelProto.encode(proto).finish())).toThrow(
      /'bad' has 8 bytes of data, expected 16/,
    );
    expect(() => readInitializers(new Uint8Array([1, 2, 3]))).toThrow(OnnxFormatError);
  });
});
