import type { ColumnarDataset } from '../dataset/dataset.types';
import type { Algorithm, Hyperparameters } from '../hyperparameters';
import type { ExportedModelState, Metrics, TabularSignature } from '../model/model.types';
import type { RandomState } from '../model/random';
import type { FeatureImportance } from '../model/permutation-importance';
import type { StatisticsRegressionMetrics } from '../model/squared-error-statistics';

export type { StatisticsRegressionMetrics };

/**
 * Metrics reported with an epoch. Full-batch linear regression computes its epochs from
 * sufficient statistics, which give mse, rmse and r² but not mae (it needs every residual);
 * {@link TrainingResult.metrics} always has all four.
 */
export type TrainingEpochMetrics = Metrics | StatisticsRegressionMetrics;
import type { ModelSpec } from '../model/tabular';

/** What {@link createTrainer} needs. */
export interface TrainerOptions {
  algorithm: Algorithm;
  dataset: ColumnarDataset;
  /** The column to predict. */
  target: string;
  /** Feature columns, in input order. Default: the warm start's features, else every other numeric column. */
  features?: string[];
  /** Raw hyperparameters (validated and completed with {@link resolveHyperparameters}). */
  hyperparameters?: unknown;
  /** Model update: start from this model's weights, feature scaling, categories and labels. */
  warmStart?: ExportedModelState;
  /** Resume a crashed or paused run: same dataset, algorithm, target, features and hyperparameters. */
  checkpoint?: TrainerCheckpoint;
}

/** One finished epoch. */
export interface EpochResult {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  /** Mean training loss during the epoch: MSE in target units (regression) or log loss (classification). */
  loss: number;
  /** Loss on the validation rows after the epoch; null without a validation split. */
  validationLoss: number | null;
  /**
   * Validation metrics, or metrics of the training rows during the epoch without a validation
   * split (full-batch linear regression: without mae, see {@link TrainingEpochMetrics}).
   */
  metrics: TrainingEpochMetrics;
  /** True when this was the last epoch (epochs reached or early stop). */
  done: boolean;
  stoppedEarly: boolean;
}

/**
 * Everything needed to continue training exactly where it stopped (JSON-serialisable; numbers
 * survive JSON.stringify/parse bit for bit).
 */
export interface TrainerCheckpoint {
  formatVersion: 1;
  algorithm: Algorithm;
  target: string;
  features: string[];
  hyperparameters: Hyperparameters;
  datasetRows: number;
  trainingRows: number;
  spec: ModelSpec;
  /** Epochs finished. */
  epoch: number;
  params: number[];
  optimizer: { step: number; moments: number[][] };
  random: RandomState;
  best: { loss: number; epoch: number; params: number[] } | null;
  epochsSinceBest: number;
  stoppedEarly: boolean;
}

/** What {@link Trainer.finish} returns: the ONNX model and what the model version records. */
export interface TrainingResult {
  /** The exported model (docs/api.md, "Tabular models"). */
  onnx: Uint8Array;
  /** Weights, scaling, categories: what a warm start continues from. */
  state: ExportedModelState;
  /** Of the exported weights on the validation rows (the training rows without a validation split). */
  metrics: Metrics;
  /** Of the exported weights on the training rows. */
  trainingMetrics: Metrics;
  signature: TabularSignature;
  /**
   * Permutation importance of the exported weights on the validation rows (the training rows
   * without a validation split), most important first, in loss units.
   */
  featureImportance: FeatureImportance[];
  /** Epochs run, and the epoch whose weights were exported. */
  epochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** A training run, driven one epoch at a time (e.g. from a worker thread that reports progress between epochs). */
export interface Trainer {
  readonly algorithm: Algorithm;
  readonly hyperparameters: Hyperparameters;
  /** Features, labels, scaling and task of the model being trained. */
  readonly spec: ModelSpec;
  readonly trainingRows: number;
  readonly validationRows: number;
  /** Dataset rows left out for a missing target or feature. */
  readonly droppedRows: number;
  /** Epochs finished so far. */
  readonly epoch: number;
  /** Epochs reached or stopped early. */
  readonly done: boolean;
  readonly stoppedEarly: boolean;
  /** Runs one epoch; throws TrainingError when done or when the loss diverges. */
  runEpoch(): EpochResult;
  /** Runs the remaining epochs, yielding after each. */
  epochs(): Generator<EpochResult, void, void>;
  checkpoint(): TrainerCheckpoint;
  /** The model as it would be exported now (the best weights so far when early stopping is on). */
  state(): ExportedModelState;
  /** Exports the model; may be called before `done` (exports the weights {@link state} returns). */
  finish(): TrainingResult;
}
