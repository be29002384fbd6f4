import { InferenceInputError } from './inference.errors';
import { elementCount, isSupportedDatatype } from './tensor.types';
import type {
  DecodedTensor,
  ModelSignature,
  SupportedDatatype,
  TensorData,
  TensorSpec,
} from './tensor.types';

const INT_RANGE: Partial<Record<SupportedDatatype, [number, number]>> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  INT32: [-2147483648, 2147483647],
  UINT32: [0, 4294967295],
  INT64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** The full 64-bit ranges, reachable through decimal strings. */
const INT64_STRING_RANGE: Record<'INT64' | 'UINT64', [bigint, bigint]> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};
// At most 20 digits (2^64 has 20), so BigInt() never sees a long string.
const DECIMAL_INTEGER = /^-?(?:0|[1-9][0-9]{0,19})$/;

type NumericCtor = new (length: number) => Exclude<TensorData, string[]>;

const ARRAY_TYPE: Record<Exclude<SupportedDatatype, 'BYTES'>, NumericCtor> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function fail(name: string, message: string): never {
  throw new InferenceInputError(`input '${name}': ${message}`);
}

/** A caller's value quoted in an error, cut to a readable length. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 60)}… (${text.length} characters)` : text;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? '-1' : String(d))).join(', ')}]`;
}

function expectedText(spec: TensorSpec): string {
  return `${spec.datatype} of shape ${shapeText(spec.shape)}`;
}

function position(index: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] ?? 1;
    idx.unshift(size > 0 ? rest % size : 0);
    rest = size > 0 ? Math.floor(rest / size) : 0;
  }
  return `[${idx.join(', ')}]`;
}

function datatypeOf(spec: TensorSpec): SupportedDatatype {
  if (!isSupportedDatatype(spec.datatype)) {
    fail(spec.name, `the model takes ${spec.datatype}, which this server cannot feed`);
  }
  return spec.datatype;
}

/** Checks a concrete shape against the spec: rank and every fixed dimension. */
export function checkShape(spec: TensorSpec, shape: readonly number[]): void {
  if (shape.length !== spec.shape.length) {
    fail(
      spec.name,
      `expected ${expectedText(spec)} (rank ${spec.shape.length}), got rank ${shape.length} ${shapeText(shape)}`,
    );
  }
  spec.shape.forEach((d, i) => {
    if (d >= 0 && shape[i] !== d) {
      fail(
        spec.name,
        `expected ${expectedText(spec)}, got ${shapeText(shape)} (dimension ${i} must be ${d})`,
      );
    }
  });
}

/** Shape of a nested array, from its first elements (raggedness is caught while flattening). */
function nestedShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/**
 * Flattens `data` that may be flat or nested up to the tensor's rank, without recursion, so a
 * hostile, deeply nested body fails with a clear error instead of exhausting the stack.
 */
function flattenData(name: string, data: unknown[], maxDepth: number): unknown[] {
  const out: unknown[] = [];
  const stack: { items: unknown[]; index: number }[] = [{ items: data, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { items: unknown[]; index: number };
    if (top.index >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.index++];
    if (Array.isArray(item)) {
      if (stack.length >= maxDepth)
        fail(name, `data is nested deeper than the tensor's rank ${maxDepth}`);
      stack.push({ items: item, index: 0 });
    } else {
      out.push(item);
    }
  }
  return out;
}

/** Writes one JSON value into the flat output, or throws naming the element. */
type ElementWriter = (value: unknown, index: number) => void;

function elementWriter(
  name: string,
  datatype: SupportedDatatype,
  data: TensorData,
  shape: number[],
): ElementWriter {
  const bad = (value: unknown, index: number, what: string): never =>
    fail(
      name,
      `element ${position(index, shape)} is ${clip(JSON.stringify(value) ?? String(value))}, expected ${what}`,
    );
  if (datatype === 'BYTES') {
    const out = data as string[];
    return (v, i) => {
      if (typeof v !== 'string') bad(v, i, 'a string (BYTES)');
      // ONNX Runtime's string tensors end at NUL: refuse rather than silently truncate.
      if ((v as string).includes('\u0000')) bad(v, i, 'a string without NUL characters');
      out[i] = v as string;
    };
  }
  if (datatype === 'BOOL') {
    const out = data as Uint8Array;
    return (v, i) => {
      if (v === true || v === 1) out[i] = 1;
      else if (v === false || v === 0) out[i] = 0;
      else bad(v, i, 'true or false (BOOL)');
    };
  }
  if (datatype === 'FP32' || datatype === 'FP64') {
    const out = data as Float32Array;
    return (v, i) => {
      if (typeof v === 'number') out[i] = v;
      else if (typeof v === 'string' && v in NON_FINITE) out[i] = NON_FINITE[v] as number;
      else bad(v, i, `a number (${datatype})`);
    };
  }
  const [min, max] = INT_RANGE[datatype] as [number, number];
  const what = `an integer in [${min}, ${max}] (${datatype})`;
  if (datatype === 'INT64' || datatype === 'UINT64') {
    // Exact JSON numbers up to ±2^53; beyond that (as outputs are written) a decimal string.
    const [lo, hi] = INT64_STRING_RANGE[datatype];
    const what64 = `an integer in [${min}, ${max}] or a decimal string in [${lo}, ${hi}] (${datatype})`;
    const out = data as BigInt64Array;
    return (v, i) => {
      if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) out[i] = BigInt(v);
      else if (typeof v === 'string' && DECIMAL_INTEGER.test(v)) {
        const n = BigInt(v);
        if (n >= lo && n <= hi) out[i] = n;
        else bad(v, i, what64);
      } else if (typeof v === 'bigint' && v >= lo && v <= hi) out[i] = v;
      else bad(v, i, what64);
    };
  }
  const out = data as Int32Array;
  return (v, i) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) out[i] = v;
    else bad(v, i, what);
  };
}

