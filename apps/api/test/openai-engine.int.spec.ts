import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { tarBundle, writeTinyBertBundle, writeTinyGpt2Bundle } from '@maas/testing';
import {
  disposeOracles,
  oracleEmbed,
  oracleGenerate,
  oracleTokenizer,
} from '@maas/testing/llm-oracle';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelWithBundle, startTestApi, type TestApi } from './api-harness';
import { collect, wsClient } from './ws-client';

// The OpenAI routes and GraphQL on the real generation engine, with the tiny GPT-2 and BERT
// bundles of @maas/testing uploaded as tars; the oracle is transformers.js on the same files.
let api: TestApi;
let client: OpenAI;
let dir: string;
let tokenizer: PreTrainedTokenizer;

/** transformers.js' greedy continuation (special tokens left out of the text). */
async function oracleText(
  prompt: Parameters<typeof oracleGenerate>[1],
  maxNewTokens: number,
): Promise<string> {
  return (await oracleGenerate(join(dir, 'tiny-gpt2'), prompt, maxNewTokens)).text;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maas-openai-engine-'));
  writeTinyGpt2Bundle(join(dir, 'tiny-gpt2'));
  writeTinyBertBundle(join(dir, 'tiny-bert'));
  tokenizer = await oracleTokenizer(join(dir, 'tiny-gpt2'));
  api = await startTestApi();
  await createModelWithBundle(api, 'gpt', await tarBundle(join(dir, 'tiny-gpt2')));
  await createModelWithBundle(api, 'bert', await tarBundle(join(dir, 'tiny-bert')));
  client = new OpenAI({ apiKey: api.adminKey, baseURL: `${api.url}/v1`, maxRetries: 0 });
}, 180_000);

afterAll(async () => {
  await disposeOracles();
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('OpenAI-compatible API on the generation engine', () => {
  it('lists the uploaded bundles', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['bert', 'gpt']);
  });

  it('completes greedily as transformers.js does, streamed, not streamed and in GraphQL', async () => {
    const prompt = 'The quick brown fox';
    const expected = await oracleText(prompt, 12);
    expect(expected.length).toBeGreaterThan(0);
    const plain = await client.completions.create({
      model: 'gpt',
      prompt,
      max_tokens: 12,
      temperature: 0,
    });
    expect(plain.choices[0]?.text).toBe(expected);
    const stream = await client.completions.create({
      model: 'gpt',
      prompt,
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(expected);
    expect(usage?.prompt_tokens).toBe(tokenizer(prompt).input_ids.dims[1]);
    const gql = await api.gql(
      `{ generate(input: { model: "gpt", prompt: "The quick brown fox", maxTokens: 12, temperature: 0 }) { text usage { completionTokens } } }`,
    );
    expect(gql.errors).toBeUndefined();
    expect(gql.data.generate.text).toBe(expected);
    const ws = wsClient(api.url, api.adminKey);
    try {
      const sub = collect<{ generation: { text: string } }>(
        ws,
        `subscription { generation(input: { model: "gpt", prompt: "The quick brown fox", maxTokens: 12, temperature: 0 }) { text finishReason } }`,
      );
      await sub.done;
      expect(sub.results.map((r) => r.generation.text).join('')).toBe(expected);
    } finally {
      await ws.dispose();
    }
  });

  it('renders chat with the bundle template and answers as transformers.js does', async () => {
    const messages = [{ role: 'user' as const, content: 'Hello there' }];
    const expected = await oracleText(messages, 10);
    const answer = await client.chat.completions.create({
      model: 'gpt',
      messages,
      max_tokens: 10,
      temperature: 0,
    });
    expect(answer.choices[0]?.message.content).toBe(expected);
  });

  it('refuses a prompt past the context length with context_length_exceeded', async () => {
    const err = await client.completions
      .create({ model: 'gpt', prompt: 'word '.repeat(200), max_tokens: 10 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });

  it('a client that disconnects mid-stream leaves no sequence in the batch, and the engine serves on', async () => {
    const running = async () => {
      const text = await (
        await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminKey}` } })
      ).text();
      return [
        ...text.matchAll(/^maas_generation_batch_sequences\{[^}]*state="running"[^}]*\} (\d+)/gm),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    };
    const controller = new AbortController();
    const stream = await client.completions.create(
      { model: 'gpt', prompt: 'Once upon a time', max_tokens: 100, stream: true, temperature: 0 },
      { signal: controller.signal },
    );
    let chunks = 0;
    await (async () => {
      for await (const _chunk of stream) {
        chunks += 1;
        // (The tiny model may finish before the abort lands: the API layer's own test, on a
        // slow backend, shows the abort reaching it.)
        if (chunks === 2) controller.abort();
      }
    })().catch((e: unknown) => expect(String(e)).toMatch(/abort/i));
    const deadline = Date.now() + 5000;
    while ((await running()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await running()).toBe(0);
    // The engine still serves.
    const after = await client.completions.create({ model: 'gpt', prompt: 'Hi', max_tokens: 2 });
    expect(after.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('embeds as transformers.js feature-extraction does, float and base64', async () => {
    const input = ['a first sentence', 'another one'];
    const expected = await oracleEmbed(join(dir, 'tiny-bert'), input);
    // float; base64 as the client asks by default (and decodes); base64 asked for (decoded here).
    const answers = [
      await client.embeddings.create({ model: 'bert', input, encoding_format: 'float' }),
      await client.embeddings.create({ model: 'bert', input }),
    ];
    const raw = await client.embeddings.create({ model: 'bert', input, encoding_format: 'base64' });
    for (const d of raw.data) {
      const bytes = Buffer.from(d.embedding as unknown as string, 'base64');
      d.embedding = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    }
    answers.push(raw);
    for (const answer of answers)
      answer.data.forEach((d, i) => {
        const e = expected[i] ?? [];
        expect(d.embedding).toHaveLength(e.length);
        d.embedding.forEach((x, j) => expect(Math.abs(x - (e[j] ?? NaN))).toBeLessThan(1e-5));
      });
  });
});
