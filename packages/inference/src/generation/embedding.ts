// Embeddings from an encoder's last_hidden_state: the inputs of one batch right-padded (as
// transformers pads for feature extraction), then mean pooling over the real tokens (or the CLS
// token's vector) and L2 normalisation, per the bundle's 1_Pooling/config.json.
import type { DecodedTensor, ModelSignature } from '../tensor.types';
import type { PoolingMode } from './bundle';

function intTensor(datatype: string, values: number[], shape: number[]): DecodedTensor {
  if (datatype === 'INT32') return { datatype: 'INT32', shape, data: Int32Array.from(values) };
  return { datatype: 'INT64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** Feeds for a batch of token id lists: input_ids, attention_mask and token_type_ids (zeros) where the graph has them. */
export function encoderFeeds(
  batch: readonly (readonly number[])[],
  padId: number,
  signature: ModelSignature,
): { feeds: Record<string, DecodedTensor>; mask: Uint8Array; width: number } {
  const width = Math.max(1, ...batch.map((ids) => ids.length));
  const ids = new Array<number>(batch.length * width).fill(padId);
  const mask = new Uint8Array(batch.length * width);
  batch.forEach((row, b) =>
    row.forEach((id, k) => {
      ids[b * width + k] = id;
      mask[b * width + k] = 1;
    }),
  );
  const shape = [batch.length, width];
  const typeOf = (name: string) => signature.inputs.find((i) => i.name === name)?.datatype;
  const feeds: Record<string, DecodedTensor> = {
    input_ids: intTensor(typeOf('input_ids') ?? 'INT64', ids, shape),
  };
  const maskType = typeOf('attention_mask');
  if (maskType) feeds.attention_mask = intTensor(maskType, Array.from(mask), shape);
  const typesType = typeOf('token_type_ids');
  if (typesType)
    feeds.token_type_ids = intTensor(typesType, new Array<number>(ids.length).fill(0), shape);
  return { feeds, mask, width };
}

/** Pools `hidden` ([batch, width, dim]) per row and L2-normalises each vector. */
export function poolEmbeddings(
  hidden: Float32Array,
  shape: readonly number[],
  mask: Uint8Array,
  mode: PoolingMode,
): Float32Array[] {
  const [batch = 0, width = 0, dim = 0] = shape;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float64Array(dim);
    if (mode === 'cls') {
      for (let j = 0; j < dim; j++) v[j] = hidden[b * width * dim + j] as number;
    } else {
      let count = 0;
      for (let k = 0; k < width; k++) {
        if (!mask[b * width + k]) continue;
        count++;
        const base = (b * width + k) * dim;
        for (let j = 0; j < dim; j++) v[j] = (v[j] as number) + (hidden[base + j] as number);
      }
      const n = Math.max(count, 1e-9);
      for (let j = 0; j < dim; j++) v[j] = (v[j] as number) / n;
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += (v[j] as number) ** 2;
    // As torch's normalize: divide by max(norm, 1e-12).
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    out.push(Float32Array.from(v, (x) => x * scale));
  }
  return out;
}
