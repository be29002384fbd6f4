import { Readable } from 'node:stream';
import { createArtifactLoader, ModelLoadError, VersionNotFoundError } from './index';
import type { ArtifactSource } from './index';

const SHA = 'ab'.repeat(32);
const key = { id: 'v1', sha256: SHA.toUpperCase() };

/** A source holding `stored`, whose reads fail with `failure` when it is set. */
function source(stored: Record<string, Uint8Array>, failure?: Error): ArtifactSource {
  return {
    openRead: (sha256) => {
      const bytes = stored[sha256];
      if (failure || !bytes) return Promise.reject(failure ?? new Error(`no ${sha256}`));
      return Promise.resolve(
        Readable.from([Buffer.from(bytes.subarray(0, 2)), Buffer.from(bytes.subarray(2))]),
      );
    },
    stat: (sha256) => Promise.resolve(stored[sha256] ? { sizeBytes: stored[sha256].length } : null),
  };
}

describe('createArtifactLoader', () => {
  it('reads the whole stream of the artifact, by its lowercase sha256', async () => {
    const load = createArtifactLoader(source({ [SHA]: Uint8Array.from([1, 2, 3, 4, 5]) }));
    expect(Array.from((await load(key)) as Uint8Array)).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers VersionNotFoundError when the source says the artifact does not exist', async () => {
    const load = createArtifactLoader(source({}));
    await expect(load(key)).rejects.toBeInstanceOf(VersionNotFoundError);
    await expect(load(key)).rejects.toThrow(`artifact ${SHA} does not exist`);
  });

  it('answers ModelLoadError, with the cause, when an existing artifact cannot be read', async () => {
    const load = createArtifactLoader(
      source({ [SHA]: Uint8Array.from([1]) }, new Error('connection reset')),
    );
    const err = await load(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/connection reset/);
  });
});
