// The generation engine against transformers.js (the oracle): greedy tokens equal its generate's,
// also for 16 requests decoded together in one batch; seeded sampling, stop strings, EOS, length,
// cancellation, caps, the context bound; embeddings equal its feature-extraction pipeline's.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GenerationInputError,
  GenerationOverloadedError,
  createInferenceEngine,
} from '@maas/inference';
import type {
  GenerateRequest,
  GenerationResult,
  InferenceEngine,
  InferenceEngineOptions,
  VersionKey,
} from '@maas/inference';
import { writeTinyBertBundle, writeTinyGpt2Bundle } from '@maas/testing';
import { disposeOracles, oracleEmbed, oracleGenerate } from '@maas/testing/llm-oracle';

const root = mkdtempSync(join(tmpdir(), 'maas-gen-'));
const dirs: Record<string, string> = {};
const gpt2 = writeTinyGpt2Bundle((dirs.gpt2 = join(root, 'gpt2')));
writeTinyBertBundle((dirs.bert = join(root, 'bert')));
const GPT2: VersionKey = { id: 'gpt2', sha256: 'a'.repeat(64) };
const BERT: VersionKey = { id: 'bert', sha256: 'b'.repeat(64) };

const PROMPTS = [
  'Hello',
  'The quick brown fox',
  'Once upon a time, in a land far away,',
  'A',
  'Model-as-a-service means',
  'é ü 日本語',
  'One two three four five six seven eight nine ten eleven twelve',
  'Why?',
  'The capital of France is',
  'In 1999 the',
  'zzz',
  'Numbers: 1, 2, 3, 4,',
  'Dear diary, today',
  'Roses are red, violets are',
  'def main():',
  'SELECT * FROM',
];

function engineWith(options: Partial<InferenceEngineOptions> = {}): Promise<InferenceEngine> {
  return createInferenceEngine({
    isolation: 'process',
    threads: 1,
    loadBundle: (key) => {
      const dir = dirs[key.id];
      return dir ? Promise.resolve({ dir }) : Promise.reject(new Error('no such bundle'));
    },
    ...options,
  });
}

let engine: InferenceEngine;
/** The most sequences one decode step carried. */
let maxRows = 0;

beforeAll(async () => {
  engine = await engineWith({
    generation: { maxRunning: 16 },
    onGenerationStep: (_id, step) => (maxRows = Math.max(maxRows, step.rows)),
  });
});

afterAll(async () => {
  await engine.close();
  await disposeOracles();
  rmSync(root, { recursive: true, force: true });
});

async function collect(key: VersionKey, request: GenerateRequest, signal?: AbortSignal) {
  const stream = await engine.generate(key, request, { signal });
  let text = '';
  let finish: GenerationResult | undefined;
  for await (const event of stream) {
    if (event.type === 'delta') text += event.text;
    else finish = event;
  }
  if (!finish) throw new Error('no finish event');
  return { streamed: text, ...finish };
}

