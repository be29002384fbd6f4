/** Open Inference Protocol tensor datatype names that map onto ONNX tensor element types. */
export const OIP_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'BF16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** An Open Inference Protocol tensor datatype name. */
export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** ONNX `TensorProto.DataType` numbers (all of them, including ones OIP has no name for). */
export const OnnxDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;

/** OIP datatype name → ONNX `TensorProto.DataType` number. */
export const OIP_TO_ONNX_DATATYPE: Readonly<Record<OipDatatype, number>> = {
  BOOL: OnnxDataType.BOOL,
  UINT8: OnnxDataType.UINT8,
  UINT16: OnnxDataType.UINT16,
  UINT32: OnnxDataType.UINT32,
  UINT64: OnnxDataType.UINT64,
  INT8: OnnxDataType.INT8,
  INT16: OnnxDataType.INT16,
  INT32: OnnxDataType.INT32,
  INT64: OnnxDataType.INT64,
  FP16: OnnxDataType.FLOAT16,
  BF16: OnnxDataType.BFLOAT16,
  FP32: OnnxDataType.FLOAT,
  FP64: OnnxDataType.DOUBLE,
  BYTES: OnnxDataType.STRING,
};

/** ONNX `TensorProto.DataType` number → OIP datatype name (only types OIP can carry). */
export const ONNX_TO_OIP_DATATYPE: Readonly<Partial<Record<number, OipDatatype>>> =
  Object.fromEntries(
    Object.entries(OIP_TO_ONNX_DATATYPE).map(([oip, onnx]) => [onnx, oip as OipDatatype]),
  );

/** Byte width of one element for fixed-width OIP datatypes (BYTES has none). */
export const OIP_DATATYPE_BYTES: Readonly<Record<Exclude<OipDatatype, 'BYTES'>, number>> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  BF16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** True when `name` is an OIP datatype name. */
export function isOipDatatype(name: string): name is OipDatatype {
  return (OIP_DATATYPES as readonly string[]).includes(name);
}

/** Maps an OIP datatype name to the ONNX element type; throws on an unknown name. */
export function oipToOnnxDatatype(datatype: string): number {
  if (!isOipDatatype(datatype)) {
    throw new Error(`unknown datatype '${datatype}': expected one of ${OIP_DATATYPES.join(', ')}`);
  }
  return OIP_TO_ONNX_DATATYPE[datatype];
}

/**
 * Maps an ONNX element type to its OIP name, or, for element types OIP cannot carry
 * (COMPLEX64, FLOAT8E4M3FN, INT4, ...), to the ONNX enum name itself.
 */
export function onnxToOipDatatype(elemType: number): string {
  const oip = ONNX_TO_OIP_DATATYPE[elemType];
  if (oip) return oip;
  const onnxName = Object.entries(OnnxDataType).find(([, value]) => value === elemType)?.[0];
  return onnxName ?? `ONNX_TYPE_${elemType}`;
}
