import { createArtifactStore, createDataSource, EventBus, type ArtifactStore } from '@maas/db';
import {
  createArtifactLoader,
  createInferenceEngine,
  type InferenceEngine,
  type InferenceEngineOptions,
} from '@maas/inference';
import { createJobQueue, type JobQueue } from '@maas/jobs';
import type { DataSource } from 'typeorm';
import type { Closers } from './common/closers';
import type { Logger } from './common/logger';
import { createMetrics, type ApiMetrics } from './common/metrics';
import { poolTimeoutsOf, type ApiConfig } from './env';
import {
  createInferenceBackend,
  type ServingBackend,
} from './modules/predictions/inference-backend';
import { createIsolatedInferenceBackend } from './modules/predictions/isolated-backend';
import type { InferenceBackend } from './modules/predictions/predictions.service';
import type { LanguageModelBackend } from './modules/language-models/language-model-backend';
import { engineLanguageModels } from './modules/language-models/engine-language-models';
import { createBundleLoader } from './modules/language-models/bundle-loader';

/** What the services are built on: connections, the engine, the queue. */
/**
 * Where the API's engine runs ONNX Runtime. `child` (default): supervised child processes, upload
 * validation included (also with `process`, whose engine only validates uploads); `thread`: in
 * worker threads of this process.
 */
export function engineIsolation(
  config: ApiConfig,
): Pick<InferenceEngineOptions, 'isolation' | 'maxProcessRssBytes'> {
  return {
    isolation: config.INFERENCE_ISOLATION === 'thread' ? 'thread' : 'process',
    maxProcessRssBytes: config.INFERENCE_PROCESS_MAX_RSS_BYTES,
  };
}

export interface Infrastructure {
  db: DataSource;
  bus: EventBus;
  store: ArtifactStore;
  metrics: ApiMetrics;
  engine: InferenceEngine;
  /** The engine, or remote inference workers (INFERENCE_WORKERS); /healthz reports on it. */
  serving: ServingBackend;
  /** Where predictions run: `serving`, unless the caller passed its own. */
  backend: InferenceBackend;
  /** Where text generation and embeddings run: the engine, unless the caller passed its own. */
  languageModels: LanguageModelBackend;
  queue: JobQueue;
}

export interface InfrastructureOptions {
  /**
   * An initialised DataSource to use instead of one made from DATABASE_URL (tests count its
   * queries); the caller closes it.
   */
  dataSource?: DataSource;
  /** An engine to use instead of a new one; closed with the server. */
  engine?: InferenceEngine;
  /** Runs predictions elsewhere (remote inference workers); default: the engine. */
  backend?: InferenceBackend;
  /** Runs generation and embeddings elsewhere; default: the engine's generation scheduler. */
  languageModels?: LanguageModelBackend;
}

/** Opens each resource in turn and registers its closer as soon as it exists. */
export async function openInfrastructure(
  config: ApiConfig,
  logger: Logger,
  closers: Closers,
  options: InfrastructureOptions = {},
): Promise<Infrastructure> {
  const timeouts = poolTimeoutsOf(config);
  const db =
    options.dataSource ??
    createDataSource(config.DATABASE_URL, {
      poolSize: config.DB_POOL_SIZE,
      applicationName: 'maas-api',
      timeouts,
    });
  if (!db.isInitialized) await db.initialize();
  if (!options.dataSource) closers.add('database', () => db.destroy());

  const bus = new EventBus({
    url: config.DATABASE_URL,
    applicationName: 'maas-api-events',
    onError: (err) => logger.warn({ err }, 'event bus'),
  });
  await bus.connect();
  closers.add('event-bus', () => bus.close());

  const store = createArtifactStore({
    databaseUrl: config.DATABASE_URL,
    artifactStoreUrl: config.ARTIFACT_STORE_URL,
    timeouts,
    // Downloads (GET .../artifact) get their own budget, apart from what model loads read through.
    downloads: {
      concurrency: config.ARTIFACT_DOWNLOAD_CONCURRENCY,
      stallTimeoutMs: config.ARTIFACT_DOWNLOAD_STALL_TIMEOUT_MS,
      maxDurationMs: config.ARTIFACT_DOWNLOAD_MAX_DURATION_MS,
    },
  });
  closers.add('artifact-store', () => store.close());

  // The gauges read the backend lazily, at scrape time.
  const metrics = createMetrics(
    () => backend.status(),
    config.METRICS_MAX_WORKSPACES,
    async () => {
      const rows = await db.query<{ status: string; n: number }[]>(
        `SELECT status, count(*)::int AS n FROM training_jobs
          WHERE status IN ('QUEUED', 'RUNNING') GROUP BY status`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    () => languageModels.occupancy?.() ?? [],
  );
  const bundles = await createBundleLoader(db, store);
  closers.add('bundle-directories', () => bundles.close());
  const engine =
    options.engine ??
    (await createInferenceEngine({
      ...engineIsolation(config),
      executionProviders: config.ORT_EXECUTION_PROVIDERS,
      logger,
      timeoutMs: config.PREDICT_TIMEOUT_MS,
      loadTimeoutMs: config.MODEL_LOAD_TIMEOUT_MS,
      quarantine: {
        afterFailures: config.INFERENCE_QUARANTINE_AFTER,
        windowMs: config.INFERENCE_QUARANTINE_WINDOW_MS,
        durationMs: config.INFERENCE_QUARANTINE_MS,
      },
      loadArtifact: createArtifactLoader(store),
      loadBundle: bundles.loadBundle,
      generation: {
        maxMessages: config.GENERATION_MAX_MESSAGES,
        maxEmbedInputs: config.EMBEDDING_MAX_INPUTS,
      },
      onBatch: (_versionId, event) => {
        metrics.batchSize.observe(event.requests);
        metrics.queueWait.observe(event.queueWaitMs / 1000);
      },
    }));
  closers.add('engine', () => engine.close());
  bundles.watch(engine);
  const serving =
    config.INFERENCE_ISOLATION === 'process' && !config.INFERENCE_WORKERS?.trim()
      ? await createIsolatedInferenceBackend(config, logger)
      : createInferenceBackend(config, engine, logger, (key) => bundles.manifest(key));
  closers.add('serving', () => serving.close());
  const backend: InferenceBackend = options.backend ?? serving;
  const languageModels: LanguageModelBackend =
    options.languageModels ?? engineLanguageModels(serving.generation ?? engine);

  // The API only enqueues (workers consume); pg-boss maintenance runs in the workers.
  const queue = createJobQueue({
    databaseUrl: config.DATABASE_URL,
    logger,
    bus,
    supervise: false,
    applicationName: 'maas-api-queue',
    timeouts,
  });
  await queue.start();
  closers.add('queue', () => queue.stop({ graceful: false }));

  return { db, bus, store, metrics, engine, serving, backend, languageModels, queue };
}
