import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where the bootstrap admin key came from. */
export type AdminKeySource = 'env' | 'file' | 'generated';

/** The secret of the root API key, handed to every child as `ADMIN_API_KEY`. */
export interface AdminKey {
  secret: string;
  source: AdminKeySource;
  /** `<dataDir>/admin-key` (whether or not the key came from it). */
  file: string;
}

/** The API refuses shorter keys; so does the supervisor, before starting anything. */
const MIN_KEY_LENGTH = 16;

/** A new secret in the shape of issued keys: `maas_<uuid>_<32 random bytes, base64url>`. */
export function generateAdminKey(): string {
  return `maas_${randomUUID()}_${randomBytes(32).toString('base64url')}`;
}

/**
 * The admin key: `configured` (`ADMIN_API_KEY`) when set; else the one saved in
 * `<dataDir>/admin-key`; else, on first start, a new one written there with mode 0600 (the caller
 * prints it once). An existing but unusable file is an error, never silently replaced: clients
 * may already hold that key.
 */
export async function resolveAdminKey(options: {
  dataDir: string;
  configured: string | undefined;
}): Promise<AdminKey> {
  const file = path.join(options.dataDir, 'admin-key');
  if (options.configured !== undefined) {
    return { secret: options.configured, source: 'env', file };
  }
  let saved: string | undefined;
  try {
    saved = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Cannot read the admin key file ${file}: ${(err as Error).message}`);
    }
  }
  if (saved !== undefined) {
    if (saved.length < MIN_KEY_LENGTH || /\s/.test(saved)) {
      throw new Error(
        `The admin key file ${file} does not hold a usable key (one line, at least ` +
          `${MIN_KEY_LENGTH} characters, no spaces). Fix it, delete it to generate a new key, ` +
          'or set ADMIN_API_KEY.',
      );
    }
    return { secret: saved, source: 'file', file };
  }
  const secret = generateAdminKey();
  await mkdir(options.dataDir, { recursive: true });
  try {
    // 'wx': two supervisors racing on one data dir must not both write a key.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveAdminKey(options);
    throw new Error(`Cannot write the admin key file ${file}: ${(err as Error).message}`);
  }
  return { secret, source: 'generated', file };
}