describe('generation engine', () => {
  it('describes the bundle from config.json and the graph', async () => {
    const info = await engine.languageModel(GPT2);
    expect(info).toMatchObject({
      task: 'text-generation',
      architecture: 'gpt2',
      contextLength: gpt2.contextLength,
      vocabSize: gpt2.vocabSize,
      layers: gpt2.layers,
      kvHeads: gpt2.heads,
      headDim: gpt2.headDim,
      hasChatTemplate: true,
      hasPositionIds: true,
    });
    expect(info.eosTokenIds).toEqual(gpt2.eosTokenIds);
    // The loaded bundle's folder is what a disk cache must keep dated as used.
    expect(engine.loadedFiles()).toContain(dirs[GPT2.id]);
  });

  it('greedy output equals transformers.js generate token for token (prompts and chat)', async () => {
    for (const prompt of PROMPTS.slice(0, 4)) {
      const want = await oracleGenerate(dirs.gpt2 as string, prompt, 12);
      const got = await collect(GPT2, { prompt, maxTokens: 12, temperature: 0 });
      expect(got.tokenIds).toEqual(want.tokenIds);
      expect(got.usage.promptTokens).toBe(want.promptIds.length);
      expect(got.streamed).toBe(got.text);
    }
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Say hi' },
    ];
    const want = await oracleGenerate(dirs.gpt2 as string, messages, 10);
    const got = await collect(GPT2, { messages, maxTokens: 10, temperature: 0 });
    expect(got.tokenIds).toEqual(want.tokenIds);
    expect(got.usage.promptTokens).toBe(want.promptIds.length);
    // The pool member decoded greedily with the graph extended by its own ArgMax (probe-model.ts),
    // a copy written beside the graph, the bundle's files left as they were.
    expect(readdirSync(join(dirs.gpt2 as string, 'onnx')).sort()).toEqual([
      '.maas-greedy-model.onnx',
      'model.onnx',
    ]);
  });

  it('16 concurrent greedy requests of different lengths each equal their solo output', async () => {
    const solo: number[][] = [];
    for (const prompt of PROMPTS)
      solo.push((await collect(GPT2, { prompt, maxTokens: 10, ignoreEos: true })).tokenIds);
    maxRows = 0;
    const together = await Promise.all(
      PROMPTS.map((prompt) => collect(GPT2, { prompt, maxTokens: 10, ignoreEos: true })),
    );
    expect(together.map((r) => r.tokenIds)).toEqual(solo);
    // They did share the decode steps.
    expect(maxRows).toBe(16);
  });

  it('joins a request to a running batch and gets the same tokens as alone', async () => {
    const alone = await collect(GPT2, {
      prompt: PROMPTS[2] as string,
      maxTokens: 8,
      ignoreEos: true,
    });
    const long = collect(GPT2, { prompt: PROMPTS[6] as string, maxTokens: 30, ignoreEos: true });
    await new Promise((r) => setTimeout(r, 20));
    const joined = await collect(GPT2, {
      prompt: PROMPTS[2] as string,
      maxTokens: 8,
      ignoreEos: true,
    });
    expect(joined.tokenIds).toEqual(alone.tokenIds);
    expect((await long).tokenIds).toHaveLength(30);
  });

  it('seeded sampling is reproducible, alone and in a batch, and differs across seeds', async () => {
    const req = (seed: number): GenerateRequest => ({
      prompt: 'Once',
      maxTokens: 16,
      temperature: 1,
      topK: 50,
      topP: 0.95,
      seed,
      ignoreEos: true,
    });
    const a = await collect(GPT2, req(7));
    const [b, c] = await Promise.all([collect(GPT2, req(7)), collect(GPT2, req(8))]);
    expect(b.tokenIds).toEqual(a.tokenIds);
    expect(c.tokenIds).not.toEqual(a.tokenIds);
    const plain = await collect(GPT2, {
      prompt: 'Once',
      maxTokens: 16,
      temperature: 1,
      seed: 3,
      ignoreEos: true,
    });
    expect(
      (
        await collect(GPT2, {
          prompt: 'Once',
          maxTokens: 16,
          temperature: 1,
          seed: 3,
          ignoreEos: true,
        })
      ).tokenIds,
    ).toEqual(plain.tokenIds);
  });

  it('ends at a stop string (before it) and at max tokens, with usage', async () => {
    const full = await collect(GPT2, { prompt: 'Hello', maxTokens: 20, ignoreEos: true });
    expect(full.finishReason).toBe('length');
    expect(full.usage).toEqual({
      promptTokens: full.usage.promptTokens,
      completionTokens: 20,
      totalTokens: full.usage.promptTokens + 20,
    });
    const text = full.text;
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
    expect(stop.length).toBe(2);
    const stopped = await collect(GPT2, {
      prompt: 'Hello',
      maxTokens: 20,
      ignoreEos: true,
      stop: [stop],
    });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped.streamed).toBe(stopped.text);
    expect(stopped.usage.completionTokens).toBeLessThan(20);
  });

  it("ends at an EOS id of generation_config.json with finish 'stop'", async () => {
    const greedy = await collect(GPT2, { prompt: 'Hello', maxTokens: 6, ignoreEos: true });
    const eos = greedy.tokenIds[2] as number;
    const first = greedy.tokenIds.indexOf(eos);
    const dir = join(root, 'gpt2-eos');
    writeTinyGpt2Bundle(dir);
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [eos] }));
    dirs['gpt2-eos'] = dir;
    const got = await collect(
      { id: 'gpt2-eos', sha256: 'c'.repeat(64) },
      { prompt: 'Hello', maxTokens: 6 },
    );
    expect(got.finishReason).toBe('stop');
    expect(got.tokenIds).toEqual(greedy.tokenIds.slice(0, first + 1));
  });

  it('refuses a prompt over the context length, and bad parameters, with codes', async () => {
    const long = 'word '.repeat(gpt2.contextLength + 10);
    await expect(engine.generate(GPT2, { prompt: long })).rejects.toMatchObject({
      code: 'context_length_exceeded',
    });
    await expect(engine.generate(GPT2, { prompt: 'x', temperature: -1 })).rejects.toBeInstanceOf(
      GenerationInputError,
    );
    await expect(engine.generate(GPT2, { prompt: 'x', maxTokens: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
      param: 'maxTokens',
    });
    await expect(engine.generate(BERT, { prompt: 'x' })).rejects.toMatchObject({
      code: 'wrong_task',
    });
    // max_tokens past the context is cut to what is left: finish `length` at the context's end.
    const near = await collect(GPT2, {
      promptTokenIds: new Array(gpt2.contextLength - 3).fill(11),
      maxTokens: 50,
      ignoreEos: true,
    });
    expect(near.usage.completionTokens).toBe(3);
    expect(near.finishReason).toBe('length');
  });
});

