import { type AttributeValue, encodeAttribute } from './attributes';
import { OIP_DATATYPES, isOipDatatype, oipToOnnxDatatype, type OipDatatype } from './datatypes';
import { encodeModelMessage } from './onnx-proto';
import { type TensorProtoObject, type TensorValues, encodeTensor } from './tensor-data';
import { type TabularMetadata, encodeTabularMetadata } from './tabular-metadata';

/** A dimension: a size, or -1 / null / a symbolic name (string) for a dynamic one. */
export type Dim = number | string | null;

/** The type of a graph input or output: a tensor, or a sequence / map / optional of other types. */
export type ValueType =
  | { tensor: { datatype: OipDatatype; shape?: readonly Dim[] } }
  | { sequence: ValueType }
  | { map: { key: OipDatatype; value: ValueType } }
  | { optional: ValueType };

/** An operator set import. The default ONNX domain is `''` (also written `ai.onnx`). */
export interface OpsetId {
  domain: string;
  version: number;
}

/** Options for {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Version of the default ONNX operator set; 7..23, default 17. */
  opsetVersion?: number;
  producerName?: string;
  producerVersion?: string;
  graphName?: string;
  docString?: string;
  /** Other operator sets, e.g. `{ domain: 'ai.onnx.ml', version: 3 }`. */
  extraOpsets?: readonly OpsetId[];
  /** Overrides the IR version otherwise derived from `opsetVersion`. */
  irVersion?: number;
}

/** Options for one node. */
export interface NodeOptions {
  domain?: string;
  name?: string;
}

/** The default opset for models maas builds: supported by onnxruntime-node 1.30 and every tool since ONNX 1.12. */
export const DEFAULT_OPSET_VERSION = 17;

/** The ONNX IR version that introduced a default-domain opset (per ONNX's versioning table). */
export function irVersionForOpset(opsetVersion: number): number {
  if (!Number.isInteger(opsetVersion) || opsetVersion < 7 || opsetVersion > 23) {
    throw new Error(`opsetVersion must be an integer from 7 to 23, got ${opsetVersion}`);
  }
  if (opsetVersion <= 8) return 3;
  if (opsetVersion === 9) return 4;
  if (opsetVersion === 10) return 5;
  if (opsetVersion === 11) return 6;
  if (opsetVersion <= 14) return 7;
  if (opsetVersion <= 18) return 8;
  if (opsetVersion <= 20) return 9;
  if (opsetVersion <= 22) return 10;
  return 11;
}

interface NodeObject {
  op_type: string;
  domain: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Record<string, unknown>[];
}

function checkDatatype(datatype: string, where: string): OipDatatype {
  if (!isOipDatatype(datatype)) {
    throw new Error(
      `${where}: unknown datatype '${datatype}': expected one of ${OIP_DATATYPES.join(', ')}`,
    );
  }
  return datatype;
}

function encodeDim(dim: Dim, where: string): Record<string, unknown> {
  if (dim === null || dim === -1) return {};
  if (typeof dim === 'string') return dim ? { dim_param: dim } : {};
  if (!Number.isSafeInteger(dim) || dim < 0)
    throw new Error(`${where}: dimension ${dim} must be >= 0, -1, null or a name`);
  return { dim_value: dim };
}

function encodeType(type: ValueType, where: string): Record<string, unknown> {
  if ('tensor' in type) {
    const elem_type = oipToOnnxDatatype(checkDatatype(type.tensor.datatype, where));
    const shape = type.tensor.shape;
    return {
      tensor_type: shape
        ? { elem_type, shape: { dim: shape.map((d) => encodeDim(d, where)) } }
        : { elem_type },
    };
  }
  if ('sequence' in type) return { sequence_type: { elem_type: encodeType(type.sequence, where) } };
  if ('map' in type) {
    return {
      map_type: {
        key_type: oipToOnnxDatatype(checkDatatype(type.map.key, where)),
        value_type: encodeType(type.map.value, where),
      },
    };
  }
  return { optional_type: { elem_type: encodeType(type.optional, where) } };
}

/**
 * Builds an ONNX model in code. Values are checked as they are added (datatypes, shapes,
 * value counts), and {@link GraphBuilder.toBytes} checks the graph: every node input exists
 * before it is used, every name is produced once, every output is produced, every domain is imported.
 */
export class GraphBuilder {
  private readonly opsets: OpsetId[];
  private readonly irVersion: number;
  private readonly inputs: { name: string; type: Record<string, unknown> }[] = [];
  private readonly outputs: { name: string; type: Record<string, unknown> }[] = [];
  private readonly initializers: TensorProtoObject[] = [];
  private readonly nodes: NodeObject[] = [];
  private readonly metadata = new Map<string, string>();
  private readonly usedNames = new Set<string>();

  constructor(private readonly options: GraphBuilderOptions = {}) {
    const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
    this.irVersion = options.irVersion ?? irVersionForOpset(opsetVersion);
    this.opsets = [{ domain: '', version: opsetVersion }];
    for (const extra of options.extraOpsets ?? []) {
      const domain = extra.domain === 'ai.onnx' ? '' : extra.domain;
      if (!Number.isInteger(extra.version) || extra.version < 1) {
        throw new Error(`opset for domain '${extra.domain}' needs a positive integer version`);
      }
      if (this.opsets.some((o) => o.domain === domain))
        throw new Error(`opset for domain '${extra.domain}' given twice`);
      this.opsets.push({ domain, version: extra.version });
    }
  }

