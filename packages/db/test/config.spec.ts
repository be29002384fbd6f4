import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  artifactObjectKey,
  createArtifactStore,
  findRepoRoot,
  parseS3Url,
  PgArtifactStore,
  renderMigration,
  resolveDataDir,
  S3ArtifactStore,
  withDatabase,
} from '../src';

describe('findRepoRoot / resolveDataDir', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'maas-root-'));
    await writeFile(
      path.join(root, 'package.json'),
      JSON.stringify({ workspaces: ['packages/*'] }),
    );
    await mkdir(path.join(root, 'packages', 'db', 'dist'), { recursive: true });
    await writeFile(path.join(root, 'packages', 'db', 'package.json'), '{"name":"@maas/db"}');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('walks up to the package.json that declares workspaces', () => {
    expect(findRepoRoot(path.join(root, 'packages', 'db', 'dist'))).toBe(root);
    expect(findRepoRoot()).toBe(path.resolve(__dirname, '..', '..', '..'));
  });

  it('resolves MAAS_DATA_DIR against the repository root, default .maas', () => {
    expect(resolveDataDir(undefined, root)).toBe(path.join(root, '.maas'));
    expect(resolveDataDir('  ', root)).toBe(path.join(root, '.maas'));
    expect(resolveDataDir('var/state', root)).toBe(path.join(root, 'var', 'state'));
    expect(resolveDataDir('/srv/maas', root)).toBe('/srv/maas');
  });

  it('fails clearly outside a repository', () => {
    expect(() => findRepoRoot('/')).toThrow(/repository root/);
  });
});

describe('S3 artifact locations', () => {
  it('parses s3://bucket/prefix', () => {
    expect(parseS3Url('s3://models')).toEqual({ bucket: 'models', prefix: '' });
    expect(parseS3Url('s3://my.bucket-1/a/b/')).toEqual({ bucket: 'my.bucket-1', prefix: 'a/b' });
    expect(parseS3Url('s3://models//maas//prod')).toEqual({
      bucket: 'models',
      prefix: 'maas/prod',
    });
  });

  it.each([
    ['models', /not a URL/],
    ['http://models/x', /must start with s3:\/\//],
    ['s3://Bad_Bucket/x', /bucket name/],
    ['s3://ab', /bucket name/],
    ['s3://key:secret@models/x', /credentials/],
    ['s3://models/a/../b', /may not contain/],
    ['s3://Models/x', /bucket name/],
    ['s3://models/x?versionId=1', /only a bucket/],
  ])('refuses %s', (value, message) => {
    expect(() => parseS3Url(value)).toThrow(message);
  });

  it('lays keys out by content address under the prefix', () => {
    const sha = `ab${'0'.repeat(62)}`;
    expect(artifactObjectKey('maas/prod', sha)).toBe(`maas/prod/sha256/ab/${sha}`);
    expect(artifactObjectKey('', sha)).toBe(`sha256/ab/${sha}`);
    expect(() => artifactObjectKey('p', 'ABC')).toThrow(/Invalid sha256/);
  });

  it('picks the store from ARTIFACT_STORE_URL', async () => {
    const databaseUrl = 'postgres://u:p@127.0.0.1:1/none';
    const pgStore = createArtifactStore({ databaseUrl });
    const blank = createArtifactStore({ databaseUrl, artifactStoreUrl: ' ' });
    const s3Store = createArtifactStore({
      databaseUrl,
      artifactStoreUrl: 's3://models/maas',
      s3: { endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' },
    });
    expect(pgStore).toBeInstanceOf(PgArtifactStore);
    expect(blank).toBeInstanceOf(PgArtifactStore);
    expect(s3Store).toBeInstanceOf(S3ArtifactStore);
    expect((s3Store as S3ArtifactStore).keyOf('f'.repeat(64))).toBe(
      `maas/sha256/ff/${'f'.repeat(64)}`,
    );
    await Promise.all([pgStore.close(), blank.close(), s3Store.close()]);
    expect(() => createArtifactStore({ databaseUrl, artifactStoreUrl: 'gs://x/y' })).toThrow(
      /s3:\/\//,
    );
  });
});

describe('helpers', () => {
  it('swaps the database of a URL', () => {
    expect(
      withDatabase('postgres://u:p%40@127.0.0.1:5432/postgres?sslmode=disable', 'maas_x'),
    ).toBe('postgres://u:p%40@127.0.0.1:5432/maas_x?sslmode=disable');
  });

  it('renders migrations in house style, escaping template syntax', () => {
    const source = renderMigration('AddTags', 1700000000000, {
      up: [{ query: 'ALTER TABLE "m" ADD "t" text DEFAULT \'`${x}`\'' }],
      down: [{ query: 'ALTER TABLE "m" DROP COLUMN "t"' }],
    });
    expect(source).toContain("import type { MigrationInterface, QueryRunner } from 'typeorm';");
    expect(source).toContain('export class AddTags1700000000000 implements MigrationInterface');
    expect(source).toContain("name = 'AddTags1700000000000';");
    expect(source).toContain("DEFAULT '\\`\\${x}\\`'");
  });
});
