import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  EXTERNAL_DATA_MESSAGE,
  GraphBuilder,
  MAX_NAME_BYTES,
  MAX_SUBGRAPH_DEPTH,
  OnnxFormatError,
  OnnxMetadataLimitError,
  buildIdentityModel,
  buildLinearModel,
  buildMlpModel,
  decodeModel,
  encodeModelMessage,
  int64ToNumber,
  onnxToOipDatatype,
  readSignature,
  readSignatureFile,
  readSignatureInThread,
  writePaddedModelFile,
  type TypeMessage,
} from './index';

// Tests tamper with arbitrary, deeply nested ModelProto fields.
type ProtoObject = any;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'maas-signature-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A length-delimited protobuf field, encoded by hand. */
function field(number: number, body: Uint8Array): Buffer {
  const prefix = [number * 8 + 2];
  for (let n = body.length; ; n = Math.floor(n / 128)) {
    prefix.push(n < 128 ? n : n % 128 | 0x80);
    if (n < 128) break;
  }
  return Buffer.concat([Buffer.from(prefix), body]);
}

function fileOf(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

// The answer of the former reader, a full protobufjs decode: the oracle the wire walker must match.
function specOf(type: TypeMessage | null | undefined) {
  switch (type?.value) {
    case 'tensor_type': {
      const shape = type.tensor_type?.shape;
      return {
        datatype: onnxToOipDatatype(type.tensor_type?.elem_type ?? 0),
        shape: shape
          ? shape.dim.map((d) => (d.value === 'dim_value' ? int64ToNumber(d.dim_value) : -1))
          : [-1],
      };
    }
    case 'sequence_type':
      return { datatype: 'SEQUENCE', shape: [] };
    case 'map_type':
      return { datatype: 'MAP', shape: [] };
    case 'optional_type':
      return { datatype: 'OPTIONAL', shape: [] };
    case 'sparse_tensor_type':
      return { datatype: 'SPARSE_TENSOR', shape: [] };
    default:
      return { datatype: 'UNDEFINED', shape: [] };
  }
}

function decodedSignature(bytes: Uint8Array) {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return {
    inputs: graph.input
      .filter((i) => !initializers.has(i.name))
      .map((i) => ({ name: i.name, ...specOf(i.type) })),
    outputs: graph.output.map((o) => ({ name: o.name, ...specOf(o.type) })),
    metadata: Object.fromEntries(model.metadata_props.map((e) => [e.key, e.value])),
    irVersion: int64ToNumber(model.ir_version),
    opsets: model.opset_import.map((o) => ({
      domain: o.domain || 'ai.onnx',
      version: int64ToNumber(o.version),
    })),
    ...(model.producer_name ? { producerName: model.producer_name } : {}),
  };
}

function builderModels(): Record<string, Uint8Array> {
  const oldIr = new GraphBuilder({ opsetVersion: 8 })
    .addInput('x', 'FP32', [-1, 2])
    .addInitializer('w', 'FP32', [2, 1], [1, 2])
    .addNode('MatMul', ['x', 'w'], ['y'])
    .addOutput('y', 'FP32', [-1, 1])
    .toModelProto() as ProtoObject;
  oldIr.graph.input.push({
    name: 'w',
    type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }, { dim_value: 1 }] } } },
  });
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
    attribute: [{ name: 'then_branch', type: 5, g: { name: 'then', output: [{ name: 'z' }] } }],
  });
  return {
    linear: buildLinearModel({ weights: [[1, 2]], bias: [0.5], metadata: { author: 'ada' } }),
    tabular: buildLinearModel({
      weights: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      bias: [0, 0],
      outputName: 'probabilities',
      tabular: { features: ['a', 'city', 'c'], labels: ['no', 'yes'], categories: { city: ['x'] } },
    }),
    mlp: buildMlpModel({ inputSize: 4, hiddenLayers: [8, 3], outputSize: 2, activation: 'tanh' })
      .bytes,
    identity: buildIdentityModel([
      { name: 'f16', datatype: 'FP16', shape: ['batch', 3] },
      { name: 'i64', datatype: 'INT64', shape: [null, -1, 7] },
      { name: 'text', datatype: 'BYTES', shape: [] },
      { name: 'flag', datatype: 'BOOL', shape: [1] },
    ]),
    nonTensors: new GraphBuilder({ extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }] })
      .addInput('a', 'FP32', [2])
      .addInput('m', { map: { key: 'BYTES', value: { tensor: { datatype: 'FP32', shape: [] } } } })
      .addNode('SequenceConstruct', ['a', 'a'], ['seq'])
      .addNode('Optional', ['a'], ['maybe'])
      .addOutput('seq', { sequence: { tensor: { datatype: 'FP32', shape: [2] } } })
      .addOutput('maybe', { optional: { tensor: { datatype: 'FP32', shape: [2] } } })
      .toBytes(),
    oldIr: encodeModelMessage(oldIr),
    ifSubgraph: encodeModelMessage(ifModel),
  };
}

