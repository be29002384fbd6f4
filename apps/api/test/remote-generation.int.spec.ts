// Text generation and embeddings with INFERENCE_WORKERS: a real inference worker process writes
// the bundles from the test database's artifact store and runs the generation engine; the API
// streams its tokens to the openai client, GraphQL and graphql-ws. Greedy output equals
// transformers.js' on the same files; a client that goes away frees the worker's batch slot.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '@maas/db';
import { tarBundle, writeTinyBertBundle, writeTinyGpt2Bundle } from '@maas/testing';
import { disposeOracles, oracleEmbed, oracleGenerate } from '@maas/testing/llm-oracle';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelWithBundle, startTestApi, type TestApi } from './api-harness';
import {
  startWorker,
  stopWorker,
  workerMetadata,
  WORKER_TOKEN,
  type WorkerProcess,
} from './inference-worker-process';
import { collect, wsClient } from './ws-client';

let api: TestApi;
let client: OpenAI;
let worker: WorkerProcess;
let dir: string;
let cacheDir: string;
const gptDir = () => join(dir, 'tiny-gpt2');

async function uploadBundle(name: string, bundleDir: string) {
  await createModelWithBundle(api, name, await tarBundle(bundleDir));
}

/** Sequences in the worker's decode batches, as it reports them itself. */
async function workerRunning(): Promise<number> {
  return (await workerMetadata(worker)).generation.reduce((n, g) => n + g.running, 0);
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maas-remote-lm-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'maas-remote-lm-cache-'));
  writeTinyGpt2Bundle(gptDir());
  writeTinyGpt2Bundle(join(dir, 'long-gpt2'), { contextLength: 4096 });
  writeTinyBertBundle(join(dir, 'tiny-bert'));
  const port = await getFreePort();
  api = await startTestApi({
    INFERENCE_WORKERS: `http://127.0.0.1:${port}`,
    INFERENCE_WORKER_TOKEN: WORKER_TOKEN,
  });
  worker = await startWorker(port, api.server.services.config.DATABASE_URL, cacheDir);
  await uploadBundle('gpt', gptDir());
  await uploadBundle('long', join(dir, 'long-gpt2'));
  await uploadBundle('bert', join(dir, 'tiny-bert'));
  client = new OpenAI({ apiKey: api.adminKey, baseURL: `${api.url}/v1`, maxRetries: 0 });
}, 180_000);

