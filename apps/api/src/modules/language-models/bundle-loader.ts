import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listVersionFiles, processAlive, type ArtifactStore } from '@maas/db';
import {
  createDiskCacheBound,
  keepLoadedFilesFresh,
  DEFAULT_DISK_CACHE_BYTES,
  materializeBundle,
  ModelLoadError,
  type BundleFileRef,
  type BundleLoader,
  type VersionKey,
} from '@maas/inference';
import type { DataSource } from 'typeorm';

/** Where API processes write bundles: a folder per process, `<pid>-<random>`, below this. */
export function defaultBundleScratchParent(): string {
  return join(tmpdir(), `maas-api-bundles-${process.getuid?.() ?? 'user'}`);
}

/**
 * This process's bundle folder below `parent`. The folders of API processes that died without
 * their graceful stop (killed, out of memory, the host rebooted with a persistent /tmp) are
 * removed first: their pid no longer runs. A folder whose pid now belongs to another process is
 * kept (a leak until that process ends, never a removal of a live API's files).
 */
export async function claimBundleScratchDir(parent: string): Promise<string> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  for (const name of await readdir(parent)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid))
      continue;
    await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
  return mkdtemp(join(parent, `${process.pid}-`));
}

/** Manifests remembered (versions never change their files); a bound, not an LRU. */
const MAX_MANIFESTS = 10_000;

/**
 * The engine's `loadBundle`: a bundle version's files (its manifest in model_version_files),
 * written from the artifact store by the engine's `materializeBundle` into a directory of this
 * process, once per version (concurrent loads share the write). The directories together keep
 * to the inference workers' default disk budget (DEFAULT_DISK_CACHE_BYTES): beyond it the least
 * recently loaded go, and are written again at their next load. `manifest` is that list itself,
 * what remote inference workers are sent to write the files on their side. `close()` removes
 * the directories; a process that dies without it leaves them to the next API's start on the host
 * ({@link claimBundleScratchDir}).
 */
export async function createBundleLoader(
  db: DataSource,
  store: ArtifactStore,
  scratchParent = defaultBundleScratchParent(),
): Promise<{
  loadBundle: BundleLoader;
  manifest(key: VersionKey): Promise<readonly BundleFileRef[]>;
  /** Keeps the folders of the bundles `engine` has loaded dated as used (until `close`). */
  watch(engine: { loadedFiles(): readonly string[] }): void;
  close(): Promise<void>;
}> {
  const root = await claimBundleScratchDir(scratchParent);
  const bound = createDiskCacheBound({ bundlesDir: root, maxBytes: DEFAULT_DISK_CACHE_BYTES });
  const loading = new Map<string, Promise<{ dir: string }>>();
  const manifests = new Map<string, readonly BundleFileRef[]>();
  let stopWatching = (): void => undefined;
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
    watch: (engine) => {
      stopWatching();
      stopWatching = keepLoadedFilesFresh(engine, bound);
    },
    close: () => {
      stopWatching();
      return rm(root, { recursive: true, force: true });
    },
  };
}