function allocate(datatype: SupportedDatatype, length: number): TensorData {
  return datatype === 'BYTES' ? new Array<string>(length) : new ARRAY_TYPE[datatype](length);
}

/** Flattens a rectangular nested array of the given shape; throws on ragged arrays. */
function flattenNested(name: string, value: unknown, shape: number[], write: ElementWriter): void {
  let index = 0;
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(v))
        fail(name, `ragged array: expected a value at depth ${depth}, found an array`);
      write(v, index++);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      fail(
        name,
        `ragged array: every array at depth ${depth} must have length ${shape[depth]} (shape ${shapeText(shape)}), ` +
          `found ${Array.isArray(v) ? `length ${v.length}` : (JSON.stringify(v) ?? String(v))}`,
      );
    }
    for (const item of v) walk(item, depth + 1);
  };
  walk(value, 0);
}

function isShapeAndData(value: unknown): value is { shape: unknown; data: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'data' in value &&
    'shape' in value
  );
}

function isTypedArray(value: unknown): value is Exclude<TensorData, string[]> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/**
 * Decodes one input (nested arrays, a scalar, or `{shape, data}` with flat or nested data) into
 * a tensor of the spec's datatype, validating rank, fixed dimensions, rectangularity, element
 * types and ranges. Throws `InferenceInputError` naming the input and what was expected.
 */
export function decodeTensorInput(spec: TensorSpec, value: unknown): DecodedTensor {
  const datatype = datatypeOf(spec);
  if (isShapeAndData(value)) return decodeShapeAndData(spec, datatype, value.shape, value.data);
  const shape = nestedShape(value);
  checkShape(spec, shape);
  const data = allocate(datatype, elementCount(shape));
  flattenNested(spec.name, value, shape, elementWriter(spec.name, datatype, data, shape));
  return { datatype, shape, data };
}

function decodeShapeAndData(
  spec: TensorSpec,
  datatype: SupportedDatatype,
  rawShape: unknown,
  rawData: unknown,
): DecodedTensor {
  if (
    !Array.isArray(rawShape) ||
    !rawShape.every((d) => Number.isInteger(d) && (d as number) >= 0)
  ) {
    fail(
      spec.name,
      `shape must be an array of non-negative integers, got ${JSON.stringify(rawShape)}`,
    );
  }
  const shape = rawShape as number[];
  checkShape(spec, shape);
  const count = elementCount(shape);
  if (
    isTypedArray(rawData) &&
    rawData.constructor === (datatype === 'BYTES' ? undefined : ARRAY_TYPE[datatype])
  ) {
    // Already typed (the binary extension): only the length needs checking.
    if (rawData.length !== count) {
      fail(spec.name, `shape ${shapeText(shape)} needs ${count} values, got ${rawData.length}`);
    }
    return { datatype, shape, data: rawData };
  }
  if (!Array.isArray(rawData)) fail(spec.name, `data must be an array, got ${typeof rawData}`);
  const flat = flattenData(spec.name, rawData as unknown[], Math.max(1, shape.length));
  if (flat.length !== count)
    fail(spec.name, `shape ${shapeText(shape)} needs ${count} values, got ${flat.length}`);
  const data = allocate(datatype, count);
  const write = elementWriter(spec.name, datatype, data, shape);
  for (let i = 0; i < count; i++) write(flat[i], i);
  return { datatype, shape, data };
}

/**
 * Decodes every input of a request against the model's input specs: a missing or unknown
 * input is an `InferenceInputError`.
 */
