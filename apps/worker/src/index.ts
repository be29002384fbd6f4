export { loadConfig, type WorkerConfig } from './env';
export { createLogger, type Logger } from './logger';
export { startTrainingWorker, type TrainingWorker } from './training-worker';
