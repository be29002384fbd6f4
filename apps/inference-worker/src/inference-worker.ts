import { join, resolve } from 'node:path';
import { createArtifactStore, type ArtifactStore } from '@maas/db';
import {
  DEFAULT_DISK_CACHE_BYTES,
  createDiskArtifactCache,
  createDiskCacheBound,
  keepLoadedFilesFresh,
  createInferenceEngine,
  createRemoteBundles,
  startInferenceServer,
  type ArtifactSource,
  type InferenceLogger,
} from '@maas/inference';
import type { InferenceWorkerEnv } from './env';

/** The shared artifact store (`DATABASE_URL`, `ARTIFACT_STORE_URL`), or none without a database. */
function sharedStore(env: InferenceWorkerEnv, logger: InferenceLogger): ArtifactStore | undefined {
  if (!env.DATABASE_URL) {
    logger.warn({}, 'no DATABASE_URL: serving only artifacts already in the disk cache');
    return undefined;
  }
  const store = createArtifactStore({
    databaseUrl: env.DATABASE_URL,
    artifactStoreUrl: env.ARTIFACT_STORE_URL,
  });
  logger.info(
    { storage: store.storage },
    'artifact cache misses are read from the shared artifact store',
  );
  return store;
}

/**
 * Starts engine and server from `env`; resolves with a function that stops both. Artifacts come
 * from a local disk cache by sha256, filled from `source` (default: the shared artifact store
 * when `DATABASE_URL` is set).
 */
export async function runInferenceWorker(
  env: InferenceWorkerEnv,
  logger: InferenceLogger,
  source?: ArtifactSource,
): Promise<() => Promise<void>> {
  const store = source ? undefined : sharedStore(env, logger);
  const dataDir = env.MAAS_DATA_DIR ?? join(resolve(__dirname, '..', '..', '..'), '.maas');
  const cacheDir = env.INFERENCE_ARTIFACT_DIR ?? join(dataDir, 'artifact-cache');
  const bundlesDir = join(cacheDir, 'bundles');
  // One byte budget for both: the least recently used artifact files and bundle folders go first.
  // Without a source nothing removed could be fetched again: the cache is all there is, unbounded.
  const maxBytes = env.INFERENCE_DISK_CACHE_BYTES ?? DEFAULT_DISK_CACHE_BYTES;
  const bound =
    maxBytes > 0 && (source ?? store)
      ? createDiskCacheBound({ artifactDir: cacheDir, bundlesDir, maxBytes, logger })
      : undefined;
  const loadArtifact = createDiskArtifactCache({ dir: cacheDir, source: source ?? store, bound });
  // Language models: each bundle's files, from the manifest the API sends, in one folder each.
  const bundles = createRemoteBundles({ dir: bundlesDir, source: source ?? store, bound });
  const engine = await createInferenceEngine({
    threads: env.INFERENCE_THREADS,
    intraOpThreads: env.INFERENCE_INTRA_OP_THREADS,
    executionProviders: env.ORT_EXECUTION_PROVIDERS,
    cacheBytes: env.INFERENCE_CACHE_BYTES,
    timeoutMs: env.PREDICT_TIMEOUT_MS,
    batching: env.INFERENCE_BATCHING
      ? { maxBatchSize: env.INFERENCE_MAX_BATCH_SIZE, maxDelayMs: env.INFERENCE_MAX_BATCH_DELAY_MS }
      : false,
    loadArtifact,
    loadBundle: bundles.loadBundle,
    logger,
  });
  const server = await startInferenceServer({
    port: env.INFERENCE_PORT,
    host: env.INFERENCE_HOST,
    token: env.INFERENCE_WORKER_TOKEN,
    engine,
    bundles,
    logger,
  });
  // What an earlier run left beyond the budget goes now, not at the next download.
  void bound?.trim();
  const stopFreshness = bound ? keepLoadedFilesFresh(engine, bound) : () => undefined;
  return async () => {
    stopFreshness();
    await server.close();
    await engine.close();
    await store?.close();
  };
}
