import { GraphBuilder, OnnxDataType } from '@maas/onnx';
import type { ExportedModelState } from '../model/model.types';
import { designWidth } from '../model/tabular';

/** `metadata_props` key of the model spec (everything but the weights, which are initializers). */
export const STATE_METADATA_KEY = 'maas.state';
/** Name of the exported model's input tensor. */
export const INPUT_NAME = 'input';
/** Initializer names of layer `l`'s weights (`[inputs, outputs]`) and bias. */
export const layerWeightsName = (l: number): string => `layer${l}_weights`;
export const layerBiasName = (l: number): string => `layer${l}_bias`;

/**
 * Builds the ONNX model of a trained state per docs/api.md, "Tabular models": input FP32
 * `[-1, F]` in feature order (a categorical feature as its category index, one-hot encoded by
 * Equal against 0..C-1), standardisation as Sub/Mul nodes, Gemm (+ReLU) layers, then outputs
 * `prediction` `[-1, 1]` (value or class index) and, for classifiers, `probabilities` `[-1, C]`.
 * Metadata: `maas.features`, `maas.labels`, `maas.categories`, `maas.algorithm`, `maas.task`,
 * `maas.target` and `maas.state` (see {@link exportedStateFromOnnx}).
 */
export function exportOnnx(state: ExportedModelState): Uint8Array {
  const g = new GraphBuilder({
    producerName: 'maas-training',
    graphName: `${state.algorithm.toLowerCase()}_${state.target}`,
  });
  const F = state.features.length;
  g.addInput(INPUT_NAME, 'FP32', [-1, F]);

  const numeric = state.features
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.type !== 'categorical');
  const categorical = state.features
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.type === 'categorical');
  const parts: string[] = [];
  if (numeric.length > 0) {
    let raw = INPUT_NAME;
    if (categorical.length > 0) {
      g.addInitializer(
        'numeric_columns',
        'INT64',
        [numeric.length],
        numeric.map(({ i }) => i),
      );
      g.addNode('Gather', [INPUT_NAME, 'numeric_columns'], ['numeric_input'], { axis: 1 });
      raw = 'numeric_input';
    }
    g.addInitializer(
      'feature_offset',
      'FP32',
      [numeric.length],
      numeric.map(({ f }) => f.offset),
    );
    g.addInitializer(
      'feature_scale',
      'FP32',
      [numeric.length],
      numeric.map(({ f }) => f.scale),
    );
    g.addNode('Sub', [raw, 'feature_offset'], ['centered']);
    g.addNode('Mul', ['centered', 'feature_scale'], ['standardized']);
    parts.push('standardized');
  }
  categorical.forEach(({ f, i }, k) => {
    const C = f.categories?.length ?? 0;
    g.addInitializer(`cat${k}_column`, 'INT64', [1], [i]);
    g.addInitializer(
      `cat${k}_levels`,
      'FP32',
      [C],
      Array.from({ length: C }, (_, c) => c),
    );
    g.addNode('Gather', [INPUT_NAME, `cat${k}_column`], [`cat${k}_index`], { axis: 1 });
    // [N,1] == [C] broadcasts to [N,C]: exactly one true for a known index, none for an unknown one.
    g.addNode('Equal', [`cat${k}_index`, `cat${k}_levels`], [`cat${k}_equal`]);
    g.addNode('Cast', [`cat${k}_equal`], [`cat${k}_onehot`], { to: OnnxDataType.FLOAT });
    parts.push(`cat${k}_onehot`);
  });
  let current = parts[0] ?? INPUT_NAME;
  if (parts.length > 1) {
    g.addNode('Concat', parts, ['design'], { axis: 1 });
    current = 'design';
  }
  if (designWidth(state) === 0) throw new Error('the model has no input columns');

  state.layers.forEach((layer, l) => {
    g.addInitializer(layerWeightsName(l), 'FP32', [layer.inputs, layer.outputs], layer.weights);
    g.addInitializer(layerBiasName(l), 'FP32', [layer.outputs], layer.bias);
    g.addNode('Gemm', [current, layerWeightsName(l), layerBiasName(l)], [`layer${l}_out`]);
    current = `layer${l}_out`;
    if (l + 1 < state.layers.length) {
      g.addNode('Relu', [current], [`layer${l}_relu`]);
      current = `layer${l}_relu`;
    }
  });

  if (state.head === 'identity') {
    g.addInitializer('target_scale', 'FP32', [1], [state.targetScale]);
    g.addInitializer('target_offset', 'FP32', [1], [state.targetOffset]);
    g.addNode('Mul', [current, 'target_scale'], ['scaled_output']);
    g.addNode('Add', ['scaled_output', 'target_offset'], ['prediction']);
  } else if (state.head === 'sigmoid') {
    g.addInitializer('one', 'FP32', [1], [1]);
    g.addInitializer('half', 'FP32', [1], [0.5]);
    g.addNode('Sigmoid', [current], ['positive_probability']);
    g.addNode('Sub', ['one', 'positive_probability'], ['negative_probability']);
    g.addNode('Concat', ['negative_probability', 'positive_probability'], ['probabilities'], {
      axis: 1,
    });
    g.addNode('Greater', ['positive_probability', 'half'], ['is_positive']);
    g.addNode('Cast', ['is_positive'], ['prediction'], { to: OnnxDataType.FLOAT });
  } else {
    g.addNode('Softmax', [current], ['probabilities'], { axis: 1 });
    // ArgMax of the logits, not of rounded probabilities; the first maximum wins, as in the trainer.
    g.addNode('ArgMax', [current], ['class_index'], { axis: 1, keepdims: 1 });
    g.addNode('Cast', ['class_index'], ['prediction'], { to: OnnxDataType.FLOAT });
  }
  g.addOutput('prediction', 'FP32', [-1, 1]);
  if (state.head !== 'identity')
    g.addOutput('probabilities', 'FP32', [-1, state.labels?.length ?? 0]);

  const categories: Record<string, string[]> = {};
  for (const { f } of categorical) categories[f.name] = f.categories ?? [];
  g.setTabularMetadata({
    features: state.features.map((f) => f.name),
    ...(state.labels ? { labels: state.labels } : {}),
    categories,
  });
  const { layers: _weights, ...spec } = state;
  g.setMetadata('maas.algorithm', state.algorithm);
  g.setMetadata('maas.task', state.task);
  g.setMetadata('maas.target', state.target);
  g.setMetadata(STATE_METADATA_KEY, JSON.stringify(spec));
  return g.toBytes();
}