  /** Declares a tensor graph input. Shape entries of -1, null or a string are dynamic. */
  addInput(name: string, datatype: OipDatatype, shape: readonly Dim[]): this;
  /** Declares a graph input of any type (e.g. a map for ai.onnx.ml operators). */
  addInput(name: string, type: ValueType): this;
  addInput(name: string, datatype: OipDatatype | ValueType, shape?: readonly Dim[]): this {
    this.claim(name, 'input');
    this.inputs.push({ name, type: this.valueType(datatype, shape, `input '${name}'`) });
    return this;
  }

  /** Declares a tensor graph output. Shape entries of -1, null or a string are dynamic. */
  addOutput(name: string, datatype: OipDatatype, shape: readonly Dim[]): this;
  /** Declares a graph output of any type (e.g. a sequence). */
  addOutput(name: string, type: ValueType): this;
  addOutput(name: string, datatype: OipDatatype | ValueType, shape?: readonly Dim[]): this {
    if (this.outputs.some((o) => o.name === name))
      throw new Error(`output '${name}' declared twice`);
    if (!name) throw new Error('an output needs a name');
    this.outputs.push({ name, type: this.valueType(datatype, shape, `output '${name}'`) });
    return this;
  }

  /** Adds a constant tensor (weights) that nodes can use by name. */
  addInitializer(
    name: string,
    datatype: OipDatatype,
    dims: readonly number[],
    values: TensorValues,
  ): this {
    const tensor = encodeTensor(
      name,
      checkDatatype(datatype, `initializer '${name}'`),
      dims,
      values,
    );
    this.claim(name, 'initializer');
    this.initializers.push(tensor);
    return this;
  }

  /** Appends a node. Nodes must be added in topological order; `''` marks an omitted optional input. */
  addNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): this {
    const domain =
      options.domain === 'ai.onnx' || options.domain === undefined ? '' : options.domain;
    const name = options.name ?? this.freshName(opType);
    if (outputs.length === 0) throw new Error(`node ${name} (${opType}) needs at least one output`);
    const attribute = Object.entries(attributes).map(([key, value]) =>
      encodeAttribute(opType, domain, key, value),
    );
    for (const input of inputs) {
      if (input !== '' && !this.usedNames.has(input)) {
        throw new Error(
          `node ${name} (${opType}) uses '${input}', which no input, initializer or earlier node defines`,
        );
      }
    }
    for (const output of outputs)
      if (output !== '') this.claim(output, `output of node ${name} (${opType})`);
    this.nodes.push({
      op_type: opType,
      domain,
      name,
      input: [...inputs],
      output: [...outputs],
      attribute,
    });
    return this;
  }

  /** Sets a `metadata_props` entry (replacing an earlier value for the key). */
  setMetadata(key: string, value: string): this {
    if (!key) throw new Error('metadata key must not be empty');
    this.metadata.set(key, value);
    return this;
  }

  /** Sets `maas.features`, `maas.labels` and `maas.categories` (the ones given) as JSON metadata. */
  setTabularMetadata(tabular: TabularMetadata): this {
    for (const [key, value] of Object.entries(encodeTabularMetadata(tabular)))
      this.setMetadata(key, value);
    return this;
  }

  /** Returns a value name not used yet, e.g. `freshName('hidden')` → `hidden_0`. */
  freshName(prefix: string): string {
    for (let i = 0; ; i++) {
      const candidate = `${prefix}_${i}`;
      if (!this.usedNames.has(candidate) && !this.nodes.some((n) => n.name === candidate))
        return candidate;
    }
  }

  /** The model as a plain `onnx.ModelProto` object (snake_case fields, as protobufjs encodes it). */
  toModelProto(): Record<string, unknown> {
    if (this.outputs.length === 0) throw new Error('the graph has no outputs: call addOutput()');
    for (const output of this.outputs) {
      if (!this.usedNames.has(output.name)) {
        throw new Error(
          `output '${output.name}' is not produced by any node, input or initializer`,
        );
      }
    }
    for (const node of this.nodes) {
      if (!this.opsets.some((o) => o.domain === node.domain)) {
        throw new Error(
          `node ${node.name} uses domain '${node.domain}': declare it in extraOpsets`,
        );
      }
    }
    return {
      ir_version: this.irVersion,
      opset_import: this.opsets.map((o) => ({ domain: o.domain, version: o.version })),
      producer_name: this.options.producerName ?? 'maas',
      ...(this.options.producerVersion ? { producer_version: this.options.producerVersion } : {}),
      ...(this.options.docString ? { doc_string: this.options.docString } : {}),
      graph: this.toGraphProto(),
      metadata_props: [...this.metadata].map(([key, value]) => ({ key, value })),
    };
  }

  /**
   * The graph alone as a plain `onnx.GraphProto` object: the model's graph, or a subgraph for a
   * GRAPH attribute (`addNode('Loop', ..., { body: { graph: bodyBuilder } })`).
   */
  toGraphProto(): Record<string, unknown> {
    return {
      name: this.options.graphName ?? 'main',
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }

  /** Serializes the model to ONNX protobuf bytes. */
  toBytes(): Uint8Array {
    return encodeModelMessage(this.toModelProto());
  }

  private valueType(
    datatype: OipDatatype | ValueType,
    shape: readonly Dim[] | undefined,
    where: string,
  ) {
    if (typeof datatype === 'string') {
      if (!shape) throw new Error(`${where}: a tensor needs a shape ([] for a scalar)`);
      return encodeType({ tensor: { datatype, shape } }, where);
    }
    if (shape) throw new Error(`${where}: give the shape inside the ValueType`);
    return encodeType(datatype, where);
  }

  private claim(name: string, role: string): void {
    if (!name) throw new Error(`${role} needs a name`);
    if (this.usedNames.has(name))
      throw new Error(`${role} '${name}': the name is already defined in this graph`);
    this.usedNames.add(name);
  }
}