describe('the wire-format signature reader', () => {
  it('gives the same signature as a full protobufjs decode on every model the builders make, from bytes, a file and a thread', async () => {
    const models = builderModels();
    for (const [name, bytes] of Object.entries(models)) {
      const expected = decodedSignature(bytes);
      const fromBytes = readSignature(bytes);
      expect(fromBytes, name).toMatchObject(expected);
      expect(readSignatureFile(fileOf(`${name}.onnx`, bytes)), name).toEqual(fromBytes);
      expect(await readSignatureInThread(fileOf(`${name}.onnx`, bytes)), name).toEqual(fromBytes);
    }
    // All at once: more reads than threads run together, each still answered.
    const names = Object.keys(models);
    const together = await Promise.all(
      names.map((name) => readSignatureInThread(path.join(dir, `${name}.onnx`))),
    );
    expect(together).toEqual(names.map((name) => readSignature(models[name]!)));
    expect(readSignature(models.tabular!).labels).toEqual(['no', 'yes']);
    expect(readSignature(models.oldIr!).inputs.map((i) => i.name)).toEqual(['x']);
  });

  it('skips tensor payloads: a 48 MB int64 initializer costs the reader well under 1 MB of memory', async () => {
    const file = path.join(dir, 'padded.onnx');
    const size = writePaddedModelFile(file, {
      elements: 48_000_000,
      metadata: { after: 'payload' },
    });
    expect(size).toBeGreaterThan(48_000_000);
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external + m.arrayBuffers;
    };

    let before = used();
    const fromFile = readSignatureFile(file);
    expect(used() - before).toBeLessThan(1_000_000);
    expect(fromFile.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    expect(fromFile.metadata).toEqual({ after: 'payload' }); // read past the payload

    const bytes = readFileSync(file);
    before = used();
    expect(readSignature(bytes)).toEqual(fromFile);
    expect(used() - before).toBeLessThan(1_000_000);

    expect(await readSignatureInThread(file, { heapLimitMb: 16 })).toEqual(fromFile);
  });

  it('refuses metadata_props over the entry or byte limit, counted before decoding', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(98)]),
    );
    const bytes = buildLinearModel({ weights: [[1]], bias: [0], metadata }); // 10 × 100 bytes
    expect(
      Object.keys(readSignature(bytes, { maxEntries: 10, maxBytes: 1000 }).metadata),
    ).toHaveLength(10);

    const entries = () => readSignature(bytes, { maxEntries: 9 });
    expect(entries).toThrow(OnnxMetadataLimitError);
    expect(entries).toThrow('metadata_props has more than 9 entries');
    const size = () => readSignature(bytes, { maxBytes: 999 });
    expect(size).toThrow('metadata_props keys and values take more than 999 bytes');

    const file = fileOf('metadata.onnx', bytes);
    const refused = await readSignatureInThread(file, { maxBytes: 999 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OnnxMetadataLimitError);
    expect(refused).toMatchObject({ limit: 'bytes', max: 999 });
    await expect(readSignatureInThread(file, { maxEntries: 3 })).rejects.toMatchObject({
      limit: 'entries',
      max: 3,
    });
  });

  it('refuses, without harm to the caller, a model whose declarations do not fit the thread heap', async () => {
    // 20,000 graph inputs named by 1000 bytes each: 20 MB of names for an 8 MiB heap.
    const input = field(11, field(1, Buffer.alloc(1000, 0x61)));
    const graph = Buffer.concat(Array<Buffer>(20_000).fill(input));
    const file = fileOf(
      'many-inputs.onnx',
      Buffer.concat([Buffer.from([0x08, 0x08]), field(7, graph)]),
    );
    await expect(readSignatureInThread(file, { heapLimitMb: 8 })).rejects.toThrow(
      "reading the model's signature needs more than 8 MiB",
    );
    expect((await readSignatureInThread(file)).inputs).toHaveLength(20_000);
  });

  it('finds external data in initializers, sparse initializers, subgraphs and functions', () => {
    const base = (): ProtoObject =>
      new GraphBuilder()
        .addInput('x', 'FP32', [1])
        .addInitializer('w', 'FP32', [1], [2])
        .addNode('Mul', ['x', 'w'], ['y'])
        .addOutput('y', 'FP32', [1])
        .toModelProto();
    const external = { name: 'e', data_type: 1, dims: [1], data_location: 1 };
    const sparse = base();
    sparse.graph.sparse_initializer = [{ values: external, indices: { name: 'i', dims: [1] } }];
    const subgraph = base();
    subgraph.graph.node.push({
      op_type: 'If',
      attribute: [{ name: 'else_branch', type: 5, g: { initializer: [external] } }],
    });
    const fn = base();
    fn.functions = [
      { name: 'f', node: [{ op_type: 'Constant', attribute: [{ name: 'value', t: external }] }] },
    ];
    for (const proto of [sparse, subgraph, fn]) {
      const bytes = encodeModelMessage(proto);
      expect(() => readSignature(bytes)).toThrow(EXTERNAL_DATA_MESSAGE);
      expect(() => readSignatureFile(fileOf('external.onnx', bytes))).toThrow(
        EXTERNAL_DATA_MESSAGE,
      );
    }
    expect(readSignature(encodeModelMessage(base())).inputs).toHaveLength(1);
  });

  it('refuses truncated files, subgraphs nested too deep, absurdly long names and bad wire data with OnnxFormatError', async () => {
    const file = path.join(dir, 'cut.onnx');
    writePaddedModelFile(file, { elements: 1000 });
    const cut = readFileSync(file).subarray(0, 600);
    const cutFile = fileOf('cut.onnx', cut);
    expect(() => readSignature(cut)).toThrow(/not a valid ONNX protobuf/);
    expect(() => readSignatureFile(cutFile)).toThrow(/not a valid ONNX protobuf/);
    await expect(readSignatureInThread(cutFile)).rejects.toThrow(OnnxFormatError);

    // If → then_branch → If → … one level deeper than the reader follows, encoded by hand
    // (protobufjs refuses to encode it).
    let graph: Uint8Array = field(2, Buffer.from('leaf'));
    for (let i = 0; i <= MAX_SUBGRAPH_DEPTH; i++) graph = field(1, field(5, field(6, graph)));
    const deep = Buffer.concat([Buffer.from([0x08, 0x08]), field(7, graph)]);
    expect(() => readSignature(deep)).toThrow(`nested deeper than ${MAX_SUBGRAPH_DEPTH} levels`);

    const longName = buildLinearModel({
      weights: [[1]],
      bias: [0],
      inputName: 'x'.repeat(MAX_NAME_BYTES + 1),
    });
    expect(() => readSignature(longName)).toThrow(
      `over the ${MAX_NAME_BYTES} bytes a name may have`,
    );
    const fine = buildLinearModel({
      weights: [[1]],
      bias: [0],
      inputName: 'x'.repeat(MAX_NAME_BYTES),
    });
    expect(readSignature(fine).inputs[0]?.name).toHaveLength(MAX_NAME_BYTES);

    // Field 3 as an unterminated group; a group closed by another field's end tag; wire type 7.
    for (const bad of [
      [0x08, 0x08, 0x1b],
      [0x1b, 0x24],
      [0x0f, 0x00],
    ]) {
      expect(() => readSignature(Uint8Array.from(bad))).toThrow(/not a valid ONNX protobuf/);
    }
  });
});
