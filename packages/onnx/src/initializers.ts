import { OnnxDataType } from './datatypes';
import { OnnxFormatError } from './errors';
import { type GraphMessage, type Int64, int64ToNumber } from './onnx-proto';
import { decodeModel, usesExternalData, EXTERNAL_DATA_MESSAGE } from './signature';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from './tensor-data';

/** A numeric initializer read back from a model: values widened to float64, row-major. */
export interface InitializerTensor {
  name: string;
  /** OIP datatype name of the stored tensor (e.g. FP32). */
  datatype: string;
  dims: number[];
  values: Float64Array;
}

// The typed data fields decoded by protobufjs but not declared on TensorMessage.
interface TensorData {
  name: string;
  dims: Int64[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  uint64_data?: Int64[];
}

type Reader = (view: DataView, offset: number) => number;
const RAW: Partial<Record<number, { oip: string; bytes: number; read: Reader }>> = {
  [OnnxDataType.FLOAT]: { oip: 'FP32', bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  [OnnxDataType.DOUBLE]: { oip: 'FP64', bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  [OnnxDataType.FLOAT16]: {
    oip: 'FP16',
    bytes: 2,
    read: (v, o) => float16BitsToFloat32(v.getUint16(o, true)),
  },
  [OnnxDataType.BFLOAT16]: {
    oip: 'BF16',
    bytes: 2,
    read: (v, o) => bfloat16BitsToFloat32(v.getUint16(o, true)),
  },
  [OnnxDataType.INT8]: { oip: 'INT8', bytes: 1, read: (v, o) => v.getInt8(o) },
  [OnnxDataType.UINT8]: { oip: 'UINT8', bytes: 1, read: (v, o) => v.getUint8(o) },
  [OnnxDataType.BOOL]: { oip: 'BOOL', bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  [OnnxDataType.INT16]: { oip: 'INT16', bytes: 2, read: (v, o) => v.getInt16(o, true) },
  [OnnxDataType.UINT16]: { oip: 'UINT16', bytes: 2, read: (v, o) => v.getUint16(o, true) },
  [OnnxDataType.INT32]: { oip: 'INT32', bytes: 4, read: (v, o) => v.getInt32(o, true) },
  [OnnxDataType.UINT32]: { oip: 'UINT32', bytes: 4, read: (v, o) => v.getUint32(o, true) },
  [OnnxDataType.INT64]: { oip: 'INT64', bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  [OnnxDataType.UINT64]: {
    oip: 'UINT64',
    bytes: 8,
    read: (v, o) => Number(v.getBigUint64(o, true)),
  },
};

function typedFieldValues(tensor: TensorData): number[] | null {
  switch (tensor.data_type) {
    case OnnxDataType.FLOAT:
      return tensor.float_data ?? null;
    case OnnxDataType.DOUBLE:
      return tensor.double_data ?? null;
    case OnnxDataType.FLOAT16:
      return tensor.int32_data?.map(float16BitsToFloat32) ?? null;
    case OnnxDataType.BFLOAT16:
      return tensor.int32_data?.map(bfloat16BitsToFloat32) ?? null;
    case OnnxDataType.INT64:
      return tensor.int64_data?.map((v) => int64ToNumber(v)) ?? null;
    case OnnxDataType.UINT32:
    case OnnxDataType.UINT64:
      return tensor.uint64_data?.map((v) => int64ToNumber(v)) ?? null;
    default:
      return tensor.int32_data ?? null;
  }
}

function readTensor(tensor: TensorData): InitializerTensor | null {
  const kind = RAW[tensor.data_type];
  if (!kind) return null;
  const dims = tensor.dims.map((d) => int64ToNumber(d));
  const count = dims.reduce((n, d) => n * d, 1);
  const values = new Float64Array(count);
  const raw = tensor.raw_data;
  if (raw && raw.length > 0) {
    if (raw.length !== count * kind.bytes) {
      throw new OnnxFormatError(
        `initializer '${tensor.name}' has ${raw.length} bytes of data, expected ${count * kind.bytes} for dims [${dims.join(', ')}]`,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) values[i] = kind.read(view, i * kind.bytes);
  } else {
    const typed = typedFieldValues(tensor) ?? [];
    if (typed.length !== count) {
      throw new OnnxFormatError(
        `initializer '${tensor.name}' has ${typed.length} values, expected ${count} for dims [${dims.join(', ')}]`,
      );
    }
    values.set(typed);
  }
  return { name: tensor.name, datatype: kind.oip, dims, values };
}

/**
 * Reads a model's numeric initializers (e.g. trained weights) by name, values widened to
 * float64 (INT64 beyond ±2^53 loses precision). Strings and other non-numeric tensors are left
 * out. Throws {@link OnnxFormatError} for bytes that are not ONNX or that use external data.
 */
export function readInitializers(bytes: Uint8Array): Map<string, InitializerTensor> {
  if (usesExternalData(bytes)) throw new OnnxFormatError(EXTERNAL_DATA_MESSAGE);
  const message = decodeModel(bytes);
  const result = new Map<string, InitializerTensor>();
  for (const tensor of (message.graph as GraphMessage).initializer as unknown as TensorData[]) {
    const read = readTensor(tensor);
    if (read) result.set(read.name, read);
  }
  return result;
}
