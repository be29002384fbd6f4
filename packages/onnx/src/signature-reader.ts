import { onnxToOipDatatype } from './datatypes';
import { OnnxFormatError } from './errors';
import { Wire, WireReader, type ByteSource } from './wire-reader';

// Reads what a signature needs from a ModelProto by walking its wire format: the header, the
// main graph's inputs, outputs and initializer names, metadata_props, and whether any tensor
// (initializers, tensor attributes, subgraphs, functions) keeps its data in an external file.
// Tensor payloads (raw_data, float_data, int64_data…), doc strings and everything else are
// skipped by their length, so memory follows the size of the graph's metadata, not of the file.
// Field numbers are those of onnx/onnx.proto (see onnx-proto.ts).

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

/** Bounds on a model's `metadata_props`; unset means unbounded. */
export interface MetadataLimits {
  /** Most entries. */
  maxEntries?: number;
  /** Most bytes of keys and values together (UTF-8, as stored in the file). */
  maxBytes?: number;
}

/** The model's `metadata_props` are over a {@link MetadataLimits} bound. */
export class OnnxMetadataLimitError extends OnnxFormatError {
  constructor(
    readonly limit: 'entries' | 'bytes',
    readonly max: number,
  ) {
    super(
      limit === 'entries'
        ? `metadata_props has more than ${max} entries`
        : `metadata_props keys and values take more than ${max} bytes`,
    );
  }
}

/** What {@link readModelSummary} reads from a ModelProto. */
export interface ModelSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  graph?: {
    /** Every `graph.input`, initializers included. */
    inputs: TensorSpec[];
    outputs: TensorSpec[];
    initializerNames: Set<string>;
  };
  /** `metadata_props` (a repeated key: the last one wins). */
  metadata: Record<string, string>;
  usesExternalData: boolean;
  /** The distinct `location`s of tensors kept in external files, in the order first seen. */
  externalDataLocations: string[];
}

/** Deepest If/Loop/Scan subgraph nesting read (ONNX Runtime's protobuf parser stops far sooner). */
export const MAX_SUBGRAPH_DEPTH = 64;

/** Longest name (of a graph value, initializer, opset domain or producer) read. */
export const MAX_NAME_BYTES = 65_536;

/** Most distinct external data files (`location`s) a model may name. */
export const MAX_EXTERNAL_DATA_FILES = 4096;

/** TypeProto `value` members other than `tensor_type` (1), by field number. */
const OTHER_TYPES: Partial<Record<number, string>> = {
  4: 'SEQUENCE',
  5: 'MAP',
  8: 'SPARSE_TENSOR',
  9: 'OPTIONAL',
};

type Spec = Omit<TensorSpec, 'name'>;

class ModelWalker {
  private metadataEntries = 0;
  private metadataBytes = 0;
  /** Set when a tensor read since the last reset keeps its data externally. */
  private external = false;
  private readonly locations = new Set<string>();

  constructor(
    private readonly r: WireReader,
    private readonly limits: MetadataLimits,
  ) {}

  model(): ModelSummary {
    const r = this.r;
    const summary: ModelSummary = {
      irVersion: 0,
      opsets: [],
      producerName: '',
      metadata: {},
      usesExternalData: false,
      externalDataLocations: [],
    };
    let graphExternal = false;
    let functionsExternal = false;
    r.fields(r.source.length, (field, wire, end) => {
      if (wire === Wire.VARINT && field === 1) summary.irVersion = r.int64();
      else if (wire !== Wire.LEN) return false;
      else if (field === 2) summary.producerName = this.name(end);
      else if (field === 8) summary.opsets.push(this.opset(end));
      else if (field === 14) this.metadataEntry(end, summary.metadata);
      else if (field === 7) {
        // A singular field given twice: the last one replaces the first, as protobufjs decodes it.
        this.external = false;
        summary.graph = this.mainGraph(end);
        graphExternal = this.external;
      } else if (field === 25) {
        this.external = false;
        this.functionNodes(end);
        functionsExternal ||= this.external;
      } else return false;
      return true;
    });
    summary.usesExternalData = graphExternal || functionsExternal;
    summary.externalDataLocations = [...this.locations];
    return summary;
  }

