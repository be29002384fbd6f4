import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openArtifact } from './artifact-source';
import type { ArtifactSource } from './artifact-source';
import { ModelLoadError, VersionNotFoundError } from './inference.errors';
import type { ArtifactLoader } from './inference-engine';
import type { DiskCacheBound } from './disk-cache-bound';

export interface DiskArtifactCacheOptions {
  /** Folder holding `<sha256>.onnx` files. */
  dir: string;
  /** Where to get what the folder lacks; without it, only files already there can be served. */
  source?: ArtifactSource;
  /** The folder's byte budget: told of every hit, trimmed after every new file. */
  bound?: DiskCacheBound;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A loader backed by a local folder of artifacts named by sha256: a hit is served from disk; a
 * miss is streamed from `source` into a temporary file while hashing, checked, then renamed into
 * place (so a half-written file is never served). The engine hashes what it loads again.
 */
export function createDiskArtifactCache(options: DiskArtifactCacheOptions): ArtifactLoader {
  const inflight = new Map<string, Promise<{ path: string }>>();
  const fileFor = (sha256: string) => join(options.dir, `${sha256}.onnx`);

  const download = async (sha256: string): Promise<{ path: string }> => {
    const target = fileFor(sha256);
    if (await exists(target)) {
      options.bound?.touch(target);
      return { path: target };
    }
    if (!options.source)
      throw new VersionNotFoundError(`artifact ${sha256} is not in ${options.dir}`);
    await mkdir(options.dir, { recursive: true });
    const temp = join(options.dir, `.${sha256}.${randomUUID()}.part`);
    const hash = createHash('sha256');
    try {
      const opened = await openArtifact(options.source, sha256);
      const stream = opened instanceof Uint8Array ? Readable.from([opened]) : opened;
      stream.on('data', (chunk: Buffer) => hash.update(chunk));
      await pipeline(stream, createWriteStream(temp));
      const actual = hash.digest('hex');
      if (actual !== sha256)
        throw new ModelLoadError(`artifact ${sha256} arrived with sha256 ${actual}`);
      await rename(temp, target);
      options.bound?.touch(target);
      void options.bound?.trim();
      return { path: target };
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  };

  return (key) => {
    const sha256 = key.sha256.toLowerCase();
    if (!SHA256_HEX.test(sha256))
      return Promise.reject(new ModelLoadError(`invalid sha256 '${key.sha256}'`));
    let pending = inflight.get(sha256);
    if (!pending) {
      pending = download(sha256).finally(() => inflight.delete(sha256));
      inflight.set(sha256, pending);
    }
    return pending;
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
