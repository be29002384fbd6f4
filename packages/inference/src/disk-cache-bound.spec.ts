import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ArtifactSource } from './artifact-source';
import { createDiskArtifactCache } from './disk-artifact-cache';
import { createDiskCacheBound, keepLoadedFilesFresh } from './disk-cache-bound';
import { createRemoteBundles } from './remote-bundles';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maas-disk-bound-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `bytes` bytes at `path` and dates it `age` hours back. */
async function entry(path: string, bytes: number, age: number): Promise<void> {
  await writeFile(path, Buffer.alloc(bytes, 1));
  await utimes(path, hoursAgo(age), hoursAgo(age));
}
const artifact = (n: number) => join(dir, `${String(n).repeat(64).slice(0, 64)}.onnx`);

describe('createDiskCacheBound', () => {
  it('removes the least recently used artifact files until the folder is within its budget', async () => {
    await entry(artifact(1), 100, 3);
    await entry(artifact(2), 100, 2);
    await entry(artifact(3), 100, 1);
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 250 });
    expect(await bound.trim()).toEqual([artifact(1)]);
    expect(existsSync(artifact(1))).toBe(false);
    expect(existsSync(artifact(2)) && existsSync(artifact(3))).toBe(true);
    // Within budget now: nothing more goes.
    expect(await bound.trim()).toEqual([]);
  });

  it('counts a touch as a use, whatever the file date says', async () => {
    await entry(artifact(1), 100, 3);
    await entry(artifact(2), 100, 2);
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 150, graceMs: 0 });
    bound.touch(artifact(1));
    expect(await bound.trim()).toEqual([artifact(2)]);
    expect(existsSync(artifact(1))).toBe(true);
    // The use is dated on disk too, for a restart or another process on the folder.
    await vi.waitFor(async () =>
      expect((await stat(artifact(1))).mtimeMs).toBeGreaterThan(Date.now() - 60_000),
    );
  });

  it('keeps what was used within the grace period even over the budget', async () => {
    await entry(artifact(1), 100, 3);
    await entry(artifact(2), 100, 0);
    await entry(artifact(3), 100, 0);
    const logged: string[] = [];
    const logger = {
      info: (_: object, message: string) => void logged.push(message),
      warn: () => undefined,
      error: () => undefined,
    };
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 100, logger });
    expect(await bound.trim()).toEqual([artifact(1)]);
    expect(existsSync(artifact(2)) && existsSync(artifact(3))).toBe(true);
    expect(logged).toEqual([
      'disk cache over its budget; what is left was used within the grace period',
    ]);
  });

  it('counts bundle folders with everything below them, and leaves alone what is not an entry', async () => {
    const bundles = join(dir, 'bundles');
    const old = join(bundles, 'a'.repeat(64));
    const recent = join(bundles, 'b'.repeat(64));
    const partial = join(bundles, `${'c'.repeat(64)}.partial-0123456789ab`);
    for (const folder of [join(old, 'onnx'), recent, partial])
      await mkdir(folder, { recursive: true });
    await entry(join(old, 'onnx', 'model.onnx'), 120, 5);
    await entry(join(old, 'config.json'), 30, 5);
    await utimes(old, hoursAgo(5), hoursAgo(5));
    await entry(join(recent, 'model.onnx'), 100, 1);
    await utimes(recent, hoursAgo(1), hoursAgo(1));
    await entry(join(partial, 'model.onnx'), 500, 1);
    await utimes(partial, hoursAgo(1), hoursAgo(1));
    // Not artifacts: a download in progress and a stray file.
    await entry(join(dir, `.${'d'.repeat(64)}.x.part`), 500, 1);
    await entry(join(dir, 'notes.txt'), 500, 9);
    await entry(artifact(1), 100, 2);

    const bound = createDiskCacheBound({ artifactDir: dir, bundlesDir: bundles, maxBytes: 150 });
    // 150 (old bundle) + 100 (recent bundle) + 100 (artifact) = 350 over 150: the old bundle goes,
    // then the artifact (2 h) before the recent bundle (1 h).
    expect(await bound.trim()).toEqual([old, artifact(1)]);
    expect((await readdir(bundles)).sort()).toEqual(
      [recent, partial].map((p) => p.slice(bundles.length + 1)).sort(),
    );
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(existsSync(join(dir, `.${'d'.repeat(64)}.x.part`))).toBe(true);
  });

  it('removes what a crash left once it is 6 hours old: temporary files, half-written or half-removed folders', async () => {
    const bundles = join(dir, 'bundles');
    const stale = [
      join(dir, `.${'d'.repeat(64)}.x.part`),
      join(dir, `${'e'.repeat(64)}.onnx.partial-trash-0123456789ab`),
    ];
    const staleDirs = [
      join(bundles, `${'c'.repeat(64)}.partial-0123456789ab`),
      join(bundles, `${'f'.repeat(64)}.partial-trash-0123456789ab`),
    ];
    const fresh = join(bundles, `${'a'.repeat(64)}.partial-ba9876543210`);
    for (const folder of [...staleDirs, fresh]) await mkdir(folder, { recursive: true });
    for (const path of stale) await entry(path, 10, 7);
    for (const folder of staleDirs) {
      await entry(join(folder, 'model.onnx'), 10, 7);
      await utimes(folder, hoursAgo(7), hoursAgo(7));
    }
    await entry(join(fresh, 'model.onnx'), 10, 5);
    await utimes(fresh, hoursAgo(5), hoursAgo(5));
    const bound = createDiskCacheBound({ artifactDir: dir, bundlesDir: bundles, maxBytes: 1000 });
    expect(await bound.trim()).toEqual([]);
    for (const path of [...stale, ...staleDirs]) expect(existsSync(path), path).toBe(false);
    expect(existsSync(join(fresh, 'model.onnx'))).toBe(true);
  });

  it('keeps an entry used while a trim runs, though the scan of the trim saw it unused', async () => {
    for (let i = 1; i <= 5; i++) await entry(artifact(i), 100, 10 - i);
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 100 });
    const trimmed = bound.trim();
    // The first removal is done, the next ones are not: artifact 3 is used now.
    while (existsSync(artifact(1))) await new Promise((r) => setImmediate(r));
    bound.touch(artifact(3));
    const removed = await trimmed;
    expect(removed).not.toContain(artifact(3));
    expect(existsSync(artifact(3))).toBe(true);
    expect(removed).toContain(artifact(1));
  });

  it('runs one trim at a time: calls during one are answered by it and a second pass', async () => {
    for (let i = 1; i <= 5; i++) await entry(artifact(i), 100, 10 - i);
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 200 });
    const [first, second] = await Promise.all([bound.trim(), bound.trim()]);
    expect(first).toEqual([artifact(1), artifact(2), artifact(3)]);
    expect(second).toEqual(first);
    expect((await readdir(dir)).length).toBe(2);
  });
});

