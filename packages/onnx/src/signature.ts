import { onnxToOipDatatype } from './datatypes';
import { OnnxFormatError } from './errors';
import {
  type AttributeMessage,
  DataLocation,
  type DimensionMessage,
  type GraphMessage,
  type ModelMessage,
  type SparseTensorMessage,
  type TensorMessage,
  type TypeMessage,
  type ValueInfoMessage,
  decodeModelMessage,
  int64ToNumber,
} from './onnx-proto';
import { parseTabularMetadata } from './tabular-metadata';

/** Datatypes reported for graph values that are not plain tensors. */
export const NON_TENSOR_DATATYPES = [
  'SEQUENCE',
  'MAP',
  'OPTIONAL',
  'SPARSE_TENSOR',
  'UNDEFINED',
] as const;

/**
 * One graph input or output. `datatype` is an OIP name (FP32, INT64, BYTES, ...) for tensors;
 * the ONNX element type name for tensors OIP cannot carry (COMPLEX64, FLOAT8E4M3FN, ...);
 * SEQUENCE, MAP, OPTIONAL or SPARSE_TENSOR (shape `[]`) for other values; UNDEFINED when the
 * file declares no type. `shape` uses -1 for a dynamic dimension; a tensor of unknown rank is `[-1]`.
 */
export interface TensorSpec {
  name: string;
  datatype: string;
  shape: number[];
}

/** What a model expects and returns, and what it says about itself. */
export interface OnnxSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** `maas.features`: input column names, in order. */
  features?: string[];
  /** `maas.labels`: class labels, in probability order. */
  labels?: string[];
  /** `maas.categories`: categorical feature → its categories (fed as the category's index). */
  categories?: Record<string, string[]>;
  /** All `metadata_props`, the `maas.*` ones included. */
  metadata: Record<string, string>;
  irVersion: number;
  /** Imported operator sets; the default domain is reported as `ai.onnx`. */
  opsets: { domain: string; version: number }[];
  producerName?: string;
}

/** The message for models whose tensors live in side files, which an upload cannot carry. */
export const EXTERNAL_DATA_MESSAGE =
  'external data references are not supported: embed the weights in the .onnx file';

/** Decodes ONNX bytes; throws {@link OnnxFormatError} when they are not an ONNX model. */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  if (bytes.length === 0) throw new OnnxFormatError('not an ONNX model: the file is empty');
  let model: ModelMessage;
  try {
    model = decodeModelMessage(bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OnnxFormatError(
      `not an ONNX model: the file is not a valid ONNX protobuf (${reason})`,
      { cause },
    );
  }
  if (!model.graph) throw new OnnxFormatError('not an ONNX model: the file has no graph');
  if (int64ToNumber(model.ir_version) < 1)
    throw new OnnxFormatError('not an ONNX model: the file has no ir_version');
  return model;
}

function tensorIsExternal(tensor: TensorMessage | null | undefined): boolean {
  return (
    !!tensor && (tensor.data_location === DataLocation.EXTERNAL || tensor.external_data.length > 0)
  );
}

function sparseIsExternal(sparse: SparseTensorMessage | null | undefined): boolean {
  return !!sparse && (tensorIsExternal(sparse.values) || tensorIsExternal(sparse.indices));
}

function attributeUsesExternalData(attribute: AttributeMessage): boolean {
  return (
    tensorIsExternal(attribute.t) ||
    attribute.tensors.some(tensorIsExternal) ||
    sparseIsExternal(attribute.sparse_tensor) ||
    attribute.sparse_tensors.some(sparseIsExternal) ||
    (!!attribute.g && graphUsesExternalData(attribute.g)) ||
    attribute.graphs.some(graphUsesExternalData)
  );
}

function graphUsesExternalData(graph: GraphMessage): boolean {
  return (
    graph.initializer.some(tensorIsExternal) ||
    graph.sparse_initializer.some(sparseIsExternal) ||
    graph.node.some((node) => node.attribute.some(attributeUsesExternalData))
  );
}

/**
 * True when any tensor in the model (initializers, Constant and other tensor attributes,
 * subgraphs of If/Loop/Scan, functions) keeps its data in an external file.
 */
export function usesExternalData(model: ModelMessage | Uint8Array): boolean {
  const message = model instanceof Uint8Array ? decodeModel(model) : model;
  return (
    (!!message.graph && graphUsesExternalData(message.graph)) ||
    message.functions.some((fn) =>
      fn.node.some((node) => node.attribute.some(attributeUsesExternalData)),
    )
  );
}

function shapeOf(shape: { dim: DimensionMessage[] } | null | undefined): number[] {
  if (!shape) return [-1];
  return shape.dim.map((dim) => (dim.value === 'dim_value' ? int64ToNumber(dim.dim_value) : -1));
}

function specOf(type: TypeMessage | null | undefined): { datatype: string; shape: number[] } {
  switch (type?.value) {
    case 'tensor_type':
      return {
        datatype: onnxToOipDatatype(type.tensor_type?.elem_type ?? 0),
        shape: shapeOf(type.tensor_type?.shape),
      };
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

function toSpec(value: ValueInfoMessage): TensorSpec {
  return { name: value.name, ...specOf(value.type) };
}

// Catch tabular metadata that contradicts the graph now, not at the first prediction.
function checkTabularShapes(signature: OnnxSignature): void {
  const [input, ...otherInputs] = signature.inputs;
  const width = input?.shape.length === 2 ? input.shape[1] : undefined;
  if (
    signature.features &&
    otherInputs.length === 0 &&
    width !== undefined &&
    width >= 0 &&
    width !== signature.features.length
  ) {
    throw new OnnxFormatError(
      `metadata 'maas.features' lists ${signature.features.length} features but input '${input?.name}' has ${width} columns`,
    );
  }
  const probabilities = signature.outputs.find((o) => o.name === 'probabilities');
  const classes = probabilities?.shape.length === 2 ? probabilities.shape[1] : undefined;
  if (
    signature.labels &&
    classes !== undefined &&
    classes >= 0 &&
    classes !== signature.labels.length
  ) {
    throw new OnnxFormatError(
      `metadata 'maas.labels' lists ${signature.labels.length} labels but output 'probabilities' has ${classes} columns`,
    );
  }
}

/**
 * Reads a model's inputs, outputs and metadata. Inputs that are also initializers (as older
 * exporters write them) are left out. Throws {@link OnnxFormatError} when the bytes are not an
 * ONNX model, when tensors reference external data, or when `maas.*` metadata is malformed.
 */
export function readSignature(bytes: Uint8Array): OnnxSignature {
  const model = decodeModel(bytes);
  const graph = model.graph as GraphMessage;
  if (usesExternalData(model)) throw new OnnxFormatError(EXTERNAL_DATA_MESSAGE);

  const initializers = new Set(graph.initializer.map((t) => t.name));
  const metadata: Record<string, string> = {};
  for (const entry of model.metadata_props) metadata[entry.key] = entry.value;

  const signature: OnnxSignature = {
    inputs: graph.input.filter((input) => !initializers.has(input.name)).map(toSpec),
    outputs: graph.output.map(toSpec),
    metadata,
    irVersion: int64ToNumber(model.ir_version),
    opsets: model.opset_import.map((o) => ({
      domain: o.domain || 'ai.onnx',
      version: int64ToNumber(o.version),
    })),
  };
  if (model.producer_name) signature.producerName = model.producer_name;
  Object.assign(signature, parseTabularMetadata(metadata));
  checkTabularShapes(signature);
  return signature;
}
