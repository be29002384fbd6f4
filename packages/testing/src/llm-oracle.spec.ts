// The bundles load in transformers.js, the independent implementation other tests compare with:
// its tokenizer is GPT-2's (as gpt-3-encoder encodes), its greedy generate runs on our decoder
// and is deterministic and the same as our own greedy loop over onnxruntime, and its
// feature-extraction pipeline embeds with our encoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode, encode } from 'gpt-3-encoder';
import * as ort from 'onnxruntime-node';
import { disposeOracles, oracleEmbed, oracleGenerate, oracleTokenizer } from './llm-oracle';
import { writeTinyBertBundle, writeTinyGpt2Bundle } from './index';

let root = '';
let gpt2Dir = '';
let bertDir = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'maas-oracle-'));
  gpt2Dir = path.join(root, 'tiny-gpt2');
  bertDir = path.join(root, 'tiny-bert');
  writeTinyGpt2Bundle(gpt2Dir);
  writeTinyBertBundle(bertDir);
});

afterAll(async () => {
  await disposeOracles();
  rmSync(root, { recursive: true, force: true });
});

const TEXTS = [
  'Hello, world!',
  "It's a truth universally acknowledged, that a single man in possession of a good fortune...",
  '  leading spaces, tabs\tand\nnewlines',
  'Unicode: café, naïve, 東京, emoji 🚀',
  'numbers 12345 and symbols #$%^&*()',
];

describe('the GPT-2 bundle in transformers.js', () => {
  it('tokenizes as gpt-3-encoder does and round-trips text', async () => {
    const tokenizer = await oracleTokenizer(gpt2Dir);
    for (const text of TEXTS) {
      const ids = Array.from(tokenizer.encode(text));
      expect(ids).toEqual(encode(text));
      expect(tokenizer.decode(ids)).toBe(text);
      expect(decode(ids)).toBe(text);
    }
    // The ChatML markers are single special tokens.
    expect(Array.from(tokenizer.encode('<|im_start|>user\nhi<|im_end|>'))).toEqual([
      50257,
      ...encode('user\nhi'),
      50258,
    ]);
  });

  it('generates greedily, deterministically, as a plain greedy loop over the decoder does', async () => {
    const first = await oracleGenerate(gpt2Dir, 'Once upon a time', 20);
    expect(first.promptIds).toEqual(encode('Once upon a time'));
    expect(first.tokenIds).toHaveLength(20);
    expect(await oracleGenerate(gpt2Dir, 'Once upon a time', 20)).toEqual(first);

    // Our own loop: full prefill each step, no cache, argmax of the last position.
    const session = await ort.InferenceSession.create(path.join(gpt2Dir, 'onnx', 'model.onnx'), {
      intraOpNumThreads: 1,
    });
    const ids = [...first.promptIds];
    const tensor = (values: number[]) =>
      new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
    for (let t = 0; t < 20; t++) {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: tensor(ids),
        attention_mask: tensor(ids.map(() => 1)),
        position_ids: tensor(ids.map((_, i) => i)),
      };
      for (let l = 0; l < 2; l++)
        for (const kind of ['key', 'value'])
          feeds[`past_key_values.${l}.${kind}`] = new ort.Tensor(
            'float32',
            new Float32Array(0),
            [1, 2, 0, 16],
          );
      const logits = (await session.run(feeds)).logits?.data as Float32Array;
      const last = logits.subarray((ids.length - 1) * 50259);
      let best = 0;
      for (let i = 1; i < last.length; i++) if ((last[i] ?? 0) > (last[best] ?? 0)) best = i;
      ids.push(best);
    }
    await session.release();
    expect(ids.slice(first.promptIds.length)).toEqual(first.tokenIds);
  });

  it('applies the ChatML chat template to messages', async () => {
    const out = await oracleGenerate(
      gpt2Dir,
      [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi!' },
      ],
      5,
    );
    expect(out.promptIds).toEqual([
      50257,
      ...encode('system\nYou are terse.'),
      50258,
      ...encode('\n'),
      50257,
      ...encode('user\nHi!'),
      50258,
      ...encode('\n'),
      50257,
      ...encode('assistant\n'),
    ]);
    expect(out.tokenIds.length).toBeGreaterThan(0);
  });
});

describe('the BERT bundle in transformers.js', () => {
  it('embeds with mean pooling, normalised, each text as it is alone', async () => {
    const texts = ['short', 'a somewhat longer sentence to embed'];
    const batch = await oracleEmbed(bertDir, texts);
    expect(batch).toHaveLength(2);
    for (const row of batch) {
      expect(row).toHaveLength(32);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    const alone = await oracleEmbed(bertDir, ['short']);
    alone[0]?.forEach((v, i) => expect(Math.abs(v - (batch[0]?.[i] ?? 0))).toBeLessThan(1e-5));
    expect(Math.abs((batch[0]?.[0] ?? 0) - (batch[1]?.[0] ?? 0))).toBeGreaterThan(1e-6);
    // BERT-style: every text is wrapped in [CLS] … [SEP] (ids 50257, 50258).
    const tokenizer = await oracleTokenizer(bertDir);
    expect(Array.from(tokenizer.encode('short'))).toEqual([50257, ...encode('short'), 50258]);
  });
});
