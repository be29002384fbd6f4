import { buildLinearModel } from '@maas/onnx';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import {
  answerOf,
  DOUBLE_CONTEXT,
  embeddingOf,
  LanguageModelDouble,
  renderPrompt,
} from './language-model-double';
import { collect, wsClient } from './ws-client';

// The API layer of the language-model endpoints, through the real HTTP and WebSocket servers and
// the official `openai` client, on a deterministic LanguageModelBackend (language-model-double.ts):
// what each endpoint answers is checked against the double's own functions.
let api: TestApi;
let client: OpenAI;
const double = new LanguageModelDouble();
const MAX_BODY = 262_144;

const sdk = (apiKey: string) =>
  new OpenAI({ apiKey, baseURL: `${api.url}/v1`, maxRetries: 0, timeout: 10_000 });

/** A model of `task` with one version (any ONNX file: the double ignores the bytes). */
async function languageModel(name: string, task: string, key = api.adminKey) {
  const created = await api.gql(
    'mutation($n: String!) { createModel(input: { name: $n }) { id } }',
    { n: name },
    key,
  );
  expect(created.errors).toBeUndefined();
  const up = await api.upload(name, buildLinearModel({ weights: [[1]], bias: [0] }), key);
  expect(up.status).toBe(201);
  await api.server.services.db.query('UPDATE models SET task = $1 WHERE id = $2', [
    task,
    created.data.createModel.id,
  ]);
  return created.data.createModel.id as string;
}

async function sse(path: string, body: object): Promise<{ status: number; events: string[] }> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((e) => e.length > 0)
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      return e.slice('data: '.length);
    });
  return { status: res.status, events };
}

