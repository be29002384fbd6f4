import {
  createRemoteInferenceClient,
  parseWorkerUrls,
  type InferenceEngine,
  type WorkerHealth,
} from '@maas/inference';
import type { Logger } from '../../common/logger';
import type { ApiConfig } from '../../env';
import type { InferenceBackend } from './predictions.service';

/** Where this replica runs predictions: the in-process engine (default) or INFERENCE_WORKERS. */
export interface ServingBackend extends InferenceBackend {
  /** Reachability of remote workers, for /healthz; empty when inference is in-process. */
  health(): Promise<WorkerHealth[]>;
  close(): Promise<void>;
}

/**
 * The in-process engine, or, with `INFERENCE_WORKERS` set, a client that sends each version to
 * the worker rendezvous hashing picks (failing over to the next). Throws a message saying what to
 * set when the configuration cannot work.
 */
export function createInferenceBackend(
  config: ApiConfig,
  engine: InferenceEngine,
  logger: Logger,
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
    logger: logger.child({ component: 'inference-workers' }),
  });
  logger.info({ workers }, 'predictions run on remote inference workers');
  return {
    infer: (key, inputs, opts) => client.infer(key, inputs, opts),
    status: () => client.status(),
    health: () => client.health(),
    close: () => client.close(),
  };
}
