// Model bundles through the real API process: tar, tar.gz and zip uploads get the manifest this
// test computes from the bytes, GraphQL reports task and languageModel, the download is a tar of
// the same files; and every unsafe or incomplete bundle is refused naming its entry, leaving no
// version and no artifact behind, while the service keeps serving.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServing, startApiProcess, type ApiProcess } from './api-process';
import {
  decoderBundle,
  decoderGraph,
  encoderBundle,
  gzip,
  manifestOf,
  tarOf,
  untar,
  zipOf,
  type FixtureFile,
} from './bundle-fixtures';

const MAX_BUNDLE_BYTES = 2 * 1_048_576;
const MAX_BUNDLE_FILES = 16;

let api: ApiProcess;
let db: pg.Client;

beforeAll(async () => {
  api = await startApiProcess({
    MAX_BUNDLE_BYTES: String(MAX_BUNDLE_BYTES),
    MAX_BUNDLE_FILES: String(MAX_BUNDLE_FILES),
  });
  db = new pg.Client({ connectionString: api.databaseUrl });
  await db.connect();
}, 90_000);

afterAll(async () => {
  await db?.end();
  await api?.stop();
});

async function createModel(name: string, task = 'OTHER'): Promise<void> {
  const res = await api.gql(
    `mutation($n: String!, $t: ModelTask!) { createModel(input: { name: $n, task: $t }) { id } }`,
    { n: name, t: task },
  );
  expect(res.errors).toBeUndefined();
}

async function send(
  model: string,
  body: Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${api.url}/v1/models/${model}/versions`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${api.adminKey}`, ...headers },
    body,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function rows(): Promise<{ versions: number; artifacts: number; files: number }> {
  const r = await db.query<{ versions: string; artifacts: string; files: string }>(
    `SELECT (SELECT count(*) FROM model_versions) AS versions, (SELECT count(*) FROM artifacts) AS artifacts,
            (SELECT count(*) FROM model_version_files) AS files`,
  );
  const row = r.rows[0] as { versions: string; artifacts: string; files: string };
  return {
    versions: Number(row.versions),
    artifacts: Number(row.artifacts),
    files: Number(row.files),
  };
}

const VERSION_FIELDS = `id version sha256 sizeBytes files { path sizeBytes sha256 }
  languageModel { architecture contextLength vocabularySize layers keyValueHeads headSize hasChatTemplate embeddingDimensions }`;

async function latest(model: string): Promise<any> {
  const res = await api.gql(
    `query($n: String!) { model(name: $n) { task latestVersion { ${VERSION_FIELDS} } } }`,
    { n: model },
  );
  expect(res.errors).toBeUndefined();
  return res.data.model;
}

const sum = (files: FixtureFile[]) => files.reduce((n, f) => n + f.bytes.length, 0);

