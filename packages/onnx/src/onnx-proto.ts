import * as protobuf from 'protobufjs';

// The subset of the official onnx/onnx.proto (proto2, package onnx) that maas reads and writes.
// Field numbers are copied from the upstream file and must never change; fields left out here are
// skipped by the decoder as unknown fields, so models that use them still decode.
// Kept as a string (not a .proto file) so the compiled dist needs no asset copying.
const ONNX_PROTO = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0;
    FLOAT = 1;
    INT = 2;
    STRING = 3;
    TENSOR = 4;
    GRAPH = 5;
    SPARSE_TENSOR = 11;
    TYPE_PROTO = 13;
    FLOATS = 6;
    INTS = 7;
    STRINGS = 8;
    TENSORS = 9;
    GRAPHS = 10;
    SPARSE_TENSORS = 12;
    TYPE_PROTOS = 14;
  }
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  optional SparseTensorProto sparse_tensor = 22;
  optional TypeProto tp = 14;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
  repeated SparseTensorProto sparse_tensors = 23;
  repeated TypeProto type_protos = 15;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
  repeated StringStringEntryProto metadata_props = 4;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  optional string overload = 8;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  repeated StringStringEntryProto metadata_props = 9;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
  repeated FunctionProto functions = 25;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
  repeated StringStringEntryProto metadata_props = 16;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0;
    FLOAT = 1;
    UINT8 = 2;
    INT8 = 3;
    UINT16 = 4;
    INT16 = 5;
    INT32 = 6;
    INT64 = 7;
    STRING = 8;
    BOOL = 9;
    FLOAT16 = 10;
    DOUBLE = 11;
    UINT32 = 12;
    UINT64 = 13;
    COMPLEX64 = 14;
    COMPLEX128 = 15;
    BFLOAT16 = 16;
    FLOAT8E4M3FN = 17;
    FLOAT8E4M3FNUZ = 18;
    FLOAT8E5M2 = 19;
    FLOAT8E5M2FNUZ = 20;
    UINT4 = 21;
    INT4 = 22;
    FLOAT4E2M1 = 23;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  message Segment {
    optional int64 begin = 1;
    optional int64 end = 2;
  }
  optional Segment segment = 3;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  enum DataLocation {
    DEFAULT = 0;
    EXTERNAL = 1;
  }
  optional DataLocation data_location = 14;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
  repeated StringStringEntryProto metadata_props = 16;
}

