import {
  createRemoteInferenceClient,
  parseWorkerUrls,
  type BundleFileRef,
  type InferenceEngine,
  type VersionKey,
  type WorkerHealth,
} from '@maas/inference';
import type { GenerationRuntime } from '../language-models/engine-language-models';
import type { Logger } from '../../common/logger';
import type { ApiConfig } from '../../env';
import type { InferenceBackend } from './predictions.service';

/** Where this replica runs predictions: the in-process engine (default) or INFERENCE_WORKERS. */
export interface ServingBackend extends InferenceBackend {
  /** Reachability of remote workers, for /healthz; empty when inference is in-process. */
  health(): Promise<WorkerHealth[]>;
  close(): Promise<void>;
  /** Where text generation and embeddings run when not on this replica's engine. */
  generation?: GenerationRuntime;
}

/**
 * The in-process engine, or, with `INFERENCE_WORKERS` set, a client that sends each version to
 * the worker rendezvous hashing picks (failing over to the next): predictions, and text
 * generation and embeddings (each bundle version's manifest from `bundleManifest`, for the
 * worker to write its files). Throws a message saying what to set when the configuration cannot
 * work.
 */
export function createInferenceBackend(
  config: ApiConfig,
  engine: InferenceEngine,
  logger: Logger,
  bundleManifest?: (key: VersionKey) => Promise<readonly BundleFileRef[]>,
): ServingBackend {
  if (!config.INFERENCE_WORKERS?.trim()) {
    return {
      infer: (key, inputs, opts) => engine.infer(key, inputs, opts),
      status: () => engine.status(),
      servingStatus: (id) => engine.servingStatus(id),
      health: () => Promise.resolve([]),
      close: () => Promise.resolve(),
    };
  }
  const workers = parseWorkerUrls(config.INFERENCE_WORKERS);
  if (!config.INFERENCE_WORKER_TOKEN) {
    throw new Error(
      'INFERENCE_WORKERS is set but INFERENCE_WORKER_TOKEN is not: inference workers refuse calls ' +
        'without it. Set the same INFERENCE_WORKER_TOKEN on the API and on every worker.',
    );
  }
  const client = createRemoteInferenceClient({
    workers,
    token: config.INFERENCE_WORKER_TOKEN,
    timeoutMs: config.PREDICT_TIMEOUT_MS,
    bundleManifest,
    logger: logger.child({ component: 'inference-workers' }),
  });
  logger.info({ workers }, 'predictions and generation run on remote inference workers');
  return {
    infer: (key, inputs, opts) => client.infer(key, inputs, opts),
    status: () => client.status(),
    health: () => client.health(),
    close: () => client.close(),
    generation: client,
  };
}