  /** A name or other short string (metadata has its own limits), refused when absurdly long. */
  private name(end: number): string {
    const start = this.r.pos;
    const length = this.r.length(end);
    if (length > MAX_NAME_BYTES)
      throw new OnnxFormatError(
        `a name at offset ${start} is ${length} bytes long, over the ${MAX_NAME_BYTES} bytes a name may have`,
      );
    this.r.pos = start;
    return this.r.string(end);
  }

  private opset(end: number): { domain: string; version: number } {
    let domain = '';
    let version = 0;
    this.r.message(end, (field, wire, end) => {
      if (field === 1 && wire === Wire.LEN) domain = this.name(end);
      else if (field === 2 && wire === Wire.VARINT) version = this.r.int64();
      else return false;
      return true;
    });
    return { domain: domain || 'ai.onnx', version };
  }

  // The limits are checked on each key's and value's length before the string is decoded.
  private metadataEntry(end: number, metadata: Record<string, string>): void {
    const { maxEntries = Infinity, maxBytes = Infinity } = this.limits;
    if (++this.metadataEntries > maxEntries)
      throw new OnnxMetadataLimitError('entries', maxEntries);
    let key = '';
    let value = '';
    this.r.message(end, (field, wire, end) => {
      if ((field !== 1 && field !== 2) || wire !== Wire.LEN) return false;
      const start = this.r.pos;
      this.metadataBytes += this.r.length(end);
      if (this.metadataBytes > maxBytes) throw new OnnxMetadataLimitError('bytes', maxBytes);
      this.r.pos = start;
      if (field === 1) key = this.r.string(end);
      else value = this.r.string(end);
      return true;
    });
    metadata[key] = value;
  }

  private mainGraph(end: number): NonNullable<ModelSummary['graph']> {
    const inputs: TensorSpec[] = [];
    const outputs: TensorSpec[] = [];
    const initializerNames = new Set<string>();
    this.graph(end, 0, (field, end) => {
      if (field === 11) inputs.push(this.valueInfo(end));
      else if (field === 12) outputs.push(this.valueInfo(end));
      else if (field === 5) initializerNames.add(this.tensor(end, true));
      else return false;
      return true;
    });
    return { inputs, outputs, initializerNames };
  }

  /** A GraphProto: external data is noted in any graph; `main` reads the main graph's fields. */
  private graph(end: number, depth: number, main?: (field: number, end: number) => boolean): void {
    if (depth > MAX_SUBGRAPH_DEPTH)
      throw new OnnxFormatError(`subgraphs are nested deeper than ${MAX_SUBGRAPH_DEPTH} levels`);
    this.r.message(end, (field, wire, end) => {
      if (wire !== Wire.LEN) return false;
      if (main?.(field, end)) return true;
      if (field === 5) this.tensor(end, false);
      else if (field === 15) this.sparseTensor(end);
      else if (field === 1) this.node(end, depth);
      else return false;
      return true;
    });
  }

  /** A FunctionProto's nodes. */
  private functionNodes(end: number): void {
    this.r.message(end, (field, wire, end) => {
      if (field !== 7 || wire !== Wire.LEN) return false;
      this.node(end, 0);
      return true;
    });
  }

  private node(end: number, depth: number): void {
    this.r.message(end, (field, wire, end) => {
      if (field !== 5 || wire !== Wire.LEN) return false;
      this.attribute(end, depth);
      return true;
    });
  }

  private attribute(end: number, depth: number): void {
    this.r.message(end, (field, wire, end) => {
      if (wire !== Wire.LEN) return false;
      if (field === 5 || field === 10) this.tensor(end, false);
      else if (field === 22 || field === 23) this.sparseTensor(end);
      else if (field === 6 || field === 11) this.graph(end, depth + 1);
      else return false;
      return true;
    });
  }

