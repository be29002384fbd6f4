// An inference worker's bundle directories: the API sends a bundle version's manifest with each
// generation or embedding request, and the worker writes the files from the shared artifact
// store into a local directory named by the manifest's digest, the first time it is needed
// (as its disk cache does for single-file models).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactSource } from './artifact-source';
import type { BundleLoader } from './generation/generation.types';
import { isSafeBundlePath, materializeBundle } from './generation/materialize-bundle';
import type { BundleFileRef } from './generation/materialize-bundle';
import { InferenceInputError, ModelLoadError, VersionNotFoundError } from './inference.errors';
import type { VersionKey } from './tensor.types';
import type { DiskCacheBound } from './disk-cache-bound';

/** Most files a manifest sent to a worker may list. */
export const MAX_REMOTE_BUNDLE_FILES = 4096;
/** Versions whose manifests a worker remembers (a bound, not an LRU: a request re-sends it). */
const MAX_REMEMBERED = 10_000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A manifest as received: checked, each entry copied into a plain BundleFileRef. */
export function parseBundleManifest(value: unknown): BundleFileRef[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new InferenceInputError('"bundle" must be a non-empty list of {path, sizeBytes, sha256}');
  if (value.length > MAX_REMOTE_BUNDLE_FILES)
    throw new InferenceInputError(
      `"bundle" lists ${value.length} files, more than ${MAX_REMOTE_BUNDLE_FILES}`,
    );
  return value.map((entry: unknown, i) => {
    const { path, sizeBytes, sha256 } = (entry ?? {}) as Record<string, unknown>;
    if (typeof path !== 'string' || !isSafeBundlePath(path))
      throw new InferenceInputError(`bundle[${i}].path must be a relative path inside the bundle`);
    if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes < 0)
      throw new InferenceInputError(`bundle[${i}].sizeBytes must be a whole number ≥ 0`);
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256.toLowerCase()))
      throw new InferenceInputError(`bundle[${i}].sha256 must be 64 hexadecimal digits`);
    return { path, sizeBytes, sha256: sha256.toLowerCase() };
  });
}

/** The digest naming a manifest's directory: its entries by path, with sizes and hashes. */
function manifestDigest(files: readonly BundleFileRef[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    hash.update(`${f.path}\0${f.sizeBytes}\0${f.sha256}\n`);
  return hash.digest('hex');
}

/** See {@link createRemoteBundles}. */
export interface RemoteBundles {
  /** The engine's `loadBundle`: the directory of the manifest last registered for the version. */
  loadBundle: BundleLoader;
  /** Remembers the manifest a request sent for `key` (before the engine loads it). */
  register(key: VersionKey, files: readonly BundleFileRef[]): void;
}

/**
 * Bundle directories under `dir`, each written once from `source` by sha256 (every file checked
 * against its manifest entry) and reused while it exists. Without a source, only directories
 * already there can be served.
 */
export function createRemoteBundles(options: {
  dir: string;
  source?: ArtifactSource;
  /** The folder's byte budget: told of every use of a bundle folder, trimmed after each write. */
  bound?: DiskCacheBound;
}): RemoteBundles {
  const manifests = new Map<string, { files: readonly BundleFileRef[]; dir: string }>();
  const writing = new Map<string, Promise<{ dir: string }>>();
  return {
    register(key, files) {
      if (manifests.size >= MAX_REMEMBERED && !manifests.has(key.id)) manifests.clear();
      manifests.set(key.id, { files, dir: join(options.dir, manifestDigest(files)) });
    },
    loadBundle(key) {
      const known = manifests.get(key.id);
      if (!known)
        return Promise.reject(
          new ModelLoadError(`no bundle manifest was sent for version ${key.id}`),
        );
      const { files, dir } = known;
      const source = options.source;
      if (!source) {
        if (existsSync(dir)) {
          options.bound?.touch(dir);
          return Promise.resolve({ dir });
        }
        return Promise.reject(
          new VersionNotFoundError(
            `the bundle of version ${key.id} is not in ${options.dir} and this worker has no artifact store`,
          ),
        );
      }
      let pending = writing.get(dir);
      if (!pending) {
        pending = materializeBundle(source, files, dir)
          .then((written) => {
            options.bound?.touch(dir);
            void options.bound?.trim();
            return written;
          })
          .finally(() => writing.delete(dir));
        writing.set(dir, pending);
      }
      return pending;
    },
  };
}