describe('caps and cancellation', () => {
  let small: InferenceEngine;
  beforeAll(async () => {
    small = await engineWith({ generation: { maxRunning: 1, maxQueued: 1 } });
  });
  afterAll(() => small.close());

  it('refuses a request when the batch and the queue are full, and a cancel frees the slot', async () => {
    const controller = new AbortController();
    const a = await small.generate(
      GPT2,
      { prompt: 'Hello', maxTokens: 100, ignoreEos: true },
      { signal: controller.signal },
    );
    const b = await small.generate(GPT2, { prompt: 'Why?', maxTokens: 3, ignoreEos: true });
    await expect(small.generate(GPT2, { prompt: 'x', maxTokens: 3 })).rejects.toBeInstanceOf(
      GenerationOverloadedError,
    );
    let aTokens = 0;
    const aDone = (async () => {
      for await (const event of a) {
        if (event.type === 'delta') aTokens++;
        if (aTokens === 3) controller.abort(new Error('client went away'));
      }
    })();
    await expect(aDone).rejects.toThrow('client went away');
    const atCancel = aTokens;
    let bFinish: string | undefined;
    for await (const event of b) if (event.type === 'finish') bFinish = event.finishReason;
    expect(bFinish).toBe('length');
    expect(atCancel).toBeLessThan(100);
    // The slot and the queue are free again.
    const c = await small.complete(GPT2, { prompt: 'x', maxTokens: 2, ignoreEos: true });
    expect(c.usage.completionTokens).toBe(2);
  });

  it('a consumer that stops iterating (break) frees its slot', async () => {
    const a = await small.generate(GPT2, { prompt: 'Hello', maxTokens: 100, ignoreEos: true });
    for await (const event of a) if (event.type === 'delta') break;
    const b = await small.complete(GPT2, { prompt: 'Hi', maxTokens: 2, ignoreEos: true });
    expect(b.finishReason).toBe('length');
  });
});

describe('embeddings', () => {
  it('equal the feature-extraction pipeline (mean pooling, normalised) within 1e-5', async () => {
    const texts = ['hello world', 'a much longer sentence about models as a service', 'x'];
    const want = await oracleEmbed(dirs.bert as string, texts);
    const got = await engine.embed(BERT, texts);
    expect(got.embeddings).toHaveLength(texts.length);
    got.embeddings.forEach((vector, i) => {
      const w = want[i] as number[];
      expect(vector.length).toBe(w.length);
      vector.forEach((v, j) => expect(Math.abs(v - (w[j] as number))).toBeLessThan(1e-5));
    });
    expect(got.promptTokens).toBeGreaterThan(texts.length);
    await expect(engine.embed(GPT2, ['x'])).rejects.toMatchObject({ code: 'wrong_task' });
  });
});