describe('the disk caches with a budget', () => {
  /** An artifact store in memory that counts its reads. */
  function memorySource(blobs: Uint8Array[]): ArtifactSource & { reads: string[] } {
    const byHash = new Map(blobs.map((b) => [sha(b), b]));
    const reads: string[] = [];
    return {
      reads,
      openRead: (sha256) => {
        reads.push(sha256);
        const blob = byHash.get(sha256);
        return blob ? Promise.resolve(blob) : Promise.reject(new Error('no such artifact'));
      },
      stat: (sha256) => {
        const blob = byHash.get(sha256);
        return Promise.resolve(blob ? { sizeBytes: blob.length } : null);
      },
    };
  }

  it('an artifact cache over its budget drops the oldest file, and fetches it again when asked', async () => {
    const blobs = [1, 2, 3].map((n) => new Uint8Array(1000).fill(n));
    const source = memorySource(blobs);
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 2500, graceMs: 0 });
    const cache = createDiskArtifactCache({ dir, source, bound });
    const load = async (key: { id: string; sha256: string }) =>
      (await cache(key)) as { path: string };
    const keys = blobs.map((b, i) => ({ id: `v${i}`, sha256: sha(b) }));
    const paths: string[] = [];
    for (const key of keys) {
      paths.push((await load(key)).path);
      // Distinct use times, oldest first.
      await new Promise((r) => setTimeout(r, 5));
    }
    await bound.trim();
    expect(existsSync(paths[0]!)).toBe(false);
    expect(existsSync(paths[1]!) && existsSync(paths[2]!)).toBe(true);

    const again = await load(keys[0]!);
    expect(new Uint8Array(await readFile(again.path))).toEqual(blobs[0]);
    expect(source.reads.filter((s) => s === keys[0]!.sha256)).toHaveLength(2);
    await bound.trim();
    // The file read again is the newest use; the one used longest ago went instead.
    expect(existsSync(paths[1]!)).toBe(false);
    expect(existsSync(again.path) && existsSync(paths[2]!)).toBe(true);
  });

  it('a bundle folder over the budget goes, and is written again at its next load', async () => {
    const files = [
      { path: 'model.onnx', bytes: new Uint8Array(800).fill(7) },
      { path: 'config.json', bytes: new TextEncoder().encode('{"model_type":"gpt2"}') },
    ];
    const other = { path: 'model.onnx', bytes: new Uint8Array(800).fill(9) };
    const source = memorySource([...files.map((f) => f.bytes), other.bytes]);
    const bundlesDir = join(dir, 'bundles');
    const bound = createDiskCacheBound({ bundlesDir, maxBytes: 1000, graceMs: 0 });
    const bundles = createRemoteBundles({ dir: bundlesDir, source, bound });
    const manifest = (list: { path: string; bytes: Uint8Array }[]) =>
      list.map((f) => ({ path: f.path, sizeBytes: f.bytes.length, sha256: sha(f.bytes) }));
    const a = { id: 'a', sha256: sha(files[0]!.bytes) };
    const b = { id: 'b', sha256: sha(other.bytes) };
    bundles.register(a, manifest(files));
    bundles.register(b, manifest([other]));

    const first = await bundles.loadBundle(a);
    await new Promise((r) => setTimeout(r, 5));
    await bundles.loadBundle(b);
    await bound.trim();
    expect(existsSync(first.dir)).toBe(false);

    const again = await bundles.loadBundle(a);
    expect(again.dir).toBe(first.dir);
    expect(new Uint8Array(await readFile(join(again.dir, 'model.onnx')))).toEqual(files[0]!.bytes);
  });
});

describe('keepLoadedFilesFresh', () => {
  it('dates the files of loaded versions as used until stopped, so a trim keeps them', async () => {
    await entry(artifact(1), 100, 5); // loaded at start, not read since
    await entry(artifact(2), 100, 3);
    const bound = createDiskCacheBound({ artifactDir: dir, maxBytes: 150 });
    const stop = keepLoadedFilesFresh({ loadedFiles: () => [artifact(1)] }, bound, 20);
    await new Promise((r) => setTimeout(r, 100));
    expect(await bound.trim()).toEqual([artifact(2)]);
    expect(existsSync(artifact(1))).toBe(true);
    stop();
    const dated = (await stat(artifact(1))).mtimeMs;
    expect(dated).toBeGreaterThan(Date.now() - 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect((await stat(artifact(1))).mtimeMs).toBe(dated);
  });
});
