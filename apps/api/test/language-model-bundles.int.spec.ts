// The project's language-model fixtures (@maas/testing: a tiny GPT-2 with GPT-2's real tokenizer,
// a tiny BERT) uploaded as bundles, as a user would upload an Optimum export: the API reads the
// task and the config the fixtures were built with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tarBundle, tinyBertBundle, tinyGpt2Bundle, writeBundle } from '@maas/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { manifestOf } from './bundle-fixtures';

let api: TestApi;
let dir: string;

beforeAll(async () => {
  api = await startTestApi();
  dir = mkdtempSync(path.join(tmpdir(), 'maas-lm-bundles-'));
}, 60_000);

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function uploadBundle(name: string, files: Map<string, Uint8Array>, gzip: boolean) {
  const created = await api.gql(
    `mutation($n: String!) { createModel(input: { name: $n }) { id } }`,
    { n: name },
  );
  expect(created.errors).toBeUndefined();
  const body = await tarBundle(writeBundle(path.join(dir, name), files), { gzip, topFolder: name });
  const res = await fetch(`${api.url}/v1/models/${name}/versions`, {
    method: 'POST',
    headers: {
      'content-type': gzip ? 'application/gzip' : 'application/x-tar',
      authorization: `Bearer ${api.adminKey}`,
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const LM_FIELDS = `task latestVersion { files { path sizeBytes sha256 } languageModel {
  architecture contextLength vocabularySize layers keyValueHeads headSize hasChatTemplate embeddingDimensions } }`;

describe('the @maas/testing language-model bundles', () => {
  it('the tiny GPT-2 is a TEXT_GENERATION model with its config and files', async () => {
    const gpt2 = tinyGpt2Bundle();
    const res = await uploadBundle('tiny-gpt2', gpt2.files, true);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const expected = manifestOf(
      [...gpt2.files].map(([p, bytes]) => ({ path: p, bytes: Buffer.from(bytes) })),
    );
    const q = await api.gql(`{ model(name: "tiny-gpt2") { ${LM_FIELDS} } }`);
    expect(q.errors).toBeUndefined();
    expect(q.data.model.task).toBe('TEXT_GENERATION');
    expect(q.data.model.latestVersion.files).toEqual(expected);
    expect(q.data.model.latestVersion.languageModel).toEqual({
      architecture: 'gpt2',
      contextLength: gpt2.contextLength,
      vocabularySize: gpt2.vocabSize,
      layers: gpt2.layers,
      keyValueHeads: gpt2.heads,
      headSize: gpt2.headDim,
      hasChatTemplate: true,
      embeddingDimensions: null,
    });
  });

  it('the tiny BERT is an EMBEDDING model of its hidden width', async () => {
    const bert = tinyBertBundle();
    const res = await uploadBundle('tiny-bert', bert.files, false);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const q = await api.gql(`{ model(name: "tiny-bert") { ${LM_FIELDS} } }`);
    expect(q.data.model.task).toBe('EMBEDDING');
    expect(q.data.model.latestVersion.languageModel).toMatchObject({
      architecture: 'bert',
      contextLength: bert.contextLength,
      vocabularySize: bert.vocabSize,
      embeddingDimensions: bert.hidden,
      keyValueHeads: null,
    });
  });
});
