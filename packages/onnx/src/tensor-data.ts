import { type OipDatatype, OIP_DATATYPES, isOipDatatype, oipToOnnxDatatype } from './datatypes';

/** Element values accepted for a tensor; which ones fit depends on the datatype (see {@link encodeTensor}). */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly number[]
  | readonly (number | bigint)[]
  | readonly boolean[]
  | readonly string[]
  | readonly Uint8Array[];

/** A dense tensor value described with an OIP datatype name. */
export interface TensorValue {
  datatype: OipDatatype;
  dims: readonly number[];
  values: TensorValues;
}

/** A plain `onnx.TensorProto` object ready for protobufjs encoding. */
export interface TensorProtoObject {
  name?: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  string_data?: Uint8Array[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Converts a number to IEEE 754 half precision bits (round to nearest even). */
export function float32ToFloat16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the mantissa (with its implicit leading 1) into place.
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Converts IEEE 754 half precision bits to a number. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Converts a number to bfloat16 bits (round to nearest even). */
export function float32ToBfloat16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0] ?? 0;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Converts bfloat16 bits to a number. */
export function bfloat16BitsToFloat32(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0] ?? 0;
}

const INTEGER_RANGES: Partial<Record<OipDatatype, [number, number]>> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  INT32: [-2147483648, 2147483647],
  UINT32: [0, 4294967295],
};

function checkedNumbers(values: TensorValues, datatype: OipDatatype, what: string): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (typeof v === 'bigint') out[i] = Number(v);
    else
      throw new Error(
        `${what}: element ${i} is ${typeof v}, not a number, for datatype ${datatype}`,
      );
  }
  const range = INTEGER_RANGES[datatype];
  if (range) {
    for (let i = 0; i < out.length; i++) {
      const v = out[i] ?? 0;
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new Error(`${what}: element ${i} (${v}) is not a valid ${datatype} value`);
      }
    }
  }
  return out;
}

function checkedBigInts(
  values: TensorValues,
  datatype: 'INT64' | 'UINT64',
  what: string,
): bigint[] {
  const out = new Array<bigint>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v === 'bigint') out[i] = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out[i] = BigInt(v);
    else
      throw new Error(
        `${what}: element ${i} (${String(v)}) is not a safe integer for datatype ${datatype}`,
      );
  }
  return out;
}

function bytesOf(view: ArrayBufferView, elementBytes: number): Uint8Array {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  // ONNX raw_data is little-endian; swap on the (rare) big-endian host.
  if (!LITTLE_ENDIAN && elementBytes > 1) {
    for (let i = 0; i < bytes.length; i += elementBytes)
      bytes.subarray(i, i + elementBytes).reverse();
  }
  return bytes;
}

/** Encodes the elements of one tensor as ONNX little-endian raw bytes (everything but BYTES). */
export function encodeRawData(
  datatype: Exclude<OipDatatype, 'BYTES'>,
  values: TensorValues,
  what = 'tensor',
): Uint8Array {
  switch (datatype) {
    case 'FP32':
      return bytesOf(
        values instanceof Float32Array
          ? values
          : Float32Array.from(checkedNumbers(values, datatype, what)),
        4,
      );
    case 'FP64':
      return bytesOf(
        values instanceof Float64Array
          ? values
          : Float64Array.from(checkedNumbers(values, datatype, what)),
        8,
      );
    case 'FP16':
    case 'BF16': {
      // A Uint16Array holds bit patterns already (as onnxruntime's float16 tensors do).
      if (values instanceof Uint16Array) return bytesOf(values, 2);
      const convert = datatype === 'FP16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
      return bytesOf(Uint16Array.from(checkedNumbers(values, datatype, what), convert), 2);
    }
    case 'BOOL':
      return Uint8Array.from(checkedNumbers(values, datatype, what), (v) => (v ? 1 : 0));
    case 'INT8':
      return bytesOf(Int8Array.from(checkedNumbers(values, datatype, what)), 1);
    case 'UINT8':
      return Uint8Array.from(checkedNumbers(values, datatype, what));
    case 'INT16':
      return bytesOf(Int16Array.from(checkedNumbers(values, datatype, what)), 2);
    case 'UINT16':
      return bytesOf(Uint16Array.from(checkedNumbers(values, datatype, what)), 2);
    case 'INT32':
      return bytesOf(Int32Array.from(checkedNumbers(values, datatype, what)), 4);
    case 'UINT32':
      return bytesOf(Uint32Array.from(checkedNumbers(values, datatype, what)), 4);
    case 'INT64':
      return bytesOf(
        values instanceof BigInt64Array
          ? values
          : BigInt64Array.from(checkedBigInts(values, datatype, what)),
        8,
      );
    case 'UINT64':
      return bytesOf(
        values instanceof BigUint64Array
          ? values
          : BigUint64Array.from(checkedBigInts(values, datatype, what)),
        8,
      );
  }
}

function checkDims(dims: readonly number[], what: string): number {
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new Error(`${what}: dims must be non-negative integers, got [${dims.join(', ')}]`);
    count *= d;
  }
  return count;
}

/**
 * Builds an `onnx.TensorProto` object. Numeric data goes into `raw_data` (little-endian);
 * BYTES goes into `string_data` (strings are UTF-8 encoded). FP16/BF16 take numbers (converted)
 * or a Uint16Array of bit patterns; INT64/UINT64 take bigints or safe integers; BOOL takes booleans or 0/1.
 */
export function encodeTensor(
  name: string | undefined,
  datatype: string,
  dims: readonly number[],
  values: TensorValues,
): TensorProtoObject {
  const what = name ? `tensor '${name}'` : 'tensor';
  if (!isOipDatatype(datatype)) {
    throw new Error(
      `${what}: unknown datatype '${datatype}': expected one of ${OIP_DATATYPES.join(', ')}`,
    );
  }
  const count = checkDims(dims, what);
  if (values.length !== count) {
    throw new Error(
      `${what}: dims [${dims.join(', ')}] need ${count} values, got ${values.length}`,
    );
  }
  const tensor: TensorProtoObject = { dims: [...dims], data_type: oipToOnnxDatatype(datatype) };
  if (name !== undefined) tensor.name = name;
  if (datatype === 'BYTES') {
    const encoder = new TextEncoder();
    tensor.string_data = Array.from(values as ArrayLike<unknown>, (v, i) => {
      if (typeof v === 'string') return encoder.encode(v);
      if (v instanceof Uint8Array) return v;
      throw new Error(`${what}: element ${i} must be a string or Uint8Array for datatype BYTES`);
    });
  } else {
    tensor.raw_data = encodeRawData(datatype, values, what);
  }
  return tensor;
}