export function decodeTensorInputs(
  specs: readonly TensorSpec[],
  values: Record<string, unknown>,
): Record<string, DecodedTensor> {
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      throw new InferenceInputError(
        `unknown input '${name}'; the model's inputs are ${[...known].join(', ')}`,
      );
    }
  }
  const out: Record<string, DecodedTensor> = {};
  for (const spec of specs) {
    if (!(spec.name in values)) {
      throw new InferenceInputError(`missing input '${spec.name}': expected ${expectedText(spec)}`);
    }
    out[spec.name] = decodeTensorInput(spec, values[spec.name]);
  }
  return out;
}

/**
 * Checks already-decoded tensors against a loaded model: names, datatypes, shapes, data lengths.
 */
export function validateFeeds(
  signature: ModelSignature,
  inputs: Record<string, DecodedTensor>,
): void {
  const known = new Set(signature.inputs.map((s) => s.name));
  for (const name of Object.keys(inputs)) {
    if (!known.has(name)) {
      throw new InferenceInputError(
        `unknown input '${name}'; the model's inputs are ${[...known].join(', ')}`,
      );
    }
  }
  for (const spec of signature.inputs) {
    const t = inputs[spec.name];
    if (!t)
      throw new InferenceInputError(`missing input '${spec.name}': expected ${expectedText(spec)}`);
    if (t.datatype !== spec.datatype)
      fail(spec.name, `expected ${expectedText(spec)}, got ${t.datatype}`);
    checkShape(spec, t.shape);
    const count = elementCount(t.shape);
    if (t.data.length !== count)
      fail(spec.name, `shape ${shapeText(t.shape)} needs ${count} values, got ${t.data.length}`);
  }
}

/** The outputs to fetch: the requested ones (checked) or every tensor output. */
export function resolveFetches(signature: ModelSignature, requested?: readonly string[]): string[] {
  const tensorNames = signature.outputs.map((o) => o.name);
  if (!requested || requested.length === 0) {
    if (tensorNames.length === 0) {
      throw new InferenceInputError(
        `the model has no tensor outputs (only ${signature.nonTensorOutputs.join(', ')})`,
      );
    }
    return tensorNames;
  }
  for (const name of requested) {
    if (signature.nonTensorOutputs.includes(name)) {
      throw new InferenceInputError(
        `output '${name}' is not a tensor (e.g. a ZipMap sequence) and cannot be returned`,
      );
    }
    if (!tensorNames.includes(name)) {
      throw new InferenceInputError(
        `unknown output '${name}'; the model's outputs are ${tensorNames.join(', ')}`,
      );
    }
  }
  return [...new Set(requested)];
}

/** An input in the Open Inference Protocol's flat form (data may also arrive typed, from binary data). */
export interface OipTensorInput {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown;
  parameters?: Record<string, unknown>;
}

/** Decodes one OIP input `{name, datatype, shape, data}`; its datatype must be the spec's. */
export function decodeOipInput(spec: TensorSpec, input: OipTensorInput): DecodedTensor {
  const datatype = datatypeOf(spec);
  if (input.datatype !== datatype)
    fail(spec.name, `expected datatype ${datatype}, got ${String(input.datatype)}`);
  if (input.data === undefined) fail(spec.name, 'no data (neither "data" nor binary data)');
  return decodeShapeAndData(spec, datatype, input.shape, input.data);
}

/** Decodes the `inputs` array of an OIP infer request against the model's input specs. */
export function decodeOipInputs(
  specs: readonly TensorSpec[],
  inputs: unknown,
): Record<string, DecodedTensor> {
  if (!Array.isArray(inputs))
    throw new InferenceInputError('"inputs" must be an array of {name, datatype, shape, data}');
  const byName = new Map<string, OipTensorInput>();
  for (const raw of inputs as unknown[]) {
    const input = raw as Partial<OipTensorInput> | null;
    if (typeof input !== 'object' || input === null || typeof input.name !== 'string') {
      throw new InferenceInputError('each input must be an object with a string "name"');
    }
    if (byName.has(input.name))
      throw new InferenceInputError(`input '${input.name}' appears twice`);
    byName.set(input.name, input as OipTensorInput);
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of byName.keys()) {
    if (!known.has(name)) {
      throw new InferenceInputError(
        `unknown input '${name}'; the model's inputs are ${[...known].join(', ')}`,
      );
    }
  }
  const out: Record<string, DecodedTensor> = {};
  for (const spec of specs) {
    const input = byName.get(spec.name);
    if (!input)
      throw new InferenceInputError(`missing input '${spec.name}': expected ${expectedText(spec)}`);
    out[spec.name] = decodeOipInput(spec, input);
  }
  return out;
}
