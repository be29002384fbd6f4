// `npm run inference-worker`: a standalone inference worker serving the Open Inference Protocol
// by version id on INFERENCE_PORT. Artifacts come from a local disk cache by sha256, filled from
// the shared artifact store (@maas/db) when DATABASE_URL is set.
import { join, resolve } from 'node:path';
import type { ArtifactStore } from '@maas/db';
import type * as MaasDb from '@maas/db';
import { createDiskArtifactCache } from './disk-artifact-cache';
import type { ArtifactFetcher } from './disk-artifact-cache';
import { createInferenceEngine } from './inference-engine';
import type { InferenceLogger } from './logger';
import { startInferenceServer } from './inference-server';
import { parseInferenceWorkerEnv } from './worker-env';
import type { InferenceWorkerEnv } from './worker-env';

/**
 * The shared artifact store (`DATABASE_URL`, `ARTIFACT_STORE_URL`) from @maas/db. Required lazily:
 * processes that only embed the engine (the API, benchmarks) never load the database layer
 * through this package.
 */
function sharedStore(env: InferenceWorkerEnv, logger: InferenceLogger): ArtifactStore | undefined {
  if (!env.DATABASE_URL) {
    logger.warn({}, 'no DATABASE_URL: serving only artifacts already in the disk cache');
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const db = require('@maas/db') as typeof MaasDb;
  const store = db.createArtifactStore({
    databaseUrl: env.DATABASE_URL,
    artifactStoreUrl: env.ARTIFACT_STORE_URL,
  });
  logger.info(
    { storage: store.storage },
    'artifact cache misses are read from the shared artifact store',
  );
  return store;
}

function consoleLogger(): InferenceLogger {
  const line = (level: string) => (obj: object, msg?: string) =>
    process.stdout.write(
      `${JSON.stringify({ level, time: Date.now(), msg, ...obj }, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`,
    );
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** Starts engine and server from the environment; resolves with a function that stops both. */
export async function runInferenceWorker(
  env: InferenceWorkerEnv = parseInferenceWorkerEnv(process.env),
  logger: InferenceLogger = consoleLogger(),
  fetchArtifact?: ArtifactFetcher,
): Promise<() => Promise<void>> {
  const store = fetchArtifact ? undefined : sharedStore(env, logger);
  const dataDir = env.MAAS_DATA_DIR ?? join(resolve(__dirname, '..', '..', '..'), '.maas');
  const loadArtifact = createDiskArtifactCache({
    dir: env.INFERENCE_ARTIFACT_DIR ?? join(dataDir, 'artifact-cache'),
    fetch: fetchArtifact ?? (store ? (sha256) => store.openRead(sha256) : undefined),
  });
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
    logger,
  });
  const server = await startInferenceServer({
    port: env.INFERENCE_PORT,
    host: env.INFERENCE_HOST,
    token: env.INFERENCE_WORKER_TOKEN,
    engine,
    logger,
  });
  return async () => {
    await server.close();
    await engine.close();
    await store?.close();
  };
}

if (require.main === module) {
  runInferenceWorker().then(
    (stop) => {
      const shutdown = () => {
        stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err: unknown) => {
      process.stderr.write(
        `inference worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
