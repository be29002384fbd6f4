// Writes a bundle version's files from the artifact store into a local directory, the layout
// `InferenceEngine`'s `loadBundle` hands over: each file checked against its manifest entry
// (size, sha256), written under a temporary name and renamed into place whole, so a directory
// that exists is complete.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { openArtifact } from '../artifact-source';
import type { ArtifactSource } from '../artifact-source';
import { ModelLoadError } from '../inference.errors';

/** One file of a bundle's manifest. */
export interface BundleFileRef {
  /** Relative to the bundle's root, `/`-separated (`onnx/model.onnx`). */
  path: string;
  sizeBytes: number;
  sha256: string;
}

const SEGMENT = /^[^/\\\0]+$/;

/** Whether a manifest path is a plain relative path (no absolute part, `..`, `.` or backslash). */
export function isSafeBundlePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024) return false;
  return path.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
}

/**
 * Makes `dir` hold the bundle `files` (read from `source` by sha256) and resolves with it. An
 * existing `dir` is taken as complete (it is only ever created by a rename of a finished one).
 */
export async function materializeBundle(
  source: ArtifactSource,
  files: readonly BundleFileRef[],
  dir: string,
): Promise<{ dir: string }> {
  if (existsSync(dir)) return { dir };
  const partial = `${dir}.partial-${randomBytes(6).toString('hex')}`;
  try {
    for (const file of files) {
      if (!isSafeBundlePath(file.path))
        throw new ModelLoadError(`bundle file path '${file.path.slice(0, 100)}' is not allowed`);
      const target = join(partial, ...file.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      const opened = await openArtifact(source, file.sha256.toLowerCase());
      const hash = createHash('sha256');
      let size = 0;
      await pipeline(
        opened instanceof Uint8Array ? Readable.from([opened]) : opened,
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            size += chunk.length;
            if (size > file.sizeBytes)
              return done(
                new ModelLoadError(`bundle file ${file.path} is larger than its manifest says`),
              );
            hash.update(chunk);
            done(null, chunk);
          },
        }),
        createWriteStream(target, { flags: 'wx' }),
      );
      const actual = hash.digest('hex');
      if (size !== file.sizeBytes || actual !== file.sha256.toLowerCase())
        throw new ModelLoadError(
          `bundle file ${file.path} has ${size} bytes with sha256 ${actual}, the manifest says ${file.sizeBytes} and ${file.sha256}`,
        );
    }
    await mkdir(dirname(dir), { recursive: true });
    try {
      await rename(partial, dir);
    } catch (err) {
      // Another load finished the same directory first: use that one.
      if (!existsSync(dir)) throw err;
      await rm(partial, { recursive: true, force: true });
    }
    return { dir };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}
