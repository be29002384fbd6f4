import type { ExportedModelState } from '../model/model.types';
import { predictWithState } from '../model/tabular';
import {
  categoricalBins,
  inputProfile,
  numericBins,
  PROFILE_BINS,
  type Bins,
  type DataProfile,
} from './profile';

/**
 * The profile a trained version records: the bins of its input features over the training rows
 * `rowIndices` of `input` (model-input rows, see {@link modelInputFromDataset}), and the bins of
 * the model's own predictions on those rows (quantile bins of the predicted value for a
 * regressor, counts of the predicted label for a classifier).
 */
export function trainingProfile(
  state: ExportedModelState,
  input: Float32Array,
  rowIndices: ArrayLike<number>,
  bins = PROFILE_BINS,
): DataProfile {
  const F = state.features.length;
  const rows = rowIndices.length;
  const picked = new Float32Array(rows * F);
  for (let i = 0; i < rows; i++) {
    const r = rowIndices[i] as number;
    picked.set(input.subarray(r * F, r * F + F), i * F);
  }
  let prediction: Bins | null = null;
  if (rows > 0) {
    const predicted = predictWithState(state, picked, rows);
    prediction =
      state.head === 'identity'
        ? // The served model answers in float32; its logged predictions are binned as they are.
          numericBins(Float64Array.from(predicted.prediction, Math.fround), bins)
        : categoricalBins(state.labels ?? [], predicted.prediction);
  }
  return {
    formatVersion: 1,
    rows,
    features: inputProfile(state.features, picked, undefined, bins),
    prediction,
  };
}
