// A minimal ONNX protobuf writer, just enough for the one-node models a pool member uses: the one
// that probes an execution provider (creating a session is the only reliable test that CUDA really
// loads), the ArgMax that picks greedy tokens from a decode step's logits, and the ArgMax node a
// decoder graph is extended with so that its greedy picks never leave ONNX Runtime.

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function field(num: number, wire: 0 | 2, payload: number | number[] | string): number[] {
  const key = varint((num << 3) | wire);
  if (wire === 0) return [...key, ...varint(payload as number)];
  const bytes =
    typeof payload === 'string' ? [...Buffer.from(payload, 'utf8')] : (payload as number[]);
  return [...key, ...varint(bytes.length), ...bytes];
}

/** ONNX TensorProto.DataType codes for the element types the probe model may use. */
export const ONNX_ELEM_TYPE = { FLOAT: 1, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): number[] {
  const dimMsgs = dims.flatMap((d) =>
    field(1, 2, typeof d === 'number' ? field(1, 0, d) : field(2, 2, d)),
  );
  const tensorType = [...field(1, 0, elemType), ...field(2, 2, dimMsgs)];
  return [...field(1, 2, name), ...field(2, 2, field(1, 2, tensorType))];
}

/**
 * Bytes of a valid ONNX model with a single `Identity` node from `x` to `y`
 * (dims may be numbers or symbolic names, opset 13).
 */
export function identityModelBytes(
  elemType: number = ONNX_ELEM_TYPE.FLOAT,
  dims: readonly (number | string)[] = [1],
): Uint8Array {
  const node = [...field(1, 2, 'x'), ...field(2, 2, 'y'), ...field(4, 2, 'Identity')];
  const graph = [
    ...field(1, 2, node),
    ...field(2, 2, 'probe'),
    ...field(11, 2, valueInfo('x', elemType, dims)),
    ...field(12, 2, valueInfo('y', elemType, dims)),
  ];
  const opset = [...field(1, 2, ''), ...field(2, 0, 13)];
  const model = [...field(1, 0, 8), ...field(8, 2, opset), ...field(7, 2, graph)];
  return Uint8Array.from(model);
}

/** An INT attribute (AttributeProto: name, i, type INT). */
function intAttribute(name: string, value: number): number[] {
  return [...field(1, 2, name), ...field(3, 0, value), ...field(20, 0, 2)];
}

/**
 * Bytes of a model with a single `ArgMax` node: `logits` FP32 [rows, vocab] → `ids` INT64 [rows],
 * the index of each row's largest value, the first one on a tie (opset 13).
 */
export function argmaxModelBytes(): Uint8Array {
  const node = [
    ...field(1, 2, 'logits'),
    ...field(2, 2, 'ids'),
    ...field(4, 2, 'ArgMax'),
    ...field(5, 2, intAttribute('axis', 1)),
    ...field(5, 2, intAttribute('keepdims', 0)),
  ];
  const graph = [
    ...field(1, 2, node),
    ...field(2, 2, 'argmax'),
    ...field(11, 2, valueInfo('logits', ONNX_ELEM_TYPE.FLOAT, ['rows', 'vocab'])),
    ...field(12, 2, valueInfo('ids', ONNX_ELEM_TYPE.INT64, ['rows'])),
  ];
  const opset = [...field(1, 2, ''), ...field(2, 0, 13)];
  const model = [...field(1, 0, 8), ...field(8, 2, opset), ...field(7, 2, graph)];
  return Uint8Array.from(model);
}

/** The output a decoder graph extended by `greedyGraphExtension` gains: INT64 [batch, sequence]. */
export const GREEDY_OUTPUT = 'maas_greedy_ids';

/**
 * Bytes to append to a decoder's ONNX model file: one more `graph` field, which protobuf merges
 * into the model's graph (repeated fields are concatenated), adding an `ArgMax` over the vocabulary
 * axis of `logits` [batch, sequence, vocab] as the output `GREEDY_OUTPUT` (the first index on a
 * tie, as `argmax`). The graph is otherwise untouched, external data included; a step that only
 * needs greedy picks fetches this output and not the logits, which then never leave ONNX Runtime.
 */
export function greedyGraphExtension(): Uint8Array {
  const node = [
    ...field(1, 2, 'logits'),
    ...field(2, 2, GREEDY_OUTPUT),
    ...field(3, 2, 'maas_greedy_argmax'),
    ...field(4, 2, 'ArgMax'),
    ...field(5, 2, intAttribute('axis', 2)),
    ...field(5, 2, intAttribute('keepdims', 0)),
  ];
  const graph = [
    ...field(1, 2, node),
    ...field(12, 2, valueInfo(GREEDY_OUTPUT, ONNX_ELEM_TYPE.INT64, ['batch', 'sequence'])),
  ];
  return Uint8Array.from(field(7, 2, graph));
}
