// Language models behind deployments and over plain HTTP GraphQL, on the real generation engine:
// a canary deployment's serving stats count exactly the tokens the calls reported, and a client
// that drops its connection in the middle of a GraphQL `generate` frees its place in the batch.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarBundle, writeTinyGpt2Bundle } from '@maas/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

let api: TestApi;
let dir: string;
const versionIds: string[] = [];

async function uploadVersion(name: string, tar: Buffer): Promise<string> {
  const res = await fetch(`${api.url}/v1/models/${name}/versions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/x-tar' },
    body: tar,
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

/** The /metrics samples of `name` whose labels include `labels`, summed. */
async function metric(name: string, labels: string): Promise<number> {
  const text = await (
    await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminKey}` } })
  ).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}

const running = () => metric('maas_generation_batch_sequences', 'state="running"');

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maas-lm-serving-'));
  writeTinyGpt2Bundle(join(dir, 'tiny-gpt2'));
  // A long context, for a generation that runs for a few seconds.
  writeTinyGpt2Bundle(join(dir, 'long-gpt2'), { contextLength: 4096 });
  api = await startTestApi();
  for (const name of ['gpt', 'long'])
    expect(
      (
        await api.gql('mutation($n: String!) { createModel(input: { name: $n }) { id } }', {
          n: name,
        })
      ).errors,
    ).toBeUndefined();
  const tar = await tarBundle(join(dir, 'tiny-gpt2'));
  // Two versions (the same files): a canary routes between them.
  versionIds.push(await uploadVersion('gpt', tar), await uploadVersion('gpt', tar));
  await uploadVersion('long', await tarBundle(join(dir, 'long-gpt2')));
}, 180_000);

afterAll(async () => {
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a language model behind a canary deployment', () => {
  it('counts in deploymentStats exactly the tokens the calls reported, per version, with tokens/s and time to first token', async () => {
    const modelId = (await api.gql(`{ model(name: "gpt") { id } }`)).data.model.id as string;
    const created = await api.gql(
      `mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { name } }`,
      {
        input: {
          name: 'chat',
          modelId,
          routes: [
            { versionId: versionIds[0], weight: 50 },
            { versionId: versionIds[1], weight: 50 },
          ],
        },
      },
    );
    expect(created.errors).toBeUndefined();

    // version number → tokens the answers reported
    const expected = new Map<string, { requests: number; prompt: number; completion: number }>();
    const count = (version: string, prompt: number, completion: number) => {
      const e = expected.get(version) ?? { requests: 0, prompt: 0, completion: 0 };
      expected.set(version, {
        requests: e.requests + 1,
        prompt: e.prompt + prompt,
        completion: e.completion + completion,
      });
    };
    const prompts = ['The quick brown fox', 'Hello', 'Once upon a time there was', 'a b c d'];
    for (let i = 0; i < 16; i++) {
      const res = await api.gql(
        `query($p: String!, $n: Int!) { generate(input: { model: "chat", prompt: $p, maxTokens: $n, temperature: 0 }) { usage { promptTokens completionTokens totalTokens } modelVersion { version } } }`,
        { p: prompts[i % prompts.length], n: 3 + (i % 5) },
      );
      expect(res.errors).toBeUndefined();
      const { usage, modelVersion } = res.data.generate;
      expect(usage.completionTokens).toBeGreaterThan(0);
      count(String(modelVersion.version), usage.promptTokens, usage.completionTokens);
    }
    // The OpenAI route, streamed, counts too (its fingerprint names the version).
    const client = new OpenAI({ apiKey: api.adminKey, baseURL: `${api.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 4; i++) {
      const stream = await client.completions.create({
        model: 'chat',
        prompt: prompts[i] ?? 'x',
        max_tokens: 6,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      });
      let fingerprint = '';
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        fingerprint = chunk.system_fingerprint ?? fingerprint;
        usage = chunk.usage ?? usage;
      }
      if (!usage) throw new Error('no usage chunk');
      count(fingerprint.split('@')[1] ?? '?', usage.prompt_tokens, usage.completion_tokens);
    }
    // The canary took traffic on both versions (50/50 of 20 requests).
    expect([...expected.keys()].sort()).toEqual(['1', '2']);

    const query = `{ deploymentStats(name: "chat", windowSeconds: 300) { requests errors promptTokens completionTokens tokensPerSecond timeToFirstTokenP50Ms timeToFirstTokenP99Ms byVersion } }`;
    // Every replica flushes its counts every couple of seconds.
    let stats: any;
    expect(
      await waitFor(async () => {
        stats = (await api.gql(query)).data?.deploymentStats;
        return stats?.requests === 20;
      }, 10_000),
    ).toBe(true);
    const sum = (f: 'prompt' | 'completion') =>
      [...expected.values()].reduce((n, e) => n + e[f], 0);
    expect(stats.errors).toBe(0);
    expect(stats.promptTokens).toBe(sum('prompt'));
    expect(stats.completionTokens).toBe(sum('completion'));
    expect(stats.tokensPerSecond).toBeCloseTo(sum('completion') / 300, 9);
    expect(stats.timeToFirstTokenP50Ms).toBeGreaterThan(0);
    expect(stats.timeToFirstTokenP99Ms).toBeGreaterThanOrEqual(stats.timeToFirstTokenP50Ms);
    for (const [version, e] of expected) {
      const v = stats.byVersion[version];
      expect(v).toMatchObject({
        requests: e.requests,
        errors: 0,
        promptTokens: e.prompt,
        completionTokens: e.completion,
      });
      expect(v.tokensPerSecond).toBeCloseTo(e.completion / 300, 9);
      expect(v.timeToFirstTokenP50Ms).toBeGreaterThan(0);
      expect(v.timeToFirstTokenP99Ms).toBeGreaterThanOrEqual(v.timeToFirstTokenP50Ms);
    }
  });
});

describe('GraphQL generate over HTTP', () => {
  it('frees the sequence within a decode step when the client drops its connection, and serves on', async () => {
    const abortedBefore = await metric('maas_generations_total', 'status="aborted"');
    const body = JSON.stringify({
      query: `{ generate(input: { model: "long", prompt: "Once upon a time", maxTokens: 4000, temperature: 0 }) { text } }`,
    });
    const url = new URL(`${api.url}/graphql`);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: '/graphql',
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.adminKey}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', () => undefined);
    req.end(body);
    // It is in the batch (decoding), with thousands of tokens to go.
    expect(await waitFor(async () => (await running()) === 1, 30_000)).toBe(true);
    const droppedAt = performance.now();
    req.destroy();
    expect(await waitFor(async () => (await running()) === 0, 2000)).toBe(true);
    const freedMs = performance.now() - droppedAt;
    expect(answered).toBe(false);
    // Cut short by the client (not finished): counted as aborted.
    expect(
      await waitFor(
        async () =>
          (await metric('maas_generations_total', 'status="aborted"')) === abortedBefore + 1,
        2000,
      ),
    ).toBe(true);
    expect(freedMs).toBeLessThan(2000);
    // The engine serves the next request.
    const after = await api.gql(
      `{ generate(input: { model: "long", prompt: "Hi", maxTokens: 3, temperature: 0 }) { usage { completionTokens } } }`,
    );
    expect(after.errors).toBeUndefined();
    expect(after.data.generate.usage.completionTokens).toBeGreaterThan(0);
  });
});
