/** Open Inference Protocol datatypes that the engine can decode, run and encode. */
export const SUPPORTED_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** An OIP datatype name the engine can serve (not FP16/BF16: Node 20 has no Float16Array). */
export type SupportedDatatype = (typeof SUPPORTED_DATATYPES)[number];

/**
 * One input or output of a model, as @maas/onnx's readSignature reports it.
 * `datatype` is an OIP name (`FP32`, `INT64`, `BYTES`…); `-1` in `shape` is a dynamic dimension.
 */
export interface TensorSpec {
  name: string;
  datatype: string;
  shape: readonly number[];
}

/** The flat data of a tensor, row-major. BOOL is a Uint8Array of 0/1, BYTES an array of strings. */
export type TensorData =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | string[];

/** A tensor checked against its spec, ready to feed to ONNX Runtime (and what the engine returns). */
export interface DecodedTensor {
  datatype: SupportedDatatype;
  shape: number[];
  data: TensorData;
}

/** The tensor-level signature of a loaded model, as ONNX Runtime sees it. */
export interface ModelSignature {
  inputs: TensorSpec[];
  /** Tensor outputs only: the ones the engine can return. */
  outputs: TensorSpec[];
  /** Outputs that are not tensors (sequences, maps such as ZipMap): never fetched, reported instead. */
  nonTensorOutputs: string[];
}

/** Identifies a model version: its id (cache and routing key) and the sha256 its artifact must have. */
export interface VersionKey {
  id: string;
  sha256: string;
}

export function isSupportedDatatype(datatype: string): datatype is SupportedDatatype {
  return (SUPPORTED_DATATYPES as readonly string[]).includes(datatype);
}

/** ONNX Runtime tensor type names by OIP datatype. */
export const ORT_TYPE_BY_DATATYPE: Record<SupportedDatatype, string> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const DATATYPE_BY_ORT_TYPE: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ORT_TYPE_BY_DATATYPE).map(([oip, ort]) => [ort, oip])),
  float16: 'FP16',
  bfloat16: 'BF16',
};

/** The OIP name of an ONNX Runtime tensor type (unknown types come back upper-cased, so they stay visible). */
export function datatypeFromOrtType(ortType: string): string {
  return DATATYPE_BY_ORT_TYPE[ortType] ?? ortType.toUpperCase();
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
