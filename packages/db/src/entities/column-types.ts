import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as a string; sizes and counters stay below 2^53, so map them to numbers. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export const ROLES = ['ADMIN', 'EDITOR', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export const MODEL_TASKS = [
  'REGRESSION',
  'BINARY_CLASSIFICATION',
  'MULTICLASS_CLASSIFICATION',
  'OTHER',
  'TEXT_GENERATION',
  'EMBEDDING',
] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export const VERSION_SOURCES = ['UPLOAD', 'TRAINING'] as const;
export type VersionSource = (typeof VERSION_SOURCES)[number];

export const ALGORITHMS = [
  'LINEAR_REGRESSION',
  'LOGISTIC_REGRESSION',
  'SOFTMAX_REGRESSION',
  'MLP',
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * What a job on the training queue does: TRAINING makes a version; EVALUATION scores versions on
 * a dataset (its results in `evaluation_results`). Both share the fair claim, the lease and the reaper.
 */
export const JOB_KINDS = ['TRAINING', 'EVALUATION'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** One feature's permutation importance: the mean increase of the loss when its column is shuffled. */
export interface FeatureImportanceRecord {
  feature: string;
  importance: number;
}

/** One tensor of a model signature, with OIP datatype names and -1 for dynamic dimensions. */
export interface TensorSpecRecord {
  name: string;
  datatype: string;
  shape: number[];
}

/** What is stored in model_versions.signature. */
export interface SignatureRecord {
  inputs: TensorSpecRecord[];
  outputs: TensorSpecRecord[];
  features?: string[];
  labels?: string[];
  categories?: Record<string, string[]>;
  metadata?: Record<string, string>;
}

/** One file of a model bundle (model_version_files): its path in the bundle, size and sha256. */
export interface BundleFileRecord {
  /** Relative to the bundle's root, `/`-separated, e.g. `onnx/model.onnx`. */
  path: string;
  sizeBytes: number;
  /** The artifact holding the file's bytes. */
  sha256: string;
}

/** The language-model tasks a bundle's graph is recognised as. */
export type LanguageModelTask = Extract<ModelTask, 'TEXT_GENERATION' | 'EMBEDDING'>;

/** What is stored in model_versions.language_model: read from a bundle's config.json and graph. */
export interface LanguageModelRecord {
  task: LanguageModelTask;
  /** config.json `model_type`, e.g. `gpt2`, `llama`, `bert`. */
  architecture: string;
  contextLength: number;
  vocabularySize: number;
  layers: number;
  /** Decoders: key/value heads of the KV cache (grouped-query attention: fewer than the heads). */
  keyValueHeads: number | null;
  /** Decoders: the size of one head. */
  headSize: number | null;
  hasChatTemplate: boolean;
  /** Encoders: the width of `last_hidden_state`. */
  embeddingDimensions: number | null;
}

/** What is stored in datasets.columns. */
export interface DatasetColumnRecord {
  name: string;
  type: string;
  nullCount: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  distinct: number | null;
}
