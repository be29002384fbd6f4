import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { listVersionFiles, type ArtifactStore } from '@maas/db';
import type { BundleLoader } from '@maas/inference';
import type { DataSource } from 'typeorm';

/**
 * The engine's `loadBundle`: writes a bundle version's files from the artifact store into a
 * directory of this process (once per version; concurrent loads share the write), in the
 * Hugging Face layout the engine reads. `close()` removes the directories.
 */
export async function createBundleLoader(
  db: DataSource,
  store: ArtifactStore,
): Promise<{ loadBundle: BundleLoader; close(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'maas-bundles-'));
  const loading = new Map<string, Promise<{ dir: string }>>();

  const write = async (versionId: string): Promise<{ dir: string }> => {
    const dir = join(root, versionId);
    if (
      await stat(dir).then(
        () => true,
        () => false,
      )
    )
      return { dir };
    const files = await listVersionFiles(db.manager, versionId);
    if (files.length === 0) throw new Error(`version ${versionId} is not a bundle`);
    const partial = await mkdtemp(join(root, `.${versionId}-`));
    try {
      for (const file of files) {
        const target = resolve(partial, file.path);
        // Paths were checked at upload; a path out of the directory is never written.
        if (!target.startsWith(partial + sep)) throw new Error(`unsafe bundle path ${file.path}`);
        await mkdir(dirname(target), { recursive: true });
        await pipeline(await store.openRead(file.sha256), createWriteStream(target));
      }
      await rename(partial, dir);
    } catch (err) {
      await rm(partial, { recursive: true, force: true });
      throw err;
    }
    return { dir };
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
