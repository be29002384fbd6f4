import { once } from 'node:events';
import { Readable } from 'node:stream';
import type { ArtifactStore, BundleFileRecord } from '@maas/db';
import { pack as tarPack } from 'tar-stream';

/**
 * A bundle version as a tar stream of its files (by path, as in the manifest), each read from the
 * store in turn as the client takes the bytes. The first file is opened before this returns, so a
 * busy store (`ArtifactDownloadsBusyError`) fails the request before any byte is sent.
 */
export async function openBundleTar(
  store: ArtifactStore,
  files: readonly BundleFileRecord[],
  mtime: Date,
): Promise<Readable> {
  const pack = tarPack();
  let next: Readable | undefined =
    files[0] !== undefined
      ? await store.openRead(files[0].sha256, { purpose: 'download' })
      : undefined;
  const fill = async () => {
    for (let i = 0; i < files.length; i++) {
      const file = files[i] as BundleFileRecord;
      const source = next ?? (await store.openRead(file.sha256, { purpose: 'download' }));
      next = undefined;
      let written!: Promise<void>;
      const entry = await new Promise<ReturnType<typeof pack.entry>>((made) => {
        written = new Promise<void>((resolve, reject) => {
          made(
            pack.entry({ name: file.path, size: file.sizeBytes, mode: 0o644, mtime }, (err) =>
              err ? reject(err) : resolve(),
            ),
          );
        });
      });
      try {
        for await (const chunk of source) {
          if (!entry.write(chunk as Buffer)) await once(entry, 'drain');
        }
      } catch (err) {
        source.destroy();
        throw err;
      }
      entry.end(Buffer.alloc(0));
      await written;
    }
    pack.finalize();
  };
  fill().catch((err: unknown) => {
    next?.destroy();
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return Readable.from(pack);
}
