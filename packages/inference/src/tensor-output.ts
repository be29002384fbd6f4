import type { DecodedTensor } from './tensor.types';

/** A JSON-safe element: docs/api.md, "Numbers in JSON". */
export type JsonElement = number | string | boolean;
/** Nested arrays of JSON-safe elements (a bare element for a scalar). */
export type NestedJson = JsonElement | NestedJson[];

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** FP32 to 9 significant digits (enough to round-trip a float32); NaN/±Infinity as strings. */
export function fp32Json(x: number): number | string {
  if (!Number.isFinite(x)) return nonFinite(x);
  return x === 0 ? 0 : Number(x.toPrecision(9));
}

/** FP64 as JSON writes it (the shortest string that round-trips, ≤ 17 digits); NaN/±Infinity as strings. */
export function fp64Json(x: number): number | string {
  return Number.isFinite(x) ? x : nonFinite(x);
}

/** INT64/UINT64 as a number when within ±2^53, else a decimal string. */
export function int64Json(x: bigint): number | string {
  return x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x.toString();
}

/** The tensor's elements as JSON-safe values, flat and row-major. */
export function flatJson(tensor: DecodedTensor): JsonElement[] {
  const { data } = tensor;
  const out = new Array<JsonElement>(data.length);
  switch (tensor.datatype) {
    case 'FP32':
      for (let i = 0; i < data.length; i++) out[i] = fp32Json((data as Float32Array)[i] as number);
      break;
    case 'FP64':
      for (let i = 0; i < data.length; i++) out[i] = fp64Json((data as Float64Array)[i] as number);
      break;
    case 'INT64':
    case 'UINT64':
      for (let i = 0; i < data.length; i++)
        out[i] = int64Json((data as BigInt64Array)[i] as bigint);
      break;
    case 'BOOL':
      for (let i = 0; i < data.length; i++) out[i] = (data as Uint8Array)[i] !== 0;
      break;
    case 'BYTES':
      for (let i = 0; i < data.length; i++) out[i] = (data as string[])[i] as string;
      break;
    default:
      for (let i = 0; i < data.length; i++) out[i] = (data as Int32Array)[i] as number;
  }
  return out;
}

/** Reshapes a flat array into nested arrays of `shape` (a bare element for rank 0). */
export function nest(flat: readonly JsonElement[], shape: readonly number[]): NestedJson {
  if (shape.length === 0) return flat[0] as JsonElement;
  let offset = 0;
  const build = (depth: number): NestedJson[] => {
    const size = shape[depth] as number;
    const level = new Array<NestedJson>(size);
    if (depth === shape.length - 1) {
      for (let i = 0; i < size; i++) level[i] = flat[offset++] as JsonElement;
    } else {
      for (let i = 0; i < size; i++) level[i] = build(depth + 1);
    }
    return level;
  };
  return build(0);
}

/**
 * A tensor as nested arrays, numbers following docs/api.md "Numbers in JSON" (FP32 9 digits, NaN
 * as "NaN", big INT64 as strings).
 */
export function encodeTensorOutput(tensor: DecodedTensor): NestedJson {
  return nest(flatJson(tensor), tensor.shape);
}

/** An output in the Open Inference Protocol's flat form. */
export interface OipTensorJson {
  name: string;
  datatype: string;
  shape: number[];
  /** Absent when the tensor travels as binary data (`parameters.binary_data_size`). */
  data?: JsonElement[];
  parameters?: Record<string, unknown>;
}

/** A tensor in OIP's flat form `{name, datatype, shape, data}` (data row-major). */
export function encodeOipOutput(name: string, tensor: DecodedTensor): OipTensorJson {
  return { name, datatype: tensor.datatype, shape: [...tensor.shape], data: flatJson(tensor) };
}
