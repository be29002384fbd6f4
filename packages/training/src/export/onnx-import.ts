import { readInitializers, readSignature } from '@maas/onnx';
import { TrainingError } from '../errors';
import { ALGORITHM_NAMES } from '../hyperparameters';
import type { DenseLayerState, ExportedModelState } from '../model/model.types';
import { layerSizes, type ModelSpec } from '../model/tabular';
import { STATE_METADATA_KEY, layerBiasName, layerWeightsName } from './onnx-export';

/**
 * The model spec a maas-trained model carries in its `metadata_props` (`maas.state`): what the
 * warm-start rules need of a parent, read from a model version's stored signature without its
 * file. Throws TrainingError for a model maas did not train (e.g. an upload).
 */
export function modelSpecFromMetadata(metadata: Readonly<Record<string, string>> = {}): ModelSpec {
  const text = metadata[STATE_METADATA_KEY];
  if (text === undefined) {
    throw new TrainingError(
      `this model has no '${STATE_METADATA_KEY}' metadata: only models trained by maas can be warm-started`,
    );
  }
  let spec: ModelSpec;
  try {
    spec = JSON.parse(text) as ModelSpec;
  } catch {
    throw new TrainingError(`the model's '${STATE_METADATA_KEY}' metadata is not valid JSON`);
  }
  if (
    spec === null ||
    typeof spec !== 'object' ||
    spec.formatVersion !== 1 ||
    !ALGORITHM_NAMES.includes(spec.algorithm) ||
    typeof spec.target !== 'string' ||
    !Array.isArray(spec.features) ||
    !Array.isArray(spec.hiddenLayers)
  ) {
    throw new TrainingError(
      `the model's '${STATE_METADATA_KEY}' metadata is not a maas model state (format ${String(spec?.formatVersion)})`,
    );
  }
  return spec;
}

/**
 * Recovers a trained model's state from its exported ONNX bytes alone: the spec from
 * `metadata_props` `maas.state`, the weights from the layer initializers (float32, as served).
 * Throws TrainingError for a model maas did not train (e.g. an upload), which cannot be warm-started.
 */
export function exportedStateFromOnnx(bytes: Uint8Array): ExportedModelState {
  const spec = modelSpecFromMetadata(readSignature(bytes).metadata);
  const sizes = layerSizes(spec);
  const initializers = readInitializers(bytes);
  const layers: DenseLayerState[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l] as number;
    const outputs = sizes[l + 1] as number;
    const weights = initializers.get(layerWeightsName(l));
    const bias = initializers.get(layerBiasName(l));
    if (
      !weights ||
      !bias ||
      weights.values.length !== inputs * outputs ||
      bias.values.length !== outputs
    ) {
      throw new TrainingError(
        `the model's layer ${l} weights are missing or not ${inputs}×${outputs}`,
      );
    }
    layers.push({
      inputs,
      outputs,
      weights: Array.from(weights.values),
      bias: Array.from(bias.values),
    });
  }
  return { ...spec, layers };
}
