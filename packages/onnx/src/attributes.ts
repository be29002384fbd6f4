import { AttributeType, type Int64, bigintToInt64 } from './onnx-proto';
import { type TensorValue, encodeTensor } from './tensor-data';

/** An attribute with its ONNX type spelled out, for values whose JS type is ambiguous (e.g. `alpha: 1`). */
export type TypedAttribute =
  | { type: 'FLOAT'; value: number }
  | { type: 'INT'; value: number | bigint }
  | { type: 'STRING'; value: string }
  | { type: 'FLOATS'; value: readonly number[] }
  | { type: 'INTS'; value: readonly (number | bigint)[] }
  | { type: 'STRINGS'; value: readonly string[] };

/** A TENSOR attribute (e.g. `Constant.value`, `ConstantOfShape.value`). */
export interface TensorAttribute {
  tensor: TensorValue;
}

/** A GRAPH attribute (e.g. `Loop.body`, `If.then_branch`): a subgraph, e.g. a `GraphBuilder`. */
export interface GraphAttribute {
  graph: { toGraphProto(): Record<string, unknown> };
}

/**
 * A node attribute. Plain JS values are typed by inference: an integer → INT, any other
 * number → FLOAT, string → STRING, boolean → INT 0/1, arrays likewise (an empty array → INTS).
 * Attributes that ONNX defines as floats for common operators (Gemm alpha/beta, LeakyRelu alpha,
 * epsilon, ...) are always written as FLOAT(S). Use {@link attr} to be explicit.
 */
export type AttributeValue =
  | number
  | bigint
  | boolean
  | string
  | readonly number[]
  | readonly bigint[]
  | readonly string[]
  | TypedAttribute
  | TensorAttribute
  | GraphAttribute;

/** Builders for explicitly typed attributes. */
export const attr = {
  float: (value: number): TypedAttribute => ({ type: 'FLOAT', value }),
  int: (value: number | bigint): TypedAttribute => ({ type: 'INT', value }),
  string: (value: string): TypedAttribute => ({ type: 'STRING', value }),
  floats: (value: readonly number[]): TypedAttribute => ({ type: 'FLOATS', value }),
  ints: (value: readonly (number | bigint)[]): TypedAttribute => ({ type: 'INTS', value }),
  strings: (value: readonly string[]): TypedAttribute => ({ type: 'STRINGS', value }),
  tensor: (
    datatype: TensorValue['datatype'],
    dims: readonly number[],
    values: TensorValue['values'],
  ): TensorAttribute => ({
    tensor: { datatype, dims, values },
  }),
};

// Attributes that ONNX types as float(s) although callers naturally write integers (alpha: 1).
// Keyed by "domain:opType"; the default domain is "".
const FLOAT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  ':Gemm': ['alpha', 'beta'],
  ':LeakyRelu': ['alpha'],
  ':Elu': ['alpha'],
  ':Celu': ['alpha'],
  ':Selu': ['alpha', 'gamma'],
  ':HardSigmoid': ['alpha', 'beta'],
  ':ThresholdedRelu': ['alpha'],
  ':Shrink': ['bias', 'lambd'],
  ':BatchNormalization': ['epsilon', 'momentum'],
  ':InstanceNormalization': ['epsilon'],
  ':LayerNormalization': ['epsilon'],
  ':GroupNormalization': ['epsilon'],
  ':LRN': ['alpha', 'beta', 'bias'],
  ':Clip': ['min', 'max'],
  ':Dropout': ['ratio'],
  ':RandomNormal': ['mean', 'scale', 'seed'],
  ':RandomNormalLike': ['mean', 'scale', 'seed'],
  ':RandomUniform': ['high', 'low', 'seed'],
  ':RandomUniformLike': ['high', 'low', 'seed'],
  ':Bernoulli': ['seed'],
  ':Multinomial': ['seed'],
  ':Resize': ['cubic_coeff_a', 'extrapolation_value'],
  ':RoiAlign': ['spatial_scale'],
  ':Constant': ['value_float', 'value_floats'],
  'ai.onnx.ml:LinearClassifier': ['coefficients', 'intercepts'],
  'ai.onnx.ml:LinearRegressor': ['coefficients', 'intercepts'],
  'ai.onnx.ml:Scaler': ['offset', 'scale'],
  'ai.onnx.ml:Binarizer': ['threshold'],
  'ai.onnx.ml:Imputer': ['imputed_value_floats', 'replaced_value_float'],
};

