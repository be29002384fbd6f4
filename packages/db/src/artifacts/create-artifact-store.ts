import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { ArtifactStore } from './artifact-store';
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
  /** Connections for large-object downloads. */
  readPoolSize?: number;
}

/** The artifact store `ARTIFACT_STORE_URL` asks for: large objects by default, else S3. */
export function createArtifactStore(settings: ArtifactStoreSettings): ArtifactStore {
  const storeUrl = settings.artifactStoreUrl?.trim();
  if (!storeUrl) {
    return new PgArtifactStore({
      url: settings.databaseUrl,
      poolSize: settings.poolSize,
      readPoolSize: settings.readPoolSize,
    });
  }
  const location = parseS3Url(storeUrl);
  const endpoint =
    settings.s3?.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  return new S3ArtifactStore({
    url: settings.databaseUrl,
    location,
    poolSize: settings.poolSize,
    s3: {
      region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      ...settings.s3,
    },
  });
}
