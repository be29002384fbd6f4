import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { PoolTimeouts } from '../pool-timeouts';
import type { ArtifactStore } from './artifact-store';
import type { DownloadLimits } from './download-budget';
import { PgArtifactStore } from './pg-artifact-store';
import { parseS3Url, S3ArtifactStore } from './s3-artifact-store';

/** Options of {@link createArtifactStore}. */
export interface ArtifactStoreSettings {
  /** `postgres://...` of the maas database. */
  databaseUrl: string;
  /** `ARTIFACT_STORE_URL`: unset or empty for PostgreSQL large objects, `s3://bucket/prefix` for S3. */
  artifactStoreUrl?: string;
  /**
   * S3 client settings. By default the SDK reads the usual AWS_* variables (AWS_REGION,
   * AWS_ACCESS_KEY_ID, ..., AWS_ENDPOINT_URL); with an endpoint set (MinIO, Ceph) path-style
   * addressing is used.
   */
  s3?: S3ClientConfig;
  /** Connections for uploads and bookkeeping. */
  poolSize?: number;
  /** Connections the service's own large-object reads (model loads) use. */
  readPoolSize?: number;
  /** Downloads to outside clients: their own budget (and, for large objects, pool) and deadlines. */
  downloads?: DownloadLimits;
  /** Statement, idle-in-transaction and connect timeouts of the store's pools. */
  timeouts?: PoolTimeouts;
}

/** The artifact store `ARTIFACT_STORE_URL` asks for: large objects by default, else S3. */
export function createArtifactStore(settings: ArtifactStoreSettings): ArtifactStore {
  const storeUrl = settings.artifactStoreUrl?.trim();
  if (!storeUrl) {
    return new PgArtifactStore({
      url: settings.databaseUrl,
      poolSize: settings.poolSize,
      readPoolSize: settings.readPoolSize,
      downloads: settings.downloads,
      timeouts: settings.timeouts,
    });
  }
  const location = parseS3Url(storeUrl);
  const endpoint =
    settings.s3?.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  return new S3ArtifactStore({
    url: settings.databaseUrl,
    location,
    poolSize: settings.poolSize,
    downloads: settings.downloads,
    timeouts: settings.timeouts,
    s3: {
      region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      ...settings.s3,
    },
  });
}
