export { parseInferenceWorkerEnv, type InferenceWorkerEnv } from './env';
export { createLogger } from './logger';
export { runInferenceWorker } from './inference-worker';