function isTyped(value: AttributeValue): value is TypedAttribute {
  return typeof value === 'object' && !Array.isArray(value) && 'type' in value;
}

function isTensor(value: AttributeValue): value is TensorAttribute {
  return typeof value === 'object' && !Array.isArray(value) && 'tensor' in value;
}

function isGraph(value: AttributeValue): value is GraphAttribute {
  return typeof value === 'object' && !Array.isArray(value) && 'graph' in value;
}

function toInt(value: number | bigint, where: string): Int64 {
  if (typeof value === 'bigint') return bigintToInt64(value);
  if (!Number.isSafeInteger(value)) throw new Error(`${where}: ${value} is not an integer`);
  return value;
}

function infer(
  value: AttributeValue,
  wantsFloat: boolean,
  where: string,
): TypedAttribute | TensorAttribute {
  if (isTyped(value) || isTensor(value)) return value;
  if (isGraph(value)) throw new Error(`${where}: a graph attribute cannot be inferred`);
  if (typeof value === 'string') return { type: 'STRING', value };
  if (typeof value === 'boolean') return { type: 'INT', value: value ? 1 : 0 };
  if (typeof value === 'bigint') return { type: 'INT', value };
  if (typeof value === 'number') {
    return wantsFloat || !Number.isInteger(value)
      ? { type: 'FLOAT', value }
      : { type: 'INT', value };
  }
  const list = value as readonly unknown[];
  if (list.length > 0 && list.every((v) => typeof v === 'string'))
    return { type: 'STRINGS', value: list as string[] };
  if (list.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
    const numbers = list as (number | bigint)[];
    const integral = numbers.every((v) => typeof v === 'bigint' || Number.isInteger(v));
    if (wantsFloat || !integral) {
      if (numbers.some((v) => typeof v === 'bigint'))
        throw new Error(`${where}: bigints in a FLOATS attribute`);
      return { type: 'FLOATS', value: numbers as number[] };
    }
    return { type: 'INTS', value: numbers };
  }
  throw new Error(`${where}: an array attribute must hold only numbers or only strings`);
}

/** Encodes one node attribute to a plain `onnx.AttributeProto` object. */
export function encodeAttribute(
  opType: string,
  domain: string,
  name: string,
  value: AttributeValue,
): Record<string, unknown> {
  const where = `attribute '${name}' of ${opType}`;
  if (isGraph(value)) return { name, type: AttributeType.GRAPH, g: value.graph.toGraphProto() };
  const wantsFloat = FLOAT_ATTRIBUTES[`${domain}:${opType}`]?.includes(name) ?? false;
  const typed = infer(value, wantsFloat, where);
  const encoder = new TextEncoder();
  if (isTensor(typed)) {
    const t = typed.tensor;
    return {
      name,
      type: AttributeType.TENSOR,
      t: encodeTensor(undefined, t.datatype, t.dims, t.values),
    };
  }
  switch (typed.type) {
    case 'FLOAT':
      return { name, type: AttributeType.FLOAT, f: typed.value };
    case 'INT':
      return { name, type: AttributeType.INT, i: toInt(typed.value, where) };
    case 'STRING':
      return { name, type: AttributeType.STRING, s: encoder.encode(typed.value) };
    case 'FLOATS':
      return { name, type: AttributeType.FLOATS, floats: [...typed.value] };
    case 'INTS':
      return { name, type: AttributeType.INTS, ints: typed.value.map((v) => toInt(v, where)) };
    case 'STRINGS':
      return {
        name,
        type: AttributeType.STRINGS,
        strings: typed.value.map((v) => encoder.encode(v)),
      };
  }
}