beforeAll(async () => {
  api = await startTestApi(
    { MAX_OPENAI_BODY_BYTES: String(MAX_BODY), GENERATION_MAX_MESSAGES: '64' },
    { languageModels: double },
  );
  // Until the bundle migration is on main, the enum may lack the language-model tasks.
  for (const task of ['TEXT_GENERATION', 'EMBEDDING'])
    await api.server.services.db.query(`ALTER TYPE model_task ADD VALUE IF NOT EXISTS '${task}'`);
  const lmId = await languageModel('tiny-lm', 'TEXT_GENERATION');
  await languageModel('tiny-embed', 'EMBEDDING');
  await api.upload('tiny-lm', buildLinearModel({ weights: [[2]], bias: [0] }));
  const linear = await api.gql('mutation { createModel(input: { name: "linear" }) { id } }');
  expect(linear.errors).toBeUndefined();
  await api.upload('linear', buildLinearModel({ weights: [[1]], bias: [0] }));
  const alias = await api.gql(
    `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "production", version: 1) { alias } }`,
    { m: lmId },
  );
  expect(alias.errors).toBeUndefined();
  client = sdk(api.adminKey);
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('OpenAI-compatible API', () => {
  it('lists the language models, their aliases and nothing else', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['tiny-embed', 'tiny-lm', 'tiny-lm@production']);
    const one = await client.models.retrieve('tiny-lm@production');
    expect(one).toMatchObject({ id: 'tiny-lm@production', object: 'model', owned_by: 'maas' });
  });

  it('answers a chat completion with the generated text and real token counts', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hi.' }];
    const prompt = renderPrompt({ messages });
    const expected = answerOf(prompt, DOUBLE_CONTEXT - prompt.length);
    const answer = await client.chat.completions.create({ model: 'tiny-lm', messages });
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices).toHaveLength(1);
    expect(answer.choices[0]?.message).toMatchObject({ role: 'assistant', content: expected.text });
    expect(answer.choices[0]?.finish_reason).toBe(expected.finish);
    expect(answer.usage).toEqual({
      prompt_tokens: prompt.length,
      completion_tokens: [...expected.text].length,
      total_tokens: prompt.length + [...expected.text].length,
    });
    // The production alias (version 1) served, not the latest (2).
    expect(answer.system_fingerprint).toBe('tiny-lm@1');
    const pinned = await client.chat.completions.create({ model: 'tiny-lm@2', messages });
    expect(pinned.system_fingerprint).toBe('tiny-lm@2');
  });

  it('streams a chat completion in order, with include_usage, ending with [DONE]', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief' },
      { role: 'user' as const, content: 'Stream this.' },
    ];
    const prompt = renderPrompt({ messages });
    const expected = answerOf(prompt, 40);
    const stream = await client.chat.completions.create({
      model: 'tiny-lm',
      messages,
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(expected.text);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0]?.choices[0]?.finish_reason).toBe('length');
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({
      prompt_tokens: prompt.length,
      completion_tokens: 40,
      total_tokens: prompt.length + 40,
    });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    const raw = await sse('/v1/chat/completions', {
      model: 'tiny-lm',
      messages,
      max_tokens: 5,
      stream: true,
    });
    expect(raw.status).toBe(200);
    expect(raw.events[raw.events.length - 1]).toBe('[DONE]');
    expect(
      raw.events.slice(0, -1).map((e) => (JSON.parse(e) as { object: string }).object),
    ).toEqual(Array(7).fill('chat.completion.chunk'));
  });

  it('completes a prompt (default max_tokens 16), streamed and not, with stop strings', async () => {
    const prompt = 'abcdefghijklmnopqrstuvwxyz';
    const plain = await client.completions.create({ model: 'tiny-lm', prompt });
    expect(plain.object).toBe('text_completion');
    expect(plain.choices[0]?.text).toBe(answerOf(prompt, 16).text);
    expect(plain.choices[0]?.finish_reason).toBe('length');
    expect(plain.usage?.completion_tokens).toBe(16);

    const stopped = await client.completions.create({ model: 'tiny-lm', prompt, stop: ['u'] });
    expect(stopped.choices[0]).toMatchObject({ text: 'zyxwv', finish_reason: 'stop' });

    const stream = await client.completions.create({
      model: 'tiny-lm',
      prompt,
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(answerOf(prompt, 10).text);
    expect(usage).toEqual({ prompt_tokens: 26, completion_tokens: 10, total_tokens: 36 });
  });

  it('embeds strings as floats and as base64 (the client default), in input order', async () => {
    const input = ['first text', 'second, longer text'];
    const floats = await client.embeddings.create({
      model: 'tiny-embed',
      input,
      encoding_format: 'float',
    });
    const decoded = await client.embeddings.create({ model: 'tiny-embed', input });
    for (const answer of [floats, decoded]) {
      expect(answer.data.map((d) => d.index)).toEqual([0, 1]);
      answer.data.forEach((d, i) => {
        const expected = embeddingOf(input[i] ?? '');
        expect(d.embedding).toHaveLength(expected.length);
        d.embedding.forEach((x, j) =>
          expect(Math.abs(x - (expected[j] ?? NaN))).toBeLessThan(1e-6),
        );
      });
      expect(answer.usage).toEqual({ prompt_tokens: 29, total_tokens: 29 });
    }
    const one = await client.embeddings.create({ model: 'tiny-embed', input: 'x' });
    expect(one.data).toHaveLength(1);
  });

  it('answers GraphQL generate, the generation subscription and embed alike', async () => {
    const input = { model: 'tiny-lm', prompt: 'graphql prompt', maxTokens: 20 };
    const expected = answerOf(input.prompt, 20).text;
    const res = await api.gql(
      `query($i: GenerateInput!) { generate(input: $i) { id text finishReason usage { promptTokens completionTokens totalTokens } modelVersion { version } timeToFirstTokenMs latencyMs } }`,
      { i: input },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.generate).toMatchObject({
      text: expected,
      finishReason: 'length',
      usage: { promptTokens: 14, completionTokens: 20, totalTokens: 34 },
      modelVersion: { version: 1 },
    });
    const ws = wsClient(api.url, api.adminKey);
    try {
      const sub = collect<{
        generation: { index: number; text: string; finishReason: string | null; usage: unknown };
      }>(
        ws,
        `subscription($i: GenerateInput!) { generation(input: $i) { id index text finishReason usage { promptTokens completionTokens totalTokens } } }`,
        { i: input },
      );
      await sub.done;
      const chunks = sub.results.map((r) => r.generation);
      expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
      expect(chunks.map((c) => c.text).join('')).toBe(expected);
      expect(chunks.slice(0, -1).every((c) => c.finishReason === null)).toBe(true);
      expect(chunks[chunks.length - 1]).toMatchObject({
        finishReason: 'length',
        usage: { promptTokens: 14, completionTokens: 20, totalTokens: 34 },
      });
      const refused = collect(
        ws,
        `subscription { generation(input: { model: "nope", prompt: "x" }) { text } }`,
      );
      await expect(refused.done).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await ws.dispose();
    }
    const emb = await api.gql(
      `{ embed(input: { model: "tiny-embed", inputs: ["abc"] }) { vectors dimensions usage { promptTokens totalTokens } modelVersion { version } } }`,
    );
    expect(emb.errors).toBeUndefined();
    expect(emb.data.embed.dimensions).toBe(4);
    expect(emb.data.embed.usage).toEqual({ promptTokens: 3, totalTokens: 3 });
    (emb.data.embed.vectors[0] as number[]).forEach((x, j) =>
      expect(Math.abs(x - (embeddingOf('abc')[j] ?? NaN))).toBeLessThan(1e-6),
    );
  });

  it('counts the tokens in usage and in the metrics', async () => {
    const before = await api.server.services.usageMeter.flush().then(() => usageTotals());
    await client.completions.create({ model: 'tiny-lm', prompt: 'count me', max_tokens: 7 });
    await api.server.services.usageMeter.flush();
    const after = await usageTotals();
    expect(after.promptTokens - before.promptTokens).toBe(8);
    expect(after.completionTokens - before.completionTokens).toBe(7);
    const metrics = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminKey}` } })
    ).text();
    expect(metrics).toMatch(/^maas_generation_time_to_first_token_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^maas_generation_inter_token_latency_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^maas_tokens_total\{[^}]*kind="completion"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^maas_generation_batch_sequences\{[^}]*state="running"[^}]*\} 0/m);
  });

  it('answers refusals in OpenAI’s error shape', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const unauth = await sdk('maas_wrong_key_0123456789')
      .chat.completions.create({ model: 'tiny-lm', messages })
      .catch((e: unknown) => e);
    expect(unauth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauth).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      type: 'invalid_request_error',
    });
    const noKey = await fetch(`${api.url}/v1/models`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_api_key',
    );
    // The upload route under /v1/models keeps the maas shape.
    const upload = await fetch(`${api.url}/v1/models/tiny-lm/versions`, { method: 'POST' });
    expect(upload.status).toBe(401);
    expect(await upload.json()).toMatchObject({ code: 'UNAUTHENTICATED' });

    for (const model of ['missing', 'tiny-lm@9', 'tiny-lm@canary', 'linear']) {
      const err = await client.chat.completions
        .create({ model, messages })
        .catch((e: unknown) => e);
      expect(err, model).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    }
    const wrongTask = await client.embeddings
      .create({ model: 'tiny-lm', input: 'x' })
      .catch((e: unknown) => e);
    expect(wrongTask).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'model' });

    const long = await client.chat.completions
      .create({ model: 'tiny-lm', messages: [{ role: 'user', content: 'y'.repeat(300) }] })
      .catch((e: unknown) => e);
    expect(long).toBeInstanceOf(OpenAI.BadRequestError);
    expect(long).toMatchObject({ status: 400, code: 'context_length_exceeded' });

    const bad: [Record<string, unknown>, string][] = [
      [{ n: 2 }, 'n'],
      [{ temperature: 5 }, 'temperature'],
      [{ top_p: 0 }, 'top_p'],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
      [{ logprobs: true }, 'logprobs'],
      [{ tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools'],
      [{ max_tokens: 0 }, 'max_tokens'],
      [{ max_tokens: 'many' }, 'max_tokens'],
      [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    ];
    for (const [params, param] of bad) {
      const err = await client.chat.completions
        .create({ model: 'tiny-lm', messages, ...params } as never)
        .catch((e: unknown) => e);
      expect(err, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err, param).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    }
    const tokenIds = await client.embeddings
      .create({ model: 'tiny-embed', input: [[1, 2, 3]] })
      .catch((e: unknown) => e);
    expect(tokenIds).toMatchObject({ status: 400, param: 'input' });
  });

  it('refuses over the daily token quota with 429 insufficient_quota, and QUOTA_EXCEEDED in GraphQL', async () => {
    const ws = await api.gql('mutation { createWorkspace(name: "llm-team") { id } }');
    const team = ws.data.createWorkspace.id as string;
    const key = await api.createKey('EDITOR', team);
    await languageModel('team-lm', 'TEXT_GENERATION', key);
    const q = await api.gql(
      'mutation($w: ID!) { setWorkspaceQuota(workspaceId: $w, quota: { maxTokensPerDay: 5 }) { id } }',
      { w: team },
    );
    expect(q.errors).toBeUndefined();
    const teamClient = sdk(key);
    // Checked before generating: the first request may run past the quota, the next is refused.
    const first = await teamClient.completions.create({
      model: 'team-lm',
      prompt: 'quota',
      max_tokens: 8,
    });
    expect(first.usage?.completion_tokens).toBe(8);
    const refused = await teamClient.completions
      .create({ model: 'team-lm', prompt: 'quota' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({
      status: 429,
      code: 'insufficient_quota',
      type: 'insufficient_quota',
    });
    const gql = await api.gql(
      `{ generate(input: { model: "team-lm", prompt: "q" }) { text } }`,
      {},
      key,
    );
    expect(gql.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');

    // Over the key's request rate: 429 rate_limit_exceeded with Retry-After, before the body.
    const rate = await api.gql(
      'mutation($w: ID!) { setWorkspaceQuota(workspaceId: $w, quota: { requestsPerSecond: 1 }) { id } }',
      { w: team },
    );
    expect(rate.errors).toBeUndefined();
    const statuses: Response[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push(
        await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }),
      );
    const limited = statuses.find((r) => r.status === 429);
    expect(limited, 'a request over the rate is refused').toBeDefined();
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited?.json()).toMatchObject({
      error: { type: 'requests', code: 'rate_limit_exceeded' },
    });
  });

  it('aborts the generation of a client that disconnects mid-stream, freeing its slot', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'tiny-lm', messages: [{ role: 'user', content: 'a slow answer' }], stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    // The client ends the iteration quietly (or throws an abort error) once aborted.
    await (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) received += 1;
        if (received === 3) {
          expect(double.active).toBe(1);
          controller.abort();
        }
      }
    })().catch((e: unknown) => expect(String(e)).toMatch(/abort/i));
    const deadline = Date.now() + 2000;
    while (double.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(double.active).toBe(0);
    // Far fewer than the ~200 tokens the whole answer would have taken.
    expect(received).toBeLessThan(10);
  });

  it('frees the slot of a GraphQL subscriber that unsubscribes', async () => {
    const ws = wsClient(api.url, api.adminKey);
    try {
      let seen = 0;
      const sub = collect(
        ws,
        `subscription { generation(input: { model: "tiny-lm", prompt: "slow subscriber", maxTokens: 200 }) { text } }`,
        {},
        () => {
          seen += 1;
        },
      );
      while (seen < 2) await new Promise((r) => setTimeout(r, 10));
      expect(double.active).toBe(1);
      sub.stop();
      const deadline = Date.now() + 2000;
      while (double.active > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(double.active).toBe(0);
    } finally {
      await ws.dispose();
    }
  });

  it('refuses huge bodies, huge max_tokens and thousands of messages, then still serves', async () => {
    const huge = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tiny-lm',
        messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY) }],
      }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(
      /MAX_OPENAI_BODY_BYTES/,
    );
    const maxTokens = await client.completions
      .create({ model: 'tiny-lm', prompt: 'x', max_tokens: 1_000_000_000 })
      .catch((e: unknown) => e);
    expect(maxTokens).toMatchObject({ status: 400, param: 'max_tokens' });
    const many = await client.chat.completions
      .create({
        model: 'tiny-lm',
        messages: Array.from({ length: 5000 }, () => ({ role: 'user' as const, content: '' })),
      })
      .catch((e: unknown) => e);
    expect(many).toMatchObject({ status: 400, param: 'messages' });
    const notJson = await fetch(`${api.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const still = await client.completions.create({
      model: 'tiny-lm',
      prompt: 'ok.',
      max_tokens: 3,
    });
    expect(still.choices[0]?.text).toBe('.ko');
  });
});

async function usageTotals(): Promise<{ promptTokens: number; completionTokens: number }> {
  const res = await api.gql(
    `query($from: DateTime!, $to: DateTime!) { usage(from: $from, to: $to, granularity: DAY) { promptTokens completionTokens } }`,
    {
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    },
  );
  expect(res.errors).toBeUndefined();
  const rows = res.data.usage as { promptTokens: number; completionTokens: number }[];
  return rows.reduce(
    (t, r) => ({
      promptTokens: t.promptTokens + r.promptTokens,
      completionTokens: t.completionTokens + r.completionTokens,
    }),
    { promptTokens: 0, completionTokens: 0 },
  );
}
