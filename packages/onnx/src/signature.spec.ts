import * as ort from 'onnxruntime-node';
import {
  EXTERNAL_DATA_MESSAGE,
  GraphBuilder,
  OnnxFormatError,
  buildLinearModel,
  decodeModel,
  encodeModelMessage,
  readSignature,
  usesExternalData,
} from './index';

// Tests tamper with arbitrary, deeply nested ModelProto fields.
type ProtoObject = any;

// A model with one initializer, as a plain ModelProto object a test can tamper with.
function linearProto(): ProtoObject {
  return new GraphBuilder()
    .addInput('x', 'FP32', [-1, 2])
    .addInitializer('w', 'FP32', [2, 1], [1, 2])
    .addNode('MatMul', ['x', 'w'], ['y'])
    .addOutput('y', 'FP32', [-1, 1])
    .toModelProto();
}

describe('readSignature', () => {
  it('reads inputs, outputs, dynamic dims, datatypes and header fields', () => {
    const bytes = new GraphBuilder({
      producerName: 'unit-test',
      extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }],
    })
      .addInput('features', 'FP32', ['batch', 4])
      .addInput('ids', 'INT64', [null, -1, 3])
      .addInput('flag', 'BOOL', [])
      .addInput('text', 'BYTES', [2])
      .addNode('Identity', ['features'], ['features_out'])
      .addNode('Identity', ['ids'], ['ids_out'])
      .addNode('Cast', ['flag'], ['flag_int'], { to: 6 })
      .addNode('Identity', ['text'], ['text_out'])
      .addOutput('features_out', 'FP32', [-1, 4])
      .addOutput('ids_out', 'INT64', ['n', 'm', 3])
      .addOutput('flag_int', 'INT32', [])
      .addOutput('text_out', 'BYTES', [2])
      .toBytes();
    const signature = readSignature(bytes);
    expect(signature.inputs).toEqual([
      { name: 'features', datatype: 'FP32', shape: [-1, 4] },
      { name: 'ids', datatype: 'INT64', shape: [-1, -1, 3] },
      { name: 'flag', datatype: 'BOOL', shape: [] },
      { name: 'text', datatype: 'BYTES', shape: [2] },
    ]);
    expect(signature.outputs).toEqual([
      { name: 'features_out', datatype: 'FP32', shape: [-1, 4] },
      { name: 'ids_out', datatype: 'INT64', shape: [-1, -1, 3] },
      { name: 'flag_int', datatype: 'INT32', shape: [] },
      { name: 'text_out', datatype: 'BYTES', shape: [2] },
    ]);
    expect(signature.irVersion).toBe(8);
    expect(signature.opsets).toEqual([
      { domain: 'ai.onnx', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    expect(signature.producerName).toBe('unit-test');
    expect(signature.metadata).toEqual({});
    expect(signature.features).toBeUndefined();
  });

  it('reports FP16, BF16, FP64 and unsigned datatypes by their OIP names', () => {
    const builder = new GraphBuilder();
    for (const datatype of [
      'FP16',
      'BF16',
      'FP64',
      'UINT8',
      'UINT16',
      'UINT32',
      'UINT64',
      'INT8',
      'INT16',
    ] as const) {
      builder
        .addInput(datatype, datatype, [1])
        .addNode('Identity', [datatype], [`${datatype}_out`])
        .addOutput(`${datatype}_out`, datatype, [1]);
    }
    expect(readSignature(builder.toBytes()).inputs.map((i) => i.datatype)).toEqual([
      'FP16',
      'BF16',
      'FP64',
      'UINT8',
      'UINT16',
      'UINT32',
      'UINT64',
      'INT8',
      'INT16',
    ]);
  });

  it('reads metadata props and the maas tabular keys', () => {
    const bytes = buildLinearModel({
      weights: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      bias: [0, 0],
      outputName: 'probabilities',
      metadata: { author: 'ada' },
      tabular: {
        features: ['age', 'city', 'income'],
        labels: ['no', 'yes'],
        categories: { city: ['Paris', 'Oslo'] },
      },
    });
    const signature = readSignature(bytes);
    expect(signature.features).toEqual(['age', 'city', 'income']);
    expect(signature.labels).toEqual(['no', 'yes']);
    expect(signature.categories).toEqual({ city: ['Paris', 'Oslo'] });
    expect(signature.metadata).toMatchObject({ author: 'ada', 'maas.labels': '["no","yes"]' });
  });

  it('leaves out inputs that are initializers (old IR style)', () => {
    const proto = linearProto();
    proto.ir_version = 3;
    proto.opset_import = [{ domain: '', version: 8 }];
    proto.graph.input.push({
      name: 'w',
      type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }, { dim_value: 1 }] } } },
    });
    const bytes = encodeModelMessage(proto);
    expect(readSignature(bytes).inputs.map((i) => i.name)).toEqual(['x']);
    expect(readSignature(bytes).irVersion).toBe(3);
  });

  it('reports a tensor without a shape as unknown rank [-1] and a value without a type as UNDEFINED', () => {
    const proto = linearProto();
    proto.graph.input[0].type = { tensor_type: { elem_type: 1 } };
    delete proto.graph.output[0].type;
    const signature = readSignature(encodeModelMessage(proto));
    expect(signature.inputs[0]).toEqual({ name: 'x', datatype: 'FP32', shape: [-1] });
    expect(signature.outputs[0]).toEqual({ name: 'y', datatype: 'UNDEFINED', shape: [] });
  });

  it('reports sequence, map and optional values with non-tensor datatypes, as onnxruntime loads them', async () => {
    const sequenceModel = new GraphBuilder()
      .addInput('a', 'FP32', [2])
      .addInput('b', 'FP32', [2])
      .addNode('SequenceConstruct', ['a', 'b'], ['seq'])
      .addOutput('seq', { sequence: { tensor: { datatype: 'FP32', shape: [2] } } })
      .toBytes();
    expect(readSignature(sequenceModel).outputs).toEqual([
      { name: 'seq', datatype: 'SEQUENCE', shape: [] },
    ]);

    const mapModel = new GraphBuilder({ extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }] })
      .addInput('record', {
        map: { key: 'BYTES', value: { tensor: { datatype: 'FP32', shape: [] } } },
      })
      .addNode(
        'DictVectorizer',
        ['record'],
        ['vector'],
        { string_vocabulary: ['a', 'b'] },
        { domain: 'ai.onnx.ml' },
      )
      .addOutput('vector', 'FP32', [1, 2])
      .toBytes();
    expect(readSignature(mapModel).inputs).toEqual([
      { name: 'record', datatype: 'MAP', shape: [] },
    ]);

    const optionalModel = new GraphBuilder()
      .addInput('a', 'FP32', [2])
      .addNode('Optional', ['a'], ['maybe'])
      .addOutput('maybe', { optional: { tensor: { datatype: 'FP32', shape: [2] } } })
      .toBytes();
    expect(readSignature(optionalModel).outputs).toEqual([
      { name: 'maybe', datatype: 'OPTIONAL', shape: [] },
    ]);

    for (const bytes of [sequenceModel, mapModel, optionalModel]) {
      const session = await ort.InferenceSession.create(bytes);
      await session.release();
    }
  });

  it('rejects bytes that are not an ONNX model with OnnxFormatError', () => {
    const garbage = [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      new TextEncoder().encode('{"not": "onnx"}'),
      new TextEncoder().encode('hello world, this is a text file'),
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256),
    ];
    for (const bytes of garbage) {
      expect(() => readSignature(bytes)).toThrow(OnnxFormatError);
      expect(() => readSignature(bytes)).toThrow(/not an ONNX model/);
    }
    // Valid protobuf, but no graph.
    expect(() => readSignature(encodeModelMessage({ ir_version: 8, producer_name: 'x' }))).toThrow(
      /has no graph/,
    );
  });

  it('rejects initializers that point at external data', () => {
    const proto = linearProto();
    const w = proto.graph.initializer[0];
    delete w.raw_data;
    w.data_location = 1;
    w.external_data = [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '0' },
    ];
    const bytes = encodeModelMessage(proto);
    expect(usesExternalData(bytes)).toBe(true);
    expect(() => readSignature(bytes)).toThrow(OnnxFormatError);
    expect(() => readSignature(bytes)).toThrow(EXTERNAL_DATA_MESSAGE);

    // external_data entries alone (data_location left DEFAULT) count too.
    delete w.data_location;
    expect(usesExternalData(encodeModelMessage(proto))).toBe(true);
    expect(usesExternalData(encodeModelMessage(linearProto()))).toBe(false);
  });

  it('with allowExternalData, reads the signature and each external data location once', () => {
    const proto = linearProto();
    const w = proto.graph.initializer[0];
    delete w.raw_data;
    w.data_location = 1;
    w.external_data = [
      { key: 'offset', value: '0' },
      { key: 'location', value: 'model.onnx_data' },
    ];
    proto.graph.initializer.push({
      ...w,
      name: 'w2',
      external_data: [{ key: 'location', value: 'model.onnx_data' }],
    });
    proto.graph.initializer.push({
      ...w,
      name: 'w3',
      external_data: [{ key: 'location', value: '../outside.bin' }],
    });
    const bytes = encodeModelMessage(proto);
    const signature = readSignature(bytes, { allowExternalData: true });
    expect(signature.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    expect(signature.externalDataLocations).toEqual(['model.onnx_data', '../outside.bin']);
    expect(() => readSignature(bytes)).toThrow(EXTERNAL_DATA_MESSAGE);
    expect(
      readSignature(encodeModelMessage(linearProto()), { allowExternalData: true }),
    ).not.toHaveProperty('externalDataLocations');
  });

  it('rejects a Constant node whose tensor points at external data, also inside a subgraph', () => {
    const constant = new GraphBuilder()
      .addInput('x', 'FP32', [1])
      .addNode('Constant', [], ['c'], {
        value: { tensor: { datatype: 'FP32', dims: [1], values: [1] } },
      })
      .addNode('Add', ['x', 'c'], ['y'])
      .addOutput('y', 'FP32', [1])
      .toModelProto() as ProtoObject;
    const t = constant.graph.node[0].attribute[0].t;
    delete t.raw_data;
    t.external_data = [{ key: 'location', value: 'c.bin' }];
    expect(() => readSignature(encodeModelMessage(constant))).toThrow(EXTERNAL_DATA_MESSAGE);

    // The same Constant as the then-branch of an If.
    const ifModel = new GraphBuilder()
      .addInput('cond', 'BOOL', [])
      .addInitializer('one', 'FP32', [1], [1])
      .addNode('Identity', ['one'], ['z'])
      .addOutput('z', 'FP32', [1])
      .toModelProto() as ProtoObject;
    ifModel.graph.node.push({
      op_type: 'If',
      input: ['cond'],
      output: ['w'],
      attribute: [
        {
          name: 'then_branch',
          type: 5,
          g: { name: 'then', node: [constant.graph.node[0]], output: [{ name: 'c' }] },
        },
      ],
    });
    expect(usesExternalData(encodeModelMessage(ifModel))).toBe(true);
  });

  it('rejects malformed maas metadata with a message naming the key', () => {
    const withMetadata = (key: string, value: string) =>
      buildLinearModel({ weights: [[1, 2]], bias: [0], metadata: { [key]: value } });
    expect(() => readSignature(withMetadata('maas.features', '[oops'))).toThrow(
      /'maas.features' is not valid JSON/,
    );
    expect(() => readSignature(withMetadata('maas.features', '{"a":1}'))).toThrow(
      /'maas.features' must be a JSON array of strings/,
    );
    expect(() => readSignature(withMetadata('maas.labels', '[1,2]'))).toThrow(
      /'maas.labels' must be a JSON array/,
    );
    expect(() => readSignature(withMetadata('maas.labels', '["a","a"]'))).toThrow(
      /lists 'a' twice/,
    );
    expect(() => readSignature(withMetadata('maas.categories', '["x"]'))).toThrow(
      /'maas.categories' must be a JSON object/,
    );
    expect(() => readSignature(withMetadata('maas.categories', '{"c":[1]}'))).toThrow(
      /'maas.categories.c' must be/,
    );
    expect(() => readSignature(withMetadata('maas.features', '["a","b","c"]'))).toThrow(
      /3 features but input 'input' has 2 columns/,
    );
    for (const key of ['maas.features', 'maas.labels']) {
      expect(() => readSignature(withMetadata(key, 'nope'))).toThrow(OnnxFormatError);
    }
  });

  it('rejects labels that disagree with the probabilities output and categories of unknown features', () => {
    const bytes = buildLinearModel({
      weights: [[1], [2], [3]],
      bias: [0, 0, 0],
      outputName: 'probabilities',
      metadata: { 'maas.labels': '["a","b"]' },
    });
    expect(() => readSignature(bytes)).toThrow(/2 labels but output 'probabilities' has 3 columns/);
    const categories = buildLinearModel({
      weights: [[1]],
      bias: [0],
      metadata: { 'maas.features': '["x"]', 'maas.categories': '{"y":["a"]}' },
    });
    expect(() => readSignature(categories)).toThrow(
      /names feature 'y', which is not in 'maas.features'/,
    );
  });

  it('decodeModel exposes the raw message for further checks', () => {
    const model = decodeModel(buildLinearModel({ weights: [[1]], bias: [2] }));
    expect(model.graph?.initializer.map((t) => t.name)).toEqual(['weights', 'bias']);
  });
});
