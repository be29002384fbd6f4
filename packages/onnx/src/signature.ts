import { OnnxFormatError } from './errors';
import { type ModelMessage, decodeModelMessage, int64ToNumber } from './onnx-proto';
import {
  readModelSummary,
  type MetadataLimits,
  type ModelSummary,
  type TensorSpec,
} from './signature-reader';
import { parseTabularMetadata } from './tabular-metadata';
import { FileSource, WireFormatError, bytesSource, type ByteSource } from './wire-reader';

export {
  MAX_NAME_BYTES,
  MAX_SUBGRAPH_DEPTH,
  OnnxMetadataLimitError,
  type MetadataLimits,
  type TensorSpec,
} from './signature-reader';

/** Datatypes reported for graph values that are not plain tensors. */
export const NON_TENSOR_DATATYPES = [
  'SEQUENCE',
  'MAP',
  'OPTIONAL',
  'SPARSE_TENSOR',
  'UNDEFINED',
] as const;

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

function notOnnx(cause: unknown): OnnxFormatError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new OnnxFormatError(
    `not an ONNX model: the file is not a valid ONNX protobuf (${reason})`,
    { cause },
  );
}

/** Decodes ONNX bytes (all of them, tensor data included); throws {@link OnnxFormatError} when they are not an ONNX model. */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  if (bytes.length === 0) throw new OnnxFormatError('not an ONNX model: the file is empty');
  let model: ModelMessage;
  try {
    model = decodeModelMessage(bytes);
  } catch (cause) {
    throw notOnnx(cause);
  }
  if (!model.graph) throw new OnnxFormatError('not an ONNX model: the file has no graph');
  if (int64ToNumber(model.ir_version) < 1)
    throw new OnnxFormatError('not an ONNX model: the file has no ir_version');
  return model;
}

/**
 * True when any tensor in the model (initializers, Constant and other tensor attributes,
 * subgraphs of If/Loop/Scan, functions) keeps its data in an external file. Throws
 * {@link OnnxFormatError} when the bytes are not an ONNX model. Tensor data is skipped.
 */
export function usesExternalData(bytes: Uint8Array): boolean {
  return summaryOf(bytesSource(bytes), {}).usesExternalData;
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

function summaryOf(
  source: ByteSource,
  limits: MetadataLimits,
): ModelSummary & Required<Pick<ModelSummary, 'graph'>> {
  if (source.length === 0) throw new OnnxFormatError('not an ONNX model: the file is empty');
  let model: ModelSummary;
  try {
    model = readModelSummary(source, limits);
  } catch (err) {
    if (err instanceof WireFormatError) throw notOnnx(err);
    throw err;
  }
  const graph = model.graph;
  if (!graph) throw new OnnxFormatError('not an ONNX model: the file has no graph');
  if (model.irVersion < 1)
    throw new OnnxFormatError('not an ONNX model: the file has no ir_version');
  return { ...model, graph };
}

function signatureFrom(source: ByteSource, limits: MetadataLimits): OnnxSignature {
  const model = summaryOf(source, limits);
  const graph = model.graph;
  if (model.usesExternalData) throw new OnnxFormatError(EXTERNAL_DATA_MESSAGE);

  const signature: OnnxSignature = {
    inputs: graph.inputs.filter((input) => !graph.initializerNames.has(input.name)),
    outputs: graph.outputs,
    metadata: model.metadata,
    irVersion: model.irVersion,
    opsets: model.opsets,
  };
  if (model.producerName) signature.producerName = model.producerName;
  Object.assign(signature, parseTabularMetadata(model.metadata));
  checkTabularShapes(signature);
  return signature;
}

/**
 * Reads a model's inputs, outputs and metadata. Inputs that are also initializers (as older
 * exporters write them) are left out. Throws {@link OnnxFormatError} when the bytes are not an
 * ONNX model, when tensors reference external data, when `maas.*` metadata is malformed, or
 * ({@link OnnxMetadataLimitError}) when `metadata_props` are over `limits`. Tensor data is
 * skipped, never decoded.
 */
export function readSignature(bytes: Uint8Array, limits: MetadataLimits = {}): OnnxSignature {
  return signatureFrom(bytesSource(bytes), limits);
}

/**
 * {@link readSignature} on a file, read in small positional chunks: memory follows the size of
 * the graph's metadata, not of the file. Synchronous: call it off the main thread
 * (`readSignatureInThread` does).
 */
export function readSignatureFile(path: string, limits: MetadataLimits = {}): OnnxSignature {
  return FileSource.use(path, (source) => signatureFrom(source, limits));
}
