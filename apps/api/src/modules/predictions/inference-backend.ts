import type { InferenceEngine } from '@maas/inference';
import type { Logger } from '../../common/logger';
import type { ApiConfig } from '../../env';
import type { InferenceBackend } from './predictions.service';

/** Where this replica runs predictions: the in-process engine (default) or INFERENCE_WORKERS. */
export interface ServingBackend extends InferenceBackend {
  /** Reachability of remote workers, for /healthz; empty when inference is in-process. */
  health(): Promise<{ url: string; ok: boolean; error?: string }[]>;
  close(): Promise<void>;
}

export function createInferenceBackend(
  config: ApiConfig,
  engine: InferenceEngine,
  _logger: Logger,
): ServingBackend {
  return {
    infer: (key, inputs, opts) => engine.infer(key, inputs, opts),
    status: () => engine.status(),
    health: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}
