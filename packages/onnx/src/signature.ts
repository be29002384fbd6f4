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
  MAX_EXTERNAL_DATA_FILES,
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
  /**
   * With `allowExternalData`: the `location`s (relative to the model file's folder) of the
   * files its tensors keep their data in, each once; absent when there are none.
   */
  externalDataLocations?: string[];
}

/** How a signature is read: metadata bounds, and whether tensors may live in side files. */
export interface SignatureOptions extends MetadataLimits {
  /**
   * Accept tensors kept in external files (a model bundle carries them) and report their
   * locations; by default such a model is refused with {@link EXTERNAL_DATA_MESSAGE}.
   */
  allowExternalData?: boolean;
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

function signatureFrom(source: ByteSource, options: SignatureOptions): OnnxSignature {
  const { allowExternalData = false, ...limits } = options;
  const model = summaryOf(source, limits);
  const graph = model.graph;
  if (model.usesExternalData && !allowExternalData)
    throw new OnnxFormatError(EXTERNAL_DATA_MESSAGE);

  const signature: OnnxSignature = {
    inputs: graph.inputs.filter((input) => !graph.initializerNames.has(input.name)),
    outputs: graph.outputs,
    metadata: model.metadata,
    irVersion: model.irVersion,
    opsets: model.opsets,
  };
  if (model.producerName) signature.producerName = model.producerName;
  if (model.externalDataLocations.length > 0)
    signature.externalDataLocations = model.externalDataLocations;
  Object.assign(signature, parseTabularMetadata(model.metadata));
  checkTabularShapes(signature);
  return signature;
}

/**
 * Reads a model's inputs, outputs and metadata. Inputs that are also initializers (as older
 * exporters write them) are left out. Throws {@link OnnxFormatError} when the bytes are not an
 * ONNX model, when tensors reference external data (unless `allowExternalData`), when `maas.*`
 * metadata is malformed, or ({@link OnnxMetadataLimitError}) when `metadata_props` are over the
 * limits. Tensor data is skipped, never decoded.
 */
export function readSignature(bytes: Uint8Array, options: SignatureOptions = {}): OnnxSignature {
  return signatureFrom(bytesSource(bytes), options);
}

/**
 * {@link readSignature} on a file, read in small positional chunks: memory follows the size of
 * the graph's metadata, not of the file. Synchronous: call it off the main thread
 * (`readSignatureInThread` does).
 */
export function readSignatureFile(path: string, options: SignatureOptions = {}): OnnxSignature {
  return FileSource.use(path, (source) => signatureFrom(source, options));
}
