import {
  createRemoteInferenceClient,
  InferenceTimeoutError,
  ModelUnavailableError,
  VersionQuarantine,
  WorkerUnavailableError,
} from '@maas/inference';
import type { Logger } from '../../common/logger';
import type { ApiConfig } from '../../env';
import type { ServingBackend } from './inference-backend';
import { InferenceProcess } from './inference-process';

/**
 * `INFERENCE_ISOLATION=process`: predictions go to a supervised child inference worker over the
 * remote-worker wire. A prediction past PREDICT_TIMEOUT_MS kills the child (which ends the run),
 * the requests then in flight fail with MODEL_UNAVAILABLE (retryable) and the child restarts;
 * timeouts and crashes count towards the version's quarantine, kept here in the API process.
 */
export async function createIsolatedInferenceBackend(
  config: ApiConfig,
  logger: Logger,
): Promise<ServingBackend> {
  const quarantine = new VersionQuarantine({
    afterFailures: config.INFERENCE_QUARANTINE_AFTER,
    windowMs: config.INFERENCE_QUARANTINE_WINDOW_MS,
    durationMs: config.INFERENCE_QUARANTINE_MS,
  });
  /** Versions with a request in flight now, and how many. */
  const inFlight = new Map<string, number>();
  const blame = (cause: string) => {
    for (const id of inFlight.keys()) {
      if (quarantine.recordFailure(id, cause))
        logger.error({ versionId: id, ...quarantine.status(id) }, 'model version quarantined');
    }
  };
  const child = await InferenceProcess.start(
    config,
    logger.child({ component: 'inference-process' }),
    blame,
  );
  const client = createRemoteInferenceClient({
    workers: [child.url],
    token: child.token,
    timeoutMs: config.PREDICT_TIMEOUT_MS,
    connectTimeoutMs: 1000,
    healthIntervalMs: 1000,
    logger: logger.child({ component: 'inference-process' }),
  });
  logger.info({ url: child.url }, 'predictions run in a supervised inference process');

  return {
    async infer(key, inputs, opts) {
      const remaining = quarantine.remainingMs(key.id);
      if (remaining > 0) {
        const status = quarantine.status(key.id);
        throw new ModelUnavailableError(
          `version ${key.id} is quarantined until ${status.until?.toISOString()}: ${status.reason}`,
          'QUARANTINED',
          remaining,
        );
      }
      inFlight.set(key.id, (inFlight.get(key.id) ?? 0) + 1);
      try {
        return await client.infer(key, inputs, opts);
      } catch (err) {
        if (err instanceof InferenceTimeoutError) {
          if (
            quarantine.recordFailure(
              key.id,
              `a prediction ran past PREDICT_TIMEOUT_MS (${config.PREDICT_TIMEOUT_MS} ms)`,
            )
          )
            logger.error(
              { versionId: key.id, ...quarantine.status(key.id) },
              'model version quarantined',
            );
          // The only way to stop a native run that does not end.
          child.kill(`a prediction of version ${key.id} ran past PREDICT_TIMEOUT_MS`);
        }
        if (err instanceof WorkerUnavailableError)
          throw new ModelUnavailableError(
            `the inference process is restarting: ${err.message}`,
            'CRASHED',
            1000,
          );
        throw err;
      } finally {
        const n = (inFlight.get(key.id) ?? 1) - 1;
        if (n > 0) inFlight.set(key.id, n);
        else inFlight.delete(key.id);
      }
    },
    status: () => client.status(),
    servingStatus: (id) => quarantine.status(id),
    health: () => client.health(),
    async close() {
      await client.close();
      await child.close();
    },
  };
}
