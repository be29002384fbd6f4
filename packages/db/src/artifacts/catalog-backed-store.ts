import type { Pool } from 'pg';
import { findArtifact, listUnreferencedArtifacts } from './artifact-catalog';
import { assertSha256, type ArtifactInfo, type DeleteArtifactOptions } from './artifact-store';

/**
 * What every store reads from the `artifacts` catalog the same way, whatever holds the bytes:
 * `stat`, `exists` and the sweep of unreferenced artifacts (each removed by the store's own
 * `delete`).
 */
export abstract class CatalogBackedStore {
  protected abstract readonly pool: Pool;

  /** Removes one unreferenced artifact; false when it is referenced or absent. */
  abstract delete(sha256: string, options?: DeleteArtifactOptions): Promise<boolean>;

  async stat(sha256: string): Promise<ArtifactInfo | null> {
    assertSha256(sha256);
    const entry = await findArtifact(this.pool, sha256);
    if (!entry) return null;
    return {
      sha256: entry.sha256,
      sizeBytes: entry.sizeBytes,
      storage: entry.storage,
      refCount: entry.refCount,
    };
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async deleteUnreferenced(olderThan: Date): Promise<number> {
    let count = 0;
    for (const sha256 of await listUnreferencedArtifacts(this.pool, olderThan)) {
      if (await this.delete(sha256, { olderThan })) count++;
    }
    return count;
  }
}
