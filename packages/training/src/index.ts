export * from './errors';
export * from './dataset/dataset.types';
export * from './dataset/csv-dataset';
export * from './dataset/csv-limits';
export {
  type CsvIngestRequest,
  type CsvIngestResult,
  boundedPreviewRows,
  CsvIngestThreads,
  ingestCsvFile,
  ingestCsvFileInThread,
} from './dataset/csv-ingest';
export * from './dataset/column-codec';
export * from './dataset/seed-example';
export * from './hyperparameters';
export * from './model/model.types';
export { type RandomState, SeededRandom } from './model/random';
export {
  type ModelSpec,
  type LinearCoefficients,
  designWidth,
  writeDesign,
  linearCoefficients,
  modelInputFromDataset,
  predictWithState,
} from './model/tabular';
export {
  HIGHER_IS_BETTER_METRICS,
  LOWER_IS_BETTER_METRICS,
  MIN_PROBABILITY,
  classificationMetrics,
  metricRegression,
  regressionMetrics,
} from './model/objective';
export * from './model/permutation-importance';
export * from './training/trainer.types';
export { createTrainer } from './training/trainer';
export {
  type WarmStartJob,
  type WarmStartParent,
  type WarmStartPlan,
  resolveWarmStart,
} from './training/warm-start';
export {
  MAX_BATCH_ACTIVATIONS,
  MAX_CATEGORIES,
  MAX_CLASSES,
  MAX_PARAMETERS,
  splitRows,
  trainingRows,
} from './training/prepare';
export { INPUT_NAME, STATE_METADATA_KEY, exportOnnx } from './export/onnx-export';
export { exportedStateFromOnnx, modelSpecFromMetadata } from './export/onnx-import';
export * from './evaluation/evaluate-versions';
