// A byte budget for an inference worker's disk caches: the `<sha256>.onnx` files of
// createDiskArtifactCache and the bundle folders of createRemoteBundles. Without one, a worker
// keeps every artifact it ever served until its disk is full.
import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { InferenceLogger } from './logger';

export interface DiskCacheBoundOptions {
  /** The artifact cache's folder: its `*.onnx` files count (temporary `.part` files do not). */
  artifactDir?: string;
  /** The bundle cache's folder: each folder in it counts with everything below it (folders still
   * being written do not). */
  bundlesDir?: string;
  /** Most bytes the entries may hold together; the least recently used go beyond it. */
  maxBytes: number;
  /**
   * An entry used more recently than this is kept even when the budget is exceeded, so a version
   * whose files were just fetched is never removed while it loads. Default 10 minutes.
   */
  graceMs?: number;
  /**
   * What a crash left (a temporary file, a folder half written or half removed) is removed once
   * this old. Longer than any write: a folder's date does not change while one big file in it is
   * written. Default 6 hours.
   */
  leftoverAgeMs?: number;
  logger?: InferenceLogger;
  now?: () => number;
}

export interface DiskCacheBound {
  /** Marks an entry (an artifact file or a bundle folder) as used now (and dates it so on disk). */
  touch(path: string): void;
  /**
   * Removes least recently used entries until the cache is within its budget (entries in their
   * grace period stay). One trim runs at a time; a call during one runs again after it. Resolves
   * with the paths removed; never rejects (a failure is logged).
   */
  trim(): Promise<string[]>;
}

/** Default budget of an inference worker's disk caches (INFERENCE_DISK_CACHE_BYTES): 20 GiB. */
export const DEFAULT_DISK_CACHE_BYTES = 20 * 1024 ** 3;
const DEFAULT_GRACE_MS = 10 * 60_000;
const DEFAULT_LEFTOVER_AGE_MS = 6 * 3600_000;
const ARTIFACT_FILE = /^[0-9a-f]{64}\.onnx$/;
/** What a crash leaves: the artifact cache's `.<sha>.<uuid>.part` files, bundle folders still
 * being written (`<digest>.partial-<hex>`) and entries renamed to be removed (`….partial-trash-…`). */
const ARTIFACT_LEFTOVER = /^\..*\.part$/;
const BUNDLE_LEFTOVER = '.partial-';

interface Entry {
  path: string;
  bytes: number;
  usedAt: number;
}

export function createDiskCacheBound(options: DiskCacheBoundOptions): DiskCacheBound {
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const leftoverAgeMs = options.leftoverAgeMs ?? DEFAULT_LEFTOVER_AGE_MS;
  const touched = new Map<string, number>();
  let running: Promise<string[]> | undefined;
  let again = false;

  const entries = async (): Promise<Entry[]> => {
    const out: Entry[] = [];
    const add = async (path: string, bytes: Promise<number>) => {
      const info = await lstat(path);
      out.push({
        path,
        bytes: await bytes,
        usedAt: Math.max(info.mtimeMs, touched.get(path) ?? 0),
      });
    };
    if (options.artifactDir)
      for (const name of await names(options.artifactDir))
        if (ARTIFACT_FILE.test(name)) {
          const path = join(options.artifactDir, name);
          await add(
            path,
            stat(path).then((s) => s.size),
          ).catch(() => undefined);
        }
    if (options.bundlesDir)
      for (const name of await names(options.bundlesDir)) {
        // A folder still being written (materializeBundle's `<digest>.partial-…`), or being
        // removed, is not an entry.
        if (name.includes(BUNDLE_LEFTOVER)) continue;
        const path = join(options.bundlesDir, name);
        await add(path, folderBytes(path)).catch(() => undefined);
      }
    return out;
  };

  /**
   * Removes an entry so that no reader ever sees part of it: renamed first (atomic; the scan and
   * materializeBundle then no longer see it, and a bundle is written again in full at its next
   * load), removed after. A crash between the two leaves a leftover that a later trim removes.
   */
  const remove = async (path: string): Promise<void> => {
    const trash = `${path}${BUNDLE_LEFTOVER}trash-${randomBytes(6).toString('hex')}`;
    await rename(path, trash);
    await rm(trash, { recursive: true, force: true });
  };

  /** Removes what crashed writers and removals left, once it is `leftoverAgeMs` old. */
  const sweepLeftovers = async (cutoff: number): Promise<void> => {
    const found: string[] = [];
    if (options.artifactDir)
      for (const name of await names(options.artifactDir))
        if (ARTIFACT_LEFTOVER.test(name) || name.includes(BUNDLE_LEFTOVER))
          found.push(join(options.artifactDir, name));
    if (options.bundlesDir)
      for (const name of await names(options.bundlesDir))
        if (name.includes(BUNDLE_LEFTOVER)) found.push(join(options.bundlesDir, name));
    for (const path of found) {
      const info = await lstat(path).catch(() => null);
      if (info && info.mtimeMs <= cutoff)
        await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  };

  const once = async (): Promise<string[]> => {
    await sweepLeftovers(now() - leftoverAgeMs);
    const cutoff = now() - graceMs;
    const all = await entries();
    let total = all.reduce((sum, e) => sum + e.bytes, 0);
    if (total <= options.maxBytes) return [];
    const removed: string[] = [];
    for (const entry of all.sort((a, b) => a.usedAt - b.usedAt)) {
      if (total <= options.maxBytes) break;
      // Read again: an entry used while this trim runs is not the one its scan saw.
      if (Math.max(entry.usedAt, touched.get(entry.path) ?? 0) > cutoff) continue;
      try {
        await remove(entry.path);
      } catch (err) {
        // Gone already (another process on the folder), or not removable: the next entry.
        options.logger?.warn({ err, path: entry.path }, 'could not remove a disk cache entry');
        continue;
      }
      touched.delete(entry.path);
      total -= entry.bytes;
      removed.push(entry.path);
    }
    options.logger?.info(
      { removed: removed.length, bytes: total, maxBytes: options.maxBytes },
      total > options.maxBytes
        ? 'disk cache over its budget; what is left was used within the grace period'
        : 'disk cache trimmed to its budget',
    );
    return removed;
  };

  const trim = (): Promise<string[]> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      const removed: string[] = [];
      do {
        again = false;
        try {
          removed.push(...(await once()));
        } catch (err) {
          options.logger?.warn({ err }, 'could not trim the disk cache');
        }
      } while (again);
      running = undefined;
      return removed;
    })();
    return running;
  };

  return {
    touch(path) {
      const at = now();
      touched.set(path, at);
      // On disk too, so that a restart, or another process on the same folder, sees the use.
      void utimes(path, new Date(at), new Date(at)).catch(() => undefined);
    },
    trim,
  };
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** The bytes of the files below `dir` (symbolic links are not followed). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/**
 * Dates the files of every loaded version as used every `everyMs` (default: a third of
 * the grace period): a session loaded once and serving since is not read again, so without this
 * its files would look the least recently used, be the first a trim removes, and the first a
 * restart's trim removes. Returns the function that stops it.
 */
export function keepLoadedFilesFresh(
  engine: { loadedFiles(): readonly string[] },
  bound: Pick<DiskCacheBound, 'touch'>,
  everyMs = DEFAULT_GRACE_MS / 3,
): () => void {
  const refresh = () => {
    for (const path of engine.loadedFiles()) bound.touch(path);
  };
  const timer = setInterval(refresh, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