message SparseTensorProto {
  optional TensorProto values = 1;
  optional TensorProto indices = 2;
  repeated int64 dims = 3;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  message Sequence {
    optional TypeProto elem_type = 1;
  }
  message Map {
    optional int32 key_type = 1;
    optional TypeProto value_type = 2;
  }
  message Optional {
    optional TypeProto elem_type = 1;
  }
  message SparseTensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
    Sequence sequence_type = 4;
    Map map_type = 5;
    Optional optional_type = 9;
    SparseTensor sparse_tensor_type = 8;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message FunctionProto {
  optional string name = 1;
  repeated string input = 4;
  repeated string output = 5;
  repeated string attribute = 6;
  repeated AttributeProto attribute_proto = 11;
  repeated NodeProto node = 7;
  optional string doc_string = 8;
  repeated OperatorSetIdProto opset_import = 9;
  optional string domain = 10;
  optional string overload = 13;
  repeated ValueInfoProto value_info = 12;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

// keepCase: field names stay snake_case, exactly as in onnx.proto.
const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;

/** protobufjs message types for the ONNX messages maas uses (snake_case field names). */
export const onnxProto = {
  ModelProto: root.lookupType('onnx.ModelProto'),
  GraphProto: root.lookupType('onnx.GraphProto'),
  NodeProto: root.lookupType('onnx.NodeProto'),
  AttributeProto: root.lookupType('onnx.AttributeProto'),
  TensorProto: root.lookupType('onnx.TensorProto'),
  TypeProto: root.lookupType('onnx.TypeProto'),
  ValueInfoProto: root.lookupType('onnx.ValueInfoProto'),
};

/** ONNX `AttributeProto.AttributeType` numbers. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** ONNX `TensorProto.DataLocation` numbers. */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

/** An int64 as protobufjs decodes it: a `Long` when long.js is present, otherwise a number. */
export type Int64 = number | protobuf.Long;

/** Converts a decoded int64 to a JS number (exact up to 2^53). */
export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  const high = value.unsigned ? value.high >>> 0 : value.high | 0;
  return high * 2 ** 32 + (value.low >>> 0);
}

/** Converts a bigint to an int64 protobufjs can encode (a Long; a number when long.js is absent). */
export function bigintToInt64(value: bigint): Int64 {
  if (value < -(2n ** 63n) || value >= 2n ** 64n)
    throw new Error(`${value} does not fit in 64 bits`);
  const Long = protobuf.util.Long;
  if (!Long) return Number(value);
  // Values past INT64 max (UINT64) keep their bit pattern, as int64 fields do.
  const bits = BigInt.asUintN(64, value);
  return new Long(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, false);
}

// Decoded message shapes: a hand-written subset of what protobufjs produces for the schema above.
// proto2 optional fields read as their defaults when absent.

/** A decoded `onnx.StringStringEntryProto`. */
export interface StringStringEntry {
  key: string;
  value: string;
}

/** A decoded `onnx.OperatorSetIdProto`. */
export interface OperatorSetIdMessage {
  domain: string;
  version: Int64;
}

/** A decoded `onnx.TensorShapeProto.Dimension`. */
export interface DimensionMessage {
  dim_value?: Int64;
  dim_param?: string;
  value?: 'dim_value' | 'dim_param';
}

/** A decoded `onnx.TypeProto`. */
export interface TypeMessage {
  value?: 'tensor_type' | 'sequence_type' | 'map_type' | 'optional_type' | 'sparse_tensor_type';
  tensor_type?: { elem_type: number; shape?: { dim: DimensionMessage[] } | null } | null;
  sequence_type?: { elem_type?: TypeMessage | null } | null;
  map_type?: { key_type: number; value_type?: TypeMessage | null } | null;
  optional_type?: { elem_type?: TypeMessage | null } | null;
  sparse_tensor_type?: { elem_type: number; shape?: { dim: DimensionMessage[] } | null } | null;
}

/** A decoded `onnx.ValueInfoProto`. */
export interface ValueInfoMessage {
  name: string;
  type?: TypeMessage | null;
}

/** A decoded `onnx.TensorProto` (data fields omitted except those checked for external data). */
export interface TensorMessage {
  name: string;
  dims: Int64[];
  data_type: number;
  raw_data: Uint8Array;
  external_data: StringStringEntry[];
  data_location: number;
}

/** A decoded `onnx.SparseTensorProto`. */
export interface SparseTensorMessage {
  values?: TensorMessage | null;
  indices?: TensorMessage | null;
}

/** A decoded `onnx.AttributeProto`. */
export interface AttributeMessage {
  name: string;
  type: number;
  t?: TensorMessage | null;
  g?: GraphMessage | null;
  sparse_tensor?: SparseTensorMessage | null;
  tensors: TensorMessage[];
  graphs: GraphMessage[];
  sparse_tensors: SparseTensorMessage[];
}

/** A decoded `onnx.NodeProto`. */
export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: AttributeMessage[];
}

/** A decoded `onnx.GraphProto`. */
export interface GraphMessage {
  name: string;
  node: NodeMessage[];
  initializer: TensorMessage[];
  sparse_initializer: SparseTensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
}

/** A decoded `onnx.FunctionProto`. */
export interface FunctionMessage {
  name: string;
  node: NodeMessage[];
}

/** A decoded `onnx.ModelProto`. */
export interface ModelMessage {
  ir_version: Int64;
  opset_import: OperatorSetIdMessage[];
  producer_name: string;
  producer_version: string;
  graph?: GraphMessage | null;
  metadata_props: StringStringEntry[];
  functions: FunctionMessage[];
}

/** Decodes ONNX model bytes into a message; throws protobufjs errors on malformed input. */
export function decodeModelMessage(bytes: Uint8Array): ModelMessage {
  return onnxProto.ModelProto.decode(bytes) as unknown as ModelMessage;
}

/** Encodes a plain ModelProto object (snake_case fields) to bytes, after protobufjs verification. */
export function encodeModelMessage(model: Record<string, unknown>): Uint8Array {
  const problem = onnxProto.ModelProto.verify(model);
  if (problem) throw new Error(`internal error: invalid ModelProto: ${problem}`);
  return onnxProto.ModelProto.encode(model).finish();
}
