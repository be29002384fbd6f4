import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listVersionFiles, type ArtifactStore } from '@maas/db';
import {
  createDiskCacheBound,
  DEFAULT_DISK_CACHE_BYTES,
  materializeBundle,
  ModelLoadError,
  type BundleFileRef,
  type BundleLoader,
  type VersionKey,
} from '@maas/inference';
import type { DataSource } from 'typeorm';

/** Manifests remembered (versions never change their files); a bound, not an LRU. */
const MAX_MANIFESTS = 10_000;

/**
 * The engine's `loadBundle`: a bundle version's files (its manifest in model_version_files),
 * written from the artifact store by the engine's `materializeBundle` into a directory of this
 * process, once per version (concurrent loads share the write). The directories together keep
 * to the inference workers' default disk budget (DEFAULT_DISK_CACHE_BYTES): beyond it the least
 * recently loaded go, and are written again at their next load. `manifest` is that list itself,
 * what remote inference workers are sent to write the files on their side. `close()` removes
 * the directories.
 */
export async function createBundleLoader(
  db: DataSource,
  store: ArtifactStore,
): Promise<{
  loadBundle: BundleLoader;
  manifest(key: VersionKey): Promise<readonly BundleFileRef[]>;
  close(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'maas-bundles-'));
  const bound = createDiskCacheBound({ bundlesDir: root, maxBytes: DEFAULT_DISK_CACHE_BYTES });
  const loading = new Map<string, Promise<{ dir: string }>>();
  const manifests = new Map<string, readonly BundleFileRef[]>();
  const manifest = async (key: VersionKey): Promise<readonly BundleFileRef[]> => {
    const known = manifests.get(key.id);
    if (known) return known;
    const files = await listVersionFiles(db.manager, key.id);
    if (files.length === 0) throw new ModelLoadError(`version ${key.id} is not a bundle`);
    if (manifests.size >= MAX_MANIFESTS) manifests.clear();
    manifests.set(key.id, files);
    return files;
  };
  return {
    loadBundle: (key) => {
      let pending = loading.get(key.id);
      if (!pending) {
        pending = manifest(key)
          .then((files) => materializeBundle(store, files, join(root, key.id)))
          .then((written) => {
            bound.touch(written.dir);
            void bound.trim();
            return written;
          })
          .finally(() => loading.delete(key.id));
        loading.set(key.id, pending);
      }
      return pending;
    },
    manifest,
    close: () => rm(root, { recursive: true, force: true }),
  };
}
