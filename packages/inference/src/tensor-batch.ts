import type { DecodedTensor, TensorData } from './tensor.types';
import { elementCount } from './tensor.types';

type NumericData = Exclude<TensorData, string[]>;

function rowSize(shape: readonly number[]): number {
  return elementCount(shape.slice(1));
}

/** Concatenates tensors of one datatype and equal trailing dimensions along axis 0. */
export function concatRows(tensors: readonly DecodedTensor[]): DecodedTensor {
  const first = tensors[0];
  if (!first) throw new Error('concatRows: nothing to concatenate');
  const rows = tensors.reduce((n, t) => n + (t.shape[0] ?? 0), 0);
  const shape = [rows, ...first.shape.slice(1)];
  if (Array.isArray(first.data)) {
    const data: string[] = [];
    for (const t of tensors) data.push(...(t.data as string[]));
    return { datatype: first.datatype, shape, data };
  }
  const Ctor = first.data.constructor as new (length: number) => NumericData;
  const data = new Ctor(rows * rowSize(first.shape));
  let offset = 0;
  for (const t of tensors) {
    (data as Float32Array).set(t.data as Float32Array, offset);
    offset += t.data.length;
  }
  return { datatype: first.datatype, shape, data };
}

/** Rows [start, end) of a tensor along axis 0, as a tensor of its own. */
export function sliceRows(tensor: DecodedTensor, start: number, end: number): DecodedTensor {
  const size = rowSize(tensor.shape);
  const data = tensor.data.slice(start * size, end * size) as TensorData;
  return { datatype: tensor.datatype, shape: [end - start, ...tensor.shape.slice(1)], data };
}
