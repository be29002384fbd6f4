// The first start's demo language models: seeded through the real API (started by the real
// platform, against its own database) into an empty database, once; the seeded deployments
// answer as transformers.js does on the same bundle files.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { getFreePort } from '@maas/db';
import {
  createTestDatabase,
  demoChatBundle,
  demoEmbeddingBundle,
  writeBundle,
  type TestDatabase,
} from '@maas/testing';
import { disposeOracles, oracleEmbed, oracleGenerate } from '@maas/testing/llm-oracle';
import { Client } from 'pg';
import { loadSupervisorConfig, startPlatform, type Platform } from '../src';
import { seedDemoOnce } from '../src/seed-demo';
import { DEMO_LANGUAGE_MODELS } from '../src/seed-language-models';
import { cleanEnv, REPO_ROOT } from './supervisor-process';

let database: TestDatabase;
let platform: Platform;
let tempRoot: string;
let apiUrl: string;
let output = '';
const adminKey = `maas_root_${randomBytes(18).toString('base64url')}`;
const logged: string[] = [];
const log = {
  info: (message: string) => logged.push(message),
  warn: (message: string) => logged.push(`warning: ${message}`),
};

const sink = () =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString('utf8');
      done();
    },
  });

async function post(route: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${apiUrl}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function gql(query: string): Promise<any> {
  const { body } = await post('/graphql', { query });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

/** Row counts of every table a seed writes. */
async function rowCounts(): Promise<Record<string, number>> {
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of [
      'models',
      'model_versions',
      'model_version_files',
      'model_aliases',
      'deployments',
      'deployment_routes',
      'artifacts',
      'datasets',
      'training_jobs',
      'audit_events',
      'idempotency_keys',
    ]) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = (rows[0] as { n: number }).n;
    }
    return counts;
  } finally {
    await db.end();
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The manifest the upload must record for these builder files. */
const manifestOf = (files: Map<string, Uint8Array>) =>
  [...files]
    .map(([file, bytes]) => ({ path: file, sizeBytes: bytes.length, sha256: sha256(bytes) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));

beforeAll(async () => {
  database = await createTestDatabase();
  tempRoot = await mkdtemp(path.join(tmpdir(), 'maas-seed-'));
  await chmod(tempRoot, 0o711);
  const port = await getFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const config = loadSupervisorConfig(
    cleanEnv({
      DATABASE_URL: database.url,
      ADMIN_API_KEY: adminKey,
      PORT: String(port),
      MAAS_DATA_DIR: path.join(tempRoot, 'data'),
      MAAS_WORKER_ENTRY: 'off',
      MAAS_CONSOLE_DIR: 'off',
      LOG_LEVEL: 'warn',
    }),
    REPO_ROOT,
  );
  platform = await startPlatform({ config, stdout: sink(), stderr: sink() });
  expect(await platform.ready, output).toBe(true);
}, 180_000);

afterAll(async () => {
  await disposeOracles();
  await platform?.stop();
  await database?.drop();
  if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
});

describe('the demo language models seeded on first start', () => {
  it('seeds the chat and embedding models on an empty database, and a second seed changes nothing', async () => {
    const options = { databaseUrl: database.url, apiUrl, adminKey, log };
    const seeded = await seedDemoOnce({ ...options, parts: ['language-models'] });
    expect(seeded, logged.join('\n')).toEqual(['language-models']);

    const data = await gql(
      `{ models(first: 10) { edges { node { name task tags aliases { alias version { version } }
           latestVersion { version source files { path sizeBytes sha256 }
             languageModel { architecture contextLength vocabularySize layers hasChatTemplate embeddingDimensions } } } } }
         deployments { name model { name } routes { weight version { version } } } }`,
    );
    const models = (data.models.edges as { node: any }[]).map((e) => e.node);
    expect(models.map((m) => m.name).sort()).toEqual(['demo-bert', 'demo-gpt2']);
    const byName = new Map(models.map((m) => [m.name as string, m]));
    const chat = demoChatBundle();
    const embedding = demoEmbeddingBundle();
    expect(byName.get('demo-gpt2')).toMatchObject({
      task: 'TEXT_GENERATION',
      tags: { demo: true },
      aliases: [{ alias: 'production', version: { version: 1 } }],
      latestVersion: {
        version: 1,
        source: 'UPLOAD',
        files: manifestOf(chat.files),
        languageModel: {
          architecture: 'gpt2',
          contextLength: chat.contextLength,
          vocabularySize: chat.vocabSize,
          layers: chat.layers,
          hasChatTemplate: true,
        },
      },
    });
    expect(byName.get('demo-bert')).toMatchObject({
      task: 'EMBEDDING',
      aliases: [{ alias: 'production', version: { version: 1 } }],
      latestVersion: {
        files: manifestOf(embedding.files),
        languageModel: { architecture: 'bert', embeddingDimensions: embedding.hidden },
      },
    });
    expect(
      [...data.deployments].sort((a: { name: string }, b: { name: string }) =>
        a.name < b.name ? -1 : 1,
      ),
    ).toEqual(
      DEMO_LANGUAGE_MODELS.map((demo) => ({
        name: demo.deployment,
        model: { name: demo.model },
        routes: [{ weight: 100, version: { version: 1 } }],
      })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    );

    // Seeded once: a second seed (every part, as `npm start` with a worker asks) claims nothing
    // and writes nothing.
    const before = await rowCounts();
    expect(before.models).toBe(2);
    expect(await seedDemoOnce(options)).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    expect(logged.filter((line) => line.startsWith('warning'))).toEqual([]);
  }, 120_000);

  it('the seeded chat deployment answers a chat completion as transformers.js does', async () => {
    const dir = writeBundle(path.join(tempRoot, 'demo-chat'), demoChatBundle().files);
    const messages = [{ role: 'user' as const, content: 'Hello, who are you?' }];
    const expected = await oracleGenerate(dir, messages, 12);
    expect(expected.text.length).toBeGreaterThan(0);
    const answer = await post('/v1/chat/completions', {
      model: 'demo-chat',
      messages,
      max_tokens: 12,
      temperature: 0,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe(expected.text);
    expect(answer.body.usage.prompt_tokens).toBe(expected.promptIds.length);
    expect(answer.body.system_fingerprint).toBe('demo-gpt2@1');

    const listed = await fetch(`${apiUrl}/v1/models`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const ids = ((await listed.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['demo-chat', 'demo-embeddings', 'demo-gpt2']));
  }, 60_000);

  it('the seeded embedding deployment embeds as transformers.js does', async () => {
    const dir = writeBundle(path.join(tempRoot, 'demo-bert'), demoEmbeddingBundle().files);
    const input = ['a first sentence', 'and another'];
    const expected = await oracleEmbed(dir, input);
    const answer = await post('/v1/embeddings', {
      model: 'demo-embeddings',
      input,
      encoding_format: 'float',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    (answer.body.data as { embedding: number[] }[]).forEach((d, i) => {
      const e = expected[i] ?? [];
      expect(d.embedding).toHaveLength(e.length);
      d.embedding.forEach((x, j) => expect(Math.abs(x - (e[j] ?? NaN))).toBeLessThan(1e-5));
    });
  }, 60_000);
});
