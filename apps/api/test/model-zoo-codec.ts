// What the model-zoo test needs around the models: feeding them to onnxruntime-node directly, to the
// API (GraphQL nested arrays, OIP JSON, Triton binary data), and writing the expected outputs
// under docs/api.md, "Numbers in JSON".
import * as ort from 'onnxruntime-node';
import type { ZooFeeds, ZooTensor } from '@maas/testing';

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** The flat typed data of a zoo tensor, as onnxruntime and Triton binary data want it. */
export function typedData(t: ZooTensor): Float32Array | BigInt64Array | Uint8Array | string[] {
  switch (t.datatype) {
    case 'FP32':
      return Float32Array.from(t.data, (v) =>
        typeof v === 'string' ? (NON_FINITE[v] ?? NaN) : Number(v),
      );
    case 'INT64':
      return BigInt64Array.from(t.data, (v) => BigInt(v as number));
    case 'BOOL':
      return Uint8Array.from(t.data, (v) => (v ? 1 : 0));
    case 'BYTES':
      return t.data.map(String);
  }
}

const ORT_TYPE = { FP32: 'float32', INT64: 'int64', BOOL: 'bool', BYTES: 'string' } as const;
const OIP_TYPE: Record<string, string> = {
  float32: 'FP32',
  int64: 'INT64',
  bool: 'BOOL',
  string: 'BYTES',
};

/** Runs a model's tensor outputs in onnxruntime-node, in this process: the reference. */
export async function runDirect(
  session: ort.InferenceSession,
  feeds: ZooFeeds,
): Promise<Record<string, ort.Tensor>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = new ort.Tensor(ORT_TYPE[t.datatype], typedData(t) as Float32Array, t.shape);
  }
  const fetches = session.outputMetadata.filter((m) => m.isTensor).map((m) => m.name);
  return session.run(ortFeeds, fetches);
}

/** An onnxruntime type ('float32', ...) as OIP names it ('FP32', ...). */
export function oipDatatype(ortType: string): string {
  return OIP_TYPE[ortType] ?? ortType.toUpperCase();
}

/** An onnxruntime output's elements as docs/api.md "Numbers in JSON" writes them, flat. */
export function contractJson(t: ort.Tensor): (number | string | boolean)[] {
  return Array.from(t.data as ArrayLike<unknown>, (v) => {
    if (t.type === 'float32') {
      const x = v as number;
      if (Number.isNaN(x)) return 'NaN';
      if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
      return Number(x.toPrecision(9));
    }
    if (t.type === 'int64') {
      const x = v as bigint;
      return x >= -(2n ** 53n - 1n) && x <= 2n ** 53n - 1n ? Number(x) : x.toString();
    }
    return t.type === 'bool' ? Boolean(v) : (v as string);
  });
}

/** Flat data nested into arrays of `shape`. */
export function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [first = 0, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: first }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}

/** Raw little-endian bytes of a tensor as Triton's binary extension carries it (BYTES: u32 length + UTF-8). */
export function binaryOf(datatype: string, data: ArrayLike<unknown> | ArrayBufferView): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(
      (data as string[]).flatMap((s) => {
        const utf8 = Buffer.from(s, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(utf8.length);
        return [length, utf8];
      }),
    );
  }
  const view = data as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** predict `inputs`: nested arrays, or `{shape, data}` (both are contract forms). */
export function predictInputs(feeds: ZooFeeds, nested: boolean): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [
      name,
      nested ? nest(t.data, t.shape) : { shape: t.shape, data: t.data },
    ]),
  );
}

/** An OIP infer body with JSON tensors. */
export function oipJsonBody(feeds: ZooFeeds, extra: object = {}): string {
  return JSON.stringify({
    ...extra,
    inputs: Object.entries(feeds).map(([name, t]) => ({ name, ...t })),
  });
}

/** A Triton binary request: the JSON header, then the chunks, and the header's length. */
export function binaryRequest(header: object, chunks: Buffer[]) {
  const json = Buffer.from(JSON.stringify(header));
  return {
    body: Buffer.concat([json, ...chunks]),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(json.length),
    },
  };
}

/** Every input of `feeds` in binary, each output asked for in binary when `binaryOutput(i)`. */
export function binaryFeeds(
  feeds: ZooFeeds,
  outputs: string[],
  binaryOutput: (i: number) => boolean,
) {
  const chunks = Object.values(feeds).map((t) => binaryOf(t.datatype, typedData(t)));
  const inputs = Object.entries(feeds).map(([name, t], i) => ({
    name,
    datatype: t.datatype,
    shape: t.shape,
    parameters: { binary_data_size: chunks[i]?.length },
  }));
  return binaryRequest(
    {
      inputs,
      outputs: outputs.map((name, i) => ({ name, parameters: { binary_data: binaryOutput(i) } })),
    },
    chunks,
  );
}

/** An OIP output in a (possibly binary) response header. */
export interface OipOutputHeader {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

/** Splits a binary infer response into its JSON header and each binary output's bytes, in order. */
export function parseBinaryResponse(raw: Buffer, headerLength: number) {
  const json = JSON.parse(raw.subarray(0, headerLength).toString()) as {
    outputs: OipOutputHeader[];
  };
  const bytes = new Map<string, Buffer>();
  let offset = headerLength;
  for (const o of json.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    bytes.set(o.name, raw.subarray(offset, offset + size));
    offset += size;
  }
  return { outputs: json.outputs, bytes, trailing: raw.length - offset };
}
