import type { Readable } from 'node:stream';
import { ModelLoadError, VersionNotFoundError } from './inference.errors';
import type { ArtifactLoader } from './inference-engine';

/**
 * Where artifacts' bytes come from, by sha256: the shared artifact store. @maas/db's
 * `ArtifactStore` has this shape, so an app hands its store over as is; this package never
 * loads the database layer.
 */
export interface ArtifactSource {
  /** A stream (or the bytes) of the artifact. */
  openRead(sha256: string): Promise<Readable | Uint8Array>;
  /** The artifact's metadata, or `null` when there is no such artifact. */
  stat(sha256: string): Promise<{ sizeBytes: number } | null>;
}

/**
 * `source.openRead(sha256)`, with a failure classified by asking the source whether the artifact
 * exists: {@link VersionNotFoundError} (HTTP 404) when it does not, else {@link ModelLoadError}.
 * No error class or name of the source's is needed for that.
 */
export async function openArtifact(
  source: ArtifactSource,
  sha256: string,
): Promise<Readable | Uint8Array> {
  try {
    return await source.openRead(sha256);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const info = await source.stat(sha256).catch(() => undefined);
    if (info === null) throw new VersionNotFoundError(`artifact ${sha256} does not exist`);
    throw new ModelLoadError(`could not read artifact ${sha256}: ${message}`);
  }
}

/** A loader reading each artifact whole into memory from `source` (the API's default). */
export function createArtifactLoader(source: ArtifactSource): ArtifactLoader {
  return async (key) => {
    const opened = await openArtifact(source, key.sha256.toLowerCase());
    if (opened instanceof Uint8Array) return opened;
    const chunks: Buffer[] = [];
    for await (const chunk of opened) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
}