  private sparseTensor(end: number): void {
    this.r.message(end, (field, wire, end) => {
      if ((field !== 1 && field !== 2) || wire !== Wire.LEN) return false;
      this.tensor(end, false);
      return true;
    });
  }

  /** A TensorProto: its name when asked for; its data fields are skipped unread. */
  private tensor(end: number, wantName: boolean): string {
    let name = '';
    this.r.message(end, (field, wire, end) => {
      if (field === 8 && wire === Wire.LEN && wantName) name = this.name(end);
      else if (field === 14 && wire === Wire.VARINT) {
        if (this.r.int32() === 1) this.external = true; // data_location EXTERNAL
      } else if (field === 13 && wire === Wire.LEN) {
        this.external = true; // an external_data entry
        this.externalDataEntry(end);
      } else return false;
      return true;
    });
    return name;
  }

  /** A StringStringEntryProto of `external_data`: its `location` is noted. */
  private externalDataEntry(end: number): void {
    let key = '';
    let value = '';
    this.r.message(end, (field, wire, end) => {
      if ((field !== 1 && field !== 2) || wire !== Wire.LEN) return false;
      if (field === 1) key = this.name(end);
      else value = this.name(end);
      return true;
    });
    if (key !== 'location' || this.locations.has(value)) return;
    if (this.locations.size >= MAX_EXTERNAL_DATA_FILES)
      throw new OnnxFormatError(
        `the model names more than ${MAX_EXTERNAL_DATA_FILES} external data files`,
      );
    this.locations.add(value);
  }

  private valueInfo(end: number): TensorSpec {
    let name = '';
    let spec: Spec = { datatype: 'UNDEFINED', shape: [] };
    this.r.message(end, (field, wire, end) => {
      if (field === 1 && wire === Wire.LEN) name = this.name(end);
      else if (field === 2 && wire === Wire.LEN) spec = this.type(end);
      else return false;
      return true;
    });
    return { name, ...spec };
  }

  /** A TypeProto's datatype and shape (of several `value` members, the last one wins). */
  private type(end: number): Spec {
    let spec: Spec = { datatype: 'UNDEFINED', shape: [] };
    this.r.message(end, (field, wire, end) => {
      if (wire !== Wire.LEN) return false;
      if (field === 1) {
        spec = this.tensorType(end);
        return true;
      }
      const other = OTHER_TYPES[field];
      if (other) spec = { datatype: other, shape: [] };
      return false;
    });
    return spec;
  }

  private tensorType(end: number): Spec {
    let elemType = 0;
    let shape = [-1];
    this.r.message(end, (field, wire, end) => {
      if (field === 1 && wire === Wire.VARINT) elemType = this.r.int32();
      else if (field === 2 && wire === Wire.LEN) shape = this.shape(end);
      else return false;
      return true;
    });
    return { datatype: onnxToOipDatatype(elemType), shape };
  }

  /** A TensorShapeProto: `dim_value`s, -1 for a `dim_param` or an empty dimension. */
  private shape(end: number): number[] {
    const dims: number[] = [];
    this.r.message(end, (field, wire, end) => {
      if (field !== 1 || wire !== Wire.LEN) return false;
      let dim = -1;
      this.r.message(end, (f, w) => {
        if (f === 1 && w === Wire.VARINT) {
          dim = this.r.int64();
          return true;
        }
        if (f === 2 && w === Wire.LEN) dim = -1;
        return false;
      });
      dims.push(dim);
      return true;
    });
    return dims;
  }
}

/**
 * Walks a serialized ModelProto and returns what a signature needs. Throws
 * {@link OnnxMetadataLimitError} when `metadata_props` are over `limits`, an
 * {@link OnnxFormatError} for subgraphs nested too deep, and `WireFormatError` when the bytes
 * are not valid protobuf.
 */
export function readModelSummary(source: ByteSource, limits: MetadataLimits = {}): ModelSummary {
  return new ModelWalker(new WireReader(source), limits).model();
}