describe('bundle uploads', () => {
  it('stores a tar bundle with its manifest, reads a TEXT_GENERATION decoder, and downloads it as a tar of the same files', async () => {
    await createModel('gpt');
    const files = decoderBundle();
    const res = await send('gpt', await tarOf(files), 'application/x-tar');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const manifest = manifestOf(files);
    expect(res.body.files).toEqual(manifest);
    expect(res.body.sizeBytes).toBe(sum(files));
    expect(res.body.sha256).toBe(manifest.find((f) => f.path === 'onnx/model.onnx')?.sha256);
    expect(res.body.signature.inputs.map((t: { name: string }) => t.name)).toEqual([
      'input_ids',
      'attention_mask',
      'past_key_values.0.key',
      'past_key_values.0.value',
    ]);

    const model = await latest('gpt');
    expect(model.task).toBe('TEXT_GENERATION');
    expect(model.latestVersion.files).toEqual(manifest);
    expect(model.latestVersion.languageModel).toEqual({
      architecture: 'gpt2',
      contextLength: 64,
      vocabularySize: 8,
      layers: 1,
      keyValueHeads: 2,
      headSize: 4,
      hasChatTemplate: true,
      embeddingDimensions: null,
    });

    const download = await fetch(`${api.url}/v1/models/gpt/versions/1/artifact`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/x-tar');
    const entries = await untar(Buffer.from(await download.arrayBuffer()));
    const byPath = (a: FixtureFile, b: FixtureFile) => (a.path < b.path ? -1 : 1);
    expect(entries.sort(byPath)).toEqual([...files].sort(byPath));
  });

  it('stores a tar.gz bundle under one top folder as an EMBEDDING encoder, paths from the bundle root', async () => {
    await createModel('bert');
    const files = encoderBundle();
    const nested = files.map((f) => ({ path: `my-bert/${f.path}`, bytes: f.bytes }));
    const res = await send('bert', gzip(await tarOf(nested)), 'application/gzip');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.files).toEqual(manifestOf(files));
    const model = await latest('bert');
    expect(model.task).toBe('EMBEDDING');
    expect(model.latestVersion.languageModel).toEqual({
      architecture: 'bert',
      contextLength: 32,
      vocabularySize: 8,
      layers: 1,
      keyValueHeads: null,
      headSize: null,
      hasChatTemplate: false,
      embeddingDimensions: 4,
    });
  });

  it('stores a zip bundle; a retry with the same Idempotency-Key returns the first version', async () => {
    await createModel('zipped');
    const files = decoderBundle();
    const body = zipOf(files);
    const first = await send('zipped', body, 'application/zip', { 'idempotency-key': 'zip-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.files).toEqual(manifestOf(files));
    const again = await send('zipped', body, 'application/zip', { 'idempotency-key': 'zip-1' });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.files).toEqual(first.body.files);
    const res = await api.gql(`{ model(name: "zipped") { versions { totalCount } } }`);
    expect(res.data.model.versions.totalCount).toBe(1);
  });

  it('a single-file version lists no files and no languageModel, and deleting a bundle version releases its artifacts', async () => {
    const sentinel = await latest('sentinel');
    expect(sentinel.latestVersion.files).toEqual([]);
    expect(sentinel.latestVersion.languageModel).toBeNull();

    await createModel('short-lived');
    const before = await rows();
    const up = await send(
      'short-lived',
      await tarOf(encoderBundle().map((f) => ({ ...f, path: `x/${f.path}` }))),
      'application/x-tar',
    );
    expect(up.status).toBe(201);
    const del = await api.gql(`mutation($id: ID!) { deleteModelVersion(id: $id) }`, {
      id: up.body.id,
    });
    expect(del.errors).toBeUndefined();
    // The encoder's files are shared with "bert" (same bytes): only the references went.
    expect(await rows()).toEqual(before);
  });
});

describe('unsafe or incomplete bundles', () => {
  const decoder = decoderBundle();
  const withEntry = async (extra: Parameters<typeof tarOf>[0][number]) =>
    tarOf([...decoder, extra]);

  const attacks: {
    name: string;
    body: () => Promise<Buffer> | Buffer;
    type: string;
    status?: number;
    message: RegExp;
  }[] = [
    {
      name: 'a ../ path',
      type: 'application/x-tar',
      body: () => withEntry({ path: '../evil', bytes: Buffer.from('x') }),
      message: /entry "\.\.\/evil" goes up a folder/,
    },
    {
      name: 'an absolute path',
      type: 'application/x-tar',
      body: () => withEntry({ path: '/abs', bytes: Buffer.from('x') }),
      message: /entry "\/abs" is an absolute path/,
    },
    {
      name: 'a symbolic link',
      type: 'application/x-tar',
      body: () => withEntry({ name: 'link', type: 'symlink', linkname: '/etc/passwd' }),
      message: /entry "link" is a symbolic link/,
    },
    {
      name: 'a hard link',
      type: 'application/x-tar',
      body: () => withEntry({ name: 'hard', type: 'link', linkname: 'config.json' }),
      message: /entry "hard" is a hard link/,
    },
    {
      name: 'a device',
      type: 'application/x-tar',
      body: () => withEntry({ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }),
      message: /entry "dev" is a character device/,
    },
    {
      name: 'too many files',
      type: 'application/x-tar',
      body: () =>
        tarOf([
          ...decoder,
          ...Array.from({ length: MAX_BUNDLE_FILES }, (_, i) => ({
            path: `extra/${i}.txt`,
            bytes: Buffer.from('x'),
          })),
        ]),
      message: /entry "extra\/\d+\.txt" is one entry too many: .*MAX_BUNDLE_FILES \(16\)/,
    },
    {
      name: 'no config.json',
      type: 'application/x-tar',
      body: () => tarOf(decoder.filter((f) => f.path !== 'config.json')),
      message: /no config\.json/,
    },
    {
      name: 'no graph',
      type: 'application/x-tar',
      body: () => tarOf(decoder.filter((f) => !f.path.startsWith('onnx/'))),
      message: /no ONNX graph: put it at onnx\/model\.onnx/,
    },
    {
      name: 'external data outside the bundle',
      type: 'application/x-tar',
      body: () =>
        tarOf([
          ...decoder.filter((f) => f.path !== 'onnx/model.onnx'),
          {
            path: 'onnx/model.onnx',
            bytes: decoderGraph({ externalData: '../../../etc/passwd' }).graph,
          },
        ]),
      message: /keeps tensor data in "\.\.\/\.\.\/\.\.\/etc\/passwd", outside the bundle/,
    },
    {
      name: 'a zip with a duplicate entry',
      type: 'application/zip',
      body: () => zipOf([...decoder, { path: 'config.json', bytes: Buffer.from('{}') }]),
      message: /entry "config\.json" appears twice/,
    },
    {
      name: 'a zip symlink',
      type: 'application/zip',
      body: () => zipOf([...decoder, { path: 'up', bytes: Buffer.from('/etc'), mode: 0o120777 }]),
      message: /entry "up" is a symbolic link/,
    },
    {
      name: 'a bad config.json field',
      type: 'application/x-tar',
      body: () =>
        tarOf([
          ...decoder.filter((f) => f.path !== 'config.json'),
          {
            path: 'config.json',
            bytes: Buffer.from(
              '{"model_type":"gpt2","n_positions":64,"vocab_size":8,"n_layer":"two","n_head":2,"n_embd":8}',
            ),
          },
        ]),
      message: /config\.json: "n_layer" must be an integer/,
    },
    {
      name: 'an archive over MAX_BUNDLE_BYTES',
      type: 'application/x-tar',
      status: 413,
      body: () => withEntry({ path: 'big.bin', bytes: Buffer.alloc(MAX_BUNDLE_BYTES + 1, 7) }),
      message: /larger than MAX_BUNDLE_BYTES \(2097152 bytes\)/,
    },
    // 32 MiB of zeros compress to 32 KiB: refused by its declared size before a byte is written…
    {
      name: 'a gzip bomb entry',
      type: 'application/gzip',
      status: 413,
      body: async () =>
        gzip(await withEntry({ path: 'zeros.bin', bytes: Buffer.alloc(32 * 1_048_576) })),
      message: /total of the bundle's files is larger than MAX_BUNDLE_BYTES/,
    },
    // …and zeros after the end of the archive are counted as they are decompressed.
    {
      name: 'a gzip bomb after the archive',
      type: 'application/gzip',
      status: 413,
      body: async () => gzip(Buffer.concat([await tarOf(decoder), Buffer.alloc(32 * 1_048_576)])),
      message: /decompressed, is larger than MAX_BUNDLE_BYTES/,
    },
  ];

  it.each(attacks)(
    'refuses $name naming it, leaving no version or artifact behind',
    async ({ name, body, type, status, message }) => {
      const model = `attack-${name.replace(/[^a-z]+/gi, '-').toLowerCase()}`
        .slice(0, 60)
        .replace(/-$/, '');
      await createModel(model);
      const before = await rows();
      const res = await send(model, await body(), type);
      expect(res.status, JSON.stringify(res.body)).toBe(status ?? 400);
      expect(res.body.code).toBe(status === 413 ? 'QUOTA_EXCEEDED' : 'BAD_USER_INPUT');
      expect(res.body.error).toMatch(message);
      expect(res.body.error).not.toMatch(/maas-bundle-|\/tmp\//);
      expect(await rows()).toEqual(before);
      await expectStillServing(api);
    },
  );

  it('refuses a TEXT_GENERATION bundle on a model of another task', async () => {
    await createModel('tabular', 'REGRESSION');
    const res = await send('tabular', await tarOf(decoder), 'application/x-tar');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(
      /has task REGRESSION, but this bundle is a TEXT_GENERATION model/,
    );
  });
});