afterAll(async () => {
  await disposeOracles();
  if (worker) await stopWorker(worker, 'SIGKILL');
  await api?.close();
  for (const d of [dir, cacheDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('language models on a remote inference worker', () => {
  it('generates greedily as transformers.js does: completions (streamed and not), chat, GraphQL and graphql-ws', async () => {
    const prompt = 'The quick brown fox';
    const oracle = await oracleGenerate(gptDir(), prompt, 12);
    expect(oracle.text.length).toBeGreaterThan(0);

    const plain = await client.completions.create({
      model: 'gpt',
      prompt,
      max_tokens: 12,
      temperature: 0,
    });
    expect(plain.choices[0]?.text).toBe(oracle.text);
    expect(plain.usage).toMatchObject({
      prompt_tokens: oracle.promptIds.length,
      completion_tokens: oracle.tokenIds.length,
    });

    const stream = await client.completions.create({
      model: 'gpt',
      prompt,
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      pieces.push(chunk.choices[0]?.text ?? '');
      usage = chunk.usage ?? usage;
    }
    // Streamed token by token, not in one piece at the end.
    expect(pieces.filter((p) => p.length > 0).length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(oracle.text);
    expect(usage?.completion_tokens).toBe(oracle.tokenIds.length);

    const gql = await api.gql(
      `{ generate(input: { model: "gpt", prompt: "The quick brown fox", maxTokens: 12, temperature: 0 }) { text usage { promptTokens completionTokens } } }`,
    );
    expect(gql.errors).toBeUndefined();
    expect(gql.data.generate).toEqual({
      text: oracle.text,
      usage: { promptTokens: oracle.promptIds.length, completionTokens: oracle.tokenIds.length },
    });

    const ws = wsClient(api.url, api.adminKey);
    try {
      const sub = collect<{ generation: { text: string } }>(
        ws,
        `subscription { generation(input: { model: "gpt", prompt: "The quick brown fox", maxTokens: 12, temperature: 0 }) { text finishReason } }`,
      );
      await sub.done;
      expect(sub.results.map((r) => r.generation.text).join('')).toBe(oracle.text);
    } finally {
      await ws.dispose();
    }

    const messages = [{ role: 'user' as const, content: 'Hello there' }];
    const chatOracle = await oracleGenerate(gptDir(), messages, 10);
    const chat = await client.chat.completions.create({
      model: 'gpt',
      messages,
      max_tokens: 10,
      temperature: 0,
    });
    expect(chat.choices[0]?.message.content).toBe(chatOracle.text);

    // The worker ran it: it loaded the bundle, written into its own cache from the artifact store.
    expect((await workerMetadata(worker)).loaded_versions).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(cacheDir, 'bundles'))).toBe(true);
    expect(readdirSync(join(cacheDir, 'bundles')).length).toBeGreaterThanOrEqual(1);
  });

  it('embeds as transformers.js feature-extraction does, through the openai client and GraphQL', async () => {
    const input = ['a first sentence', 'another one'];
    const expected = await oracleEmbed(join(dir, 'tiny-bert'), input);
    const answer = await client.embeddings.create({ model: 'bert', input });
    const gql = await api.gql(
      `query($i: [String!]!) { embed(input: { model: "bert", inputs: $i }) { vectors dimensions usage { promptTokens } } }`,
      { i: input },
    );
    expect(gql.errors).toBeUndefined();
    expect(gql.data.embed.usage.promptTokens).toBe(answer.usage.prompt_tokens);
    for (const vectors of [answer.data.map((d) => d.embedding), gql.data.embed.vectors]) {
      expect(vectors).toHaveLength(expected.length);
      (vectors as number[][]).forEach((v, i) => {
        const e = expected[i] ?? [];
        expect(v).toHaveLength(e.length);
        v.forEach((x, j) => expect(Math.abs(x - (e[j] ?? NaN))).toBeLessThan(1e-5));
      });
    }
  });

  it('the worker refuses generate and embed calls without its token', async () => {
    for (const route of ['generate_stream', 'embed'])
      for (const authorization of [undefined, 'Bearer wrong-token']) {
        const res = await fetch(`${worker.url}/v2/models/any/${route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(authorization ? { authorization } : {}),
          },
          body: JSON.stringify({ bundle: [], request: { prompt: 'x' }, texts: ['x'] }),
        });
        expect(res.status).toBe(401);
      }
  });

  it("passes the worker's refusal on as the engine's: context_length_exceeded", async () => {
    const err = await client.completions
      .create({ model: 'gpt', prompt: 'word '.repeat(200), max_tokens: 10 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'context_length_exceeded' });
    const gql = await api.gql(
      `query($p: String!) { generate(input: { model: "gpt", prompt: $p, maxTokens: 10 }) { text } }`,
      { p: 'word '.repeat(200) },
    );
    expect(gql.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CONTEXT_LENGTH_EXCEEDED',
    });
  });

  it("a client that goes away mid-stream frees the worker's batch slot within a step, and the worker serves on", async () => {
    const controller = new AbortController();
    const stream = await client.completions.create(
      { model: 'long', prompt: 'Once upon a time', max_tokens: 4000, stream: true, temperature: 0 },
      { signal: controller.signal },
    );
    let chunks = 0;
    let runningWhileStreaming = -1;
    await (async () => {
      for await (const _chunk of stream) {
        chunks += 1;
        if (chunks === 3) {
          runningWhileStreaming = await workerRunning();
          controller.abort();
        }
      }
    })().catch((e: unknown) => expect(String(e)).toMatch(/abort/i));
    // It was decoding on the worker when the client left, with thousands of tokens to go.
    expect(runningWhileStreaming).toBe(1);
    const abortedAt = performance.now();
    expect(await waitFor(async () => (await workerRunning()) === 0, 2000)).toBe(true);
    expect(performance.now() - abortedAt).toBeLessThan(2000);
    const after = await client.completions.create({ model: 'gpt', prompt: 'Hi', max_tokens: 2 });
    expect(after.usage?.completion_tokens).toBeGreaterThan(0);
  });
});
