import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateAdminKey, resolveAdminKey } from './admin-key';

const KEY_SHAPE =
  /^maas_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/;

describe('resolveAdminKey', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'maas-key-')), 'nested', '.maas');
  });
  afterEach(async () => {
    await rm(path.dirname(path.dirname(dataDir)), { recursive: true, force: true });
  });

  it('generates a key on first start, saves it with mode 0600, and reads it back afterwards', async () => {
    const first = await resolveAdminKey({ dataDir, configured: undefined });
    expect(first.source).toBe('generated');
    expect(first.secret).toMatch(KEY_SHAPE);
    expect(first.file).toBe(path.join(dataDir, 'admin-key'));
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(await readFile(first.file, 'utf8')).toBe(`${first.secret}\n`);

    const second = await resolveAdminKey({ dataDir, configured: undefined });
    expect(second).toEqual({ ...first, source: 'file' });
  });

  it('prefers ADMIN_API_KEY and writes no file', async () => {
    const key = await resolveAdminKey({ dataDir, configured: 'a-configured-admin-key' });
    expect(key).toMatchObject({ secret: 'a-configured-admin-key', source: 'env' });
    await expect(stat(key.file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a saved key that is unusable instead of replacing it', async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'admin-key'), 'short\n');
    await expect(resolveAdminKey({ dataDir, configured: undefined })).rejects.toThrow(
      /does not hold a usable key.*delete it to generate a new key/,
    );
  });

  it('generates distinct keys', () => {
    expect(generateAdminKey()).not.toBe(generateAdminKey());
  });
});
