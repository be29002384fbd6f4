import type { ColumnType } from '../dataset/dataset.types';
import type { Algorithm, ModelTask } from '../hyperparameters';

/**
 * One input feature. Numeric and boolean features enter the model as z = (x − offset) · scale
 * (offset 0 and scale 1 when not standardised); a categorical one as its index into `categories`,
 * one-hot encoded inside the model.
 */
export interface FeatureSpec {
  name: string;
  type: ColumnType;
  offset: number;
  scale: number;
  categories?: string[];
}

/** A dense layer: `weights` row-major `[inputs][outputs]`, then `bias[outputs]`. */
export interface DenseLayerState {
  inputs: number;
  outputs: number;
  weights: number[];
  bias: number[];
}

/** How the last layer's outputs become a prediction. */
export type ModelHead = 'identity' | 'sigmoid' | 'softmax';

/**
 * Everything a trained model is: what the ONNX export is built from, what a warm start starts
 * from, and what {@link exportedStateFromOnnx} recovers from an exported file. JSON-serialisable.
 * The first layer's inputs are the standardised numeric/boolean features in feature order,
 * followed by the one-hot blocks of the categorical features in feature order.
 */
export interface ExportedModelState {
  formatVersion: 1;
  algorithm: Algorithm;
  task: ModelTask;
  head: ModelHead;
  target: string;
  features: FeatureSpec[];
  /** Class labels in output order (classifiers), else null. */
  labels: string[] | null;
  /** Regression output = raw · targetScale + targetOffset (1 and 0 for classifiers). */
  targetOffset: number;
  targetScale: number;
  hiddenLayers: number[];
  layers: DenseLayerState[];
}

/** Regression or classification metrics, depending on the task. */
export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}
export interface ClassificationMetrics {
  accuracy: number;
  /** Of the positive class (labels[1]) for two classes, else the macro average. */
  precision: number;
  recall: number;
  f1: number;
  logLoss: number;
}
export type Metrics = RegressionMetrics | ClassificationMetrics;

/** The tabular signature a trained model is served with (docs/api.md, "Tabular models"). */
export interface TabularSignature {
  features: string[];
  labels: string[] | null;
  categories: Record<string, string[]>;
}

/** Outputs of a model for a batch: `prediction[r]` (value, or class index) and, for classifiers, `probabilities[r·C + c]`. */
export interface ModelPredictions {
  rows: number;
  prediction: Float64Array;
  probabilities: Float64Array | null;
}
