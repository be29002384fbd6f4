import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listVersionFiles, type ArtifactStore } from '@maas/db';
import { materializeBundle, type BundleLoader } from '@maas/inference';
import type { DataSource } from 'typeorm';

/**
 * The engine's `loadBundle`: a bundle version's files (its manifest in model_version_files),
 * written from the artifact store by the engine's `materializeBundle` into a directory of this
 * process, once per version (concurrent loads share the write). `close()` removes them.
 */
export async function createBundleLoader(
  db: DataSource,
  store: ArtifactStore,
): Promise<{ loadBundle: BundleLoader; close(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'maas-bundles-'));
  const loading = new Map<string, Promise<{ dir: string }>>();
  const write = async (versionId: string) => {
    const files = await listVersionFiles(db.manager, versionId);
    if (files.length === 0) throw new Error(`version ${versionId} is not a bundle`);
    return materializeBundle(store, files, join(root, versionId));
  };
  return {
    loadBundle: (key) => {
      let pending = loading.get(key.id);
      if (!pending) {
        pending = write(key.id).finally(() => loading.delete(key.id));
        loading.set(key.id, pending);
      }
      return pending;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}
