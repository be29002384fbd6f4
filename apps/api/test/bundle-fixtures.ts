// Small model bundles for the bundle tests, in the Hugging Face / Optimum layout: a decoder with
// the Optimum KV-cache names (its embedding in an external data file) and an encoder. Archives
// are written here with tar-stream (tar) and by hand (zip), so the tests control every header.
import { createHash } from 'node:crypto';
import { crc32, gzipSync } from 'node:zlib';
import { encodeModelMessage, GraphBuilder } from '@maas/onnx';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';

export interface FixtureFile {
  path: string;
  bytes: Buffer;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2));

export const VOCAB = 8;

/** A decoder graph: input_ids, attention_mask, past_key_values.0.* → logits, present.0.*. */
export function decoderGraph(options: { externalData?: string } = {}): {
  graph: Buffer;
  data?: Buffer;
} {
  const table = Array.from({ length: VOCAB * VOCAB }, (_, i) => (i % 7) / 7);
  const proto = new GraphBuilder()
    .addInput('input_ids', 'INT64', ['batch_size', 'sequence_length'])
    .addInput('attention_mask', 'INT64', ['batch_size', 'total_sequence_length'])
    .addInput('past_key_values.0.key', 'FP32', ['batch_size', 2, 'past_sequence_length', 4])
    .addInput('past_key_values.0.value', 'FP32', ['batch_size', 2, 'past_sequence_length', 4])
    .addInitializer('wte', 'FP32', [VOCAB, VOCAB], table)
    .addNode('Gather', ['wte', 'input_ids'], ['logits'], { axis: 0 })
    .addNode('Identity', ['past_key_values.0.key'], ['present.0.key'])
    .addNode('Identity', ['past_key_values.0.value'], ['present.0.value'])
    .addOutput('logits', 'FP32', ['batch_size', 'sequence_length', VOCAB])
    .addOutput('present.0.key', 'FP32', ['batch_size', 2, 'total_sequence_length', 4])
    .addOutput('present.0.value', 'FP32', ['batch_size', 2, 'total_sequence_length', 4])
    .toModelProto() as { graph: { initializer: Record<string, unknown>[] } };
  if (!options.externalData) return { graph: Buffer.from(encodeModelMessage(proto)) };
  const init = proto.graph.initializer[0] as Record<string, unknown>;
  const data = Buffer.from(new Float32Array(table).buffer);
  delete init.raw_data;
  delete init.float_data;
  init.data_location = 1;
  init.external_data = [
    { key: 'location', value: options.externalData },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(data.length) },
  ];
  return { graph: Buffer.from(encodeModelMessage(proto)), data };
}

/** An encoder graph: input_ids, attention_mask → last_hidden_state of width 4. */
export function encoderGraph(): Buffer {
  const table = Array.from({ length: VOCAB * 4 }, (_, i) => i / 10);
  return Buffer.from(
    new GraphBuilder()
      .addInput('input_ids', 'INT64', ['batch_size', 'sequence_length'])
      .addInput('attention_mask', 'INT64', ['batch_size', 'sequence_length'])
      .addInitializer('emb', 'FP32', [VOCAB, 4], table)
      .addNode('Gather', ['emb', 'input_ids'], ['last_hidden_state'], { axis: 0 })
      .addOutput('last_hidden_state', 'FP32', ['batch_size', 'sequence_length', 4])
      .toBytes(),
  );
}

const tokenizer = () =>
  json({
    version: '1.0',
    model: {
      type: 'BPE',
      vocab: Object.fromEntries(
        ['<|endoftext|>', 'a', 'b', 'c', 'd', 'e', 'f', 'g'].map((t, i) => [t, i]),
      ),
      merges: [],
    },
  });

/** A GPT-2-style decoder bundle at the archive root, its weights in onnx/model.onnx_data. */
export function decoderBundle(): FixtureFile[] {
  const { graph, data } = decoderGraph({ externalData: 'model.onnx_data' });
  return [
    {
      path: 'config.json',
      bytes: json({
        model_type: 'gpt2',
        n_positions: 64,
        n_ctx: 64,
        vocab_size: VOCAB,
        n_layer: 1,
        n_head: 2,
        n_embd: 8,
      }),
    },
    { path: 'tokenizer.json', bytes: tokenizer() },
    {
      path: 'tokenizer_config.json',
      bytes: json({
        eos_token: '<|endoftext|>',
        chat_template: '{% for m in messages %}{{ m.content }}{% endfor %}',
      }),
    },
    { path: 'generation_config.json', bytes: json({ eos_token_id: 0, bos_token_id: 0 }) },
    { path: 'onnx/model.onnx', bytes: graph },
    { path: 'onnx/model.onnx_data', bytes: data as Buffer },
  ];
}

/** A BERT-style encoder bundle with sentence-transformers pooling. */
export function encoderBundle(): FixtureFile[] {
  return [
    {
      path: 'config.json',
      bytes: json({
        model_type: 'bert',
        max_position_embeddings: 32,
        vocab_size: VOCAB,
        num_hidden_layers: 1,
        hidden_size: 4,
      }),
    },
    { path: 'tokenizer.json', bytes: tokenizer() },
    { path: 'tokenizer_config.json', bytes: json({ unk_token: 'a' }) },
    {
      path: '1_Pooling/config.json',
      bytes: json({ pooling_mode_mean_tokens: true, word_embedding_dimension: 4 }),
    },
    { path: 'model.onnx', bytes: encoderGraph() },
  ];
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The manifest a bundle of these files must get, computed here from the bytes. */
export function manifestOf(files: FixtureFile[]) {
  return files
    .map((f) => ({ path: f.path, sizeBytes: f.bytes.length, sha256: sha256(f.bytes) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** A tar of entries: files (with bytes) or any other header (links, devices, odd names). */
export async function tarOf(
  entries: (FixtureFile | (Partial<Header> & Pick<Header, 'name'> & { bytes?: Buffer }))[],
): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    if ('path' in e) pack.entry({ name: e.path, size: e.bytes.length }, e.bytes);
    else pack.entry(e, e.bytes ?? Buffer.alloc(0));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const gzip = (bytes: Buffer) => gzipSync(bytes);

/** The entries of a tar, as the client sees them. */
export async function untar(bytes: Buffer): Promise<FixtureFile[]> {
  const ex = tarExtract();
  const out: FixtureFile[] = [];
  const done = (async () => {
    for await (const entry of ex) {
      const parts: Buffer[] = [];
      for await (const c of entry) parts.push(c as Buffer);
      out.push({ path: entry.header.name, bytes: Buffer.concat(parts) });
    }
  })();
  ex.end(bytes);
  await done;
  return out;
}

/** A zip of stored entries, written by hand; `mode` sets Unix mode bits (e.g. a symlink). */
export function zipOf(entries: (FixtureFile & { mode?: number })[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.path);
    const crc = crc32(e.bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.bytes.length, 18);
    local.writeUInt32LE(e.bytes.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.bytes.length, 20);
    central.writeUInt32LE(e.bytes.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.bytes);
    centrals.push(central, name);
    offset += local.length + name.length + e.bytes.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
