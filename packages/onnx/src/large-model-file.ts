import { closeSync, openSync, writeSync } from 'node:fs';
import { GraphBuilder } from './graph-builder';
import { encodeModelMessage, onnxProto } from './onnx-proto';

/** Options for {@link writePaddedModelFile}. */
export interface PaddedModelOptions {
  /** How many INT64 values the unused `padding` initializer holds (packed `int64_data`). */
  elements: number;
  /**
   * Each value's size in the file: 1 byte (the value 1: the most values per byte, the worst case
   * for a decoder that makes an object per element) or 10 bytes (the value -1). Default 1.
   */
  valueBytes?: 1 | 10;
  /** `metadata_props`, written after the graph (so a reader must get past the payload to them). */
  metadata?: Readonly<Record<string, string>>;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push(v % 128 | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field's tag and length prefix. */
function lenPrefix(field: number, length: number): Buffer {
  return Buffer.from([...varint(field * 8 + 2), ...varint(length)]);
}

const CHUNK_BYTES = 1 << 20;

/**
 * Writes, in 1 MiB chunks (never holding the file in memory), a valid ONNX model
 * `y = Identity(x)` (x, y FP32 `[-1, 2]`) that also carries an unused INT64 initializer
 * `padding` of `elements` values: a file as large as wanted whose signature stays tiny.
 * Returns the file's size in bytes.
 */
export function writePaddedModelFile(path: string, options: PaddedModelOptions): number {
  const valueBytes = options.valueBytes ?? 1;
  const builder = new GraphBuilder()
    .addInput('x', 'FP32', [-1, 2])
    .addNode('Identity', ['x'], ['y'])
    .addOutput('y', 'FP32', [-1, 2]);
  const { graph, ...header } = builder.toModelProto();
  const graphBytes = onnxProto.GraphProto.encode(graph as Record<string, unknown>).finish();
  const metadata = Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value }));
  const trailer = encodeModelMessage({ metadata_props: metadata });

  const payloadBytes = options.elements * valueBytes;
  const tensorHead = Buffer.concat([
    Buffer.from([0x08, ...varint(options.elements)]), // dims: [elements]
    Buffer.from([0x10, 7]), // data_type: INT64
    lenPrefix(8, 7),
    Buffer.from('padding'),
    lenPrefix(7, payloadBytes), // int64_data, packed
  ]);
  const tensorBytes = tensorHead.length + payloadBytes;
  const initializerHead = lenPrefix(5, tensorBytes);
  const graphLength = graphBytes.length + initializerHead.length + tensorBytes;

  const value =
    valueBytes === 1 ? [0x01] : [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const chunk = Buffer.alloc(Math.floor(CHUNK_BYTES / valueBytes) * valueBytes);
  for (let i = 0; i < chunk.length; i += valueBytes) chunk.set(value, i);

  const fd = openSync(path, 'w');
  let size = 0;
  const write = (bytes: Uint8Array) => {
    writeSync(fd, bytes);
    size += bytes.length;
  };
  try {
    write(encodeModelMessage(header));
    write(lenPrefix(7, graphLength));
    write(graphBytes);
    write(initializerHead);
    write(tensorHead);
    for (let left = payloadBytes; left > 0; left -= chunk.length)
      write(left >= chunk.length ? chunk : chunk.subarray(0, left));
    write(trailer);
  } finally {
    closeSync(fd);
  }
  return size;
}
