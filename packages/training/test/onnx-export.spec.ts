import { readSignature } from '@maas/onnx';
import * as ort from 'onnxruntime-node';
import {
  INPUT_NAME,
  TrainingError,
  createTrainer,
  exportOnnx,
  exportedStateFromOnnx,
  modelInputFromDataset,
  predictWithState,
  type Algorithm,
  type ColumnarDataset,
  type ExportedModelState,
} from '../src';
import { categorical, dataset, numeric, uniform } from './fixtures';

/** Mixed features: two numeric (one far from zero, to exercise standardisation) and a categorical one. */
function mixed(rows: number, seed: number, target: 'value' | 'binary' | 'multi'): ColumnarDataset {
  const next = uniform(seed);
  const x = Array.from({ length: rows }, () => next() * 4 - 2);
  const big = Array.from({ length: rows }, () => 1000 + next() * 50);
  const colour = Array.from({ length: rows }, () => Math.floor(next() * 3));
  const shift = [0.5, -1, 2];
  const value = x.map(
    (v, i) =>
      2 * v +
      0.05 * ((big[i] as number) - 1025) +
      (shift[colour[i] as number] as number) +
      0.1 * next(),
  );
  const columns = [
    numeric('x', x),
    numeric('big', big),
    categorical('colour', ['blue', 'green', 'red'], colour),
  ];
  if (target === 'value') return dataset(...columns, numeric('target', value));
  if (target === 'binary')
    return dataset(
      ...columns,
      categorical(
        'target',
        ['neg', 'pos'],
        value.map((v) => (v > 0.5 ? 1 : 0)),
      ),
    );
  return dataset(
    ...columns,
    categorical(
      'target',
      ['low', 'mid', 'high'],
      value.map((v) => (v < -1 ? 0 : v < 2 ? 1 : 2)),
    ),
  );
}

async function runOnnx(
  bytes: Uint8Array,
  input: Float32Array,
  rows: number,
  features: number,
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, [rows, features]) });
  } finally {
    await session.release();
  }
}

const cases: {
  name: string;
  algorithm: Algorithm;
  target: 'value' | 'binary' | 'multi';
  features: string[];
  hyperparameters?: object;
}[] = [
  {
    name: 'linear regression (numeric only)',
    algorithm: 'LINEAR_REGRESSION',
    target: 'value',
    features: ['x', 'big'],
  },
  {
    name: 'linear regression with a categorical feature',
    algorithm: 'LINEAR_REGRESSION',
    target: 'value',
    features: ['colour', 'x', 'big'],
  },
  {
    name: 'logistic regression',
    algorithm: 'LOGISTIC_REGRESSION',
    target: 'binary',
    features: ['x', 'colour', 'big'],
  },
  {
    name: 'softmax regression',
    algorithm: 'SOFTMAX_REGRESSION',
    target: 'multi',
    features: ['x', 'big', 'colour'],
  },
  {
    name: 'MLP regression',
    algorithm: 'MLP',
    target: 'value',
    features: ['x', 'big', 'colour'],
    hyperparameters: { hiddenLayers: [16, 8] },
  },
  {
    name: 'MLP classification',
    algorithm: 'MLP',
    target: 'multi',
    features: ['colour', 'x', 'big'],
    hyperparameters: { hiddenLayers: [12] },
  },
  {
    name: 'MLP unstandardised',
    algorithm: 'MLP',
    target: 'binary',
    features: ['x'],
    hyperparameters: { hiddenLayers: [6], standardize: false },
  },
];

describe('exportOnnx', () => {
  it.each(cases)(
    '$name: onnxruntime gives the trainer’s predictions within 1e-5 on held-out rows',
    async ({ algorithm, target, features, hyperparameters }) => {
      const trainer = createTrainer({
        algorithm,
        dataset: mixed(600, 1, target),
        target: 'target',
        features,
        hyperparameters: { epochs: 15, ...hyperparameters },
      });
      for (const _ of trainer.epochs());
      const result = trainer.finish();
      // Rows the trainer never saw, including an unknown category (index -1 → all-zero one-hot).
      const heldOut = mixed(300, 2, target);
      const input = modelInputFromDataset(result.state, heldOut);
      if (features.includes('colour')) input[features.indexOf('colour')] = -1;
      const expected = predictWithState(result.state, input);
      const outputs = await runOnnx(result.onnx, input, 300, features.length);

      const prediction = outputs.prediction as ort.Tensor;
      expect(prediction.dims).toEqual([300, 1]);
      const got = prediction.data as Float32Array;
      let worst = 0;
      got.forEach(
        (v, i) => (worst = Math.max(worst, Math.abs(v - (expected.prediction[i] as number)))),
      );
      expect(worst).toBeLessThanOrEqual(1e-5);
      if (algorithm === 'LINEAR_REGRESSION' || target === 'value') {
        expect(outputs.probabilities).toBeUndefined();
      } else {
        const probabilities = outputs.probabilities as ort.Tensor;
        const classes = result.state.labels?.length ?? 0;
        expect(probabilities.dims).toEqual([300, classes]);
        const p = probabilities.data as Float32Array;
        let worstP = 0;
        p.forEach(
          (v, i) =>
            (worstP = Math.max(worstP, Math.abs(v - (expected.probabilities?.[i] as number)))),
        );
        expect(worstP).toBeLessThanOrEqual(1e-5);
        // A classifier is more than a constant: it predicts several classes.
        expect(new Set(got).size).toBeGreaterThan(1);
      }
    },
  );

  it('writes the tabular signature and metadata of docs/api.md', () => {
    const result = createTrainer({
      algorithm: 'SOFTMAX_REGRESSION',
      dataset: mixed(200, 3, 'multi'),
      target: 'target',
      features: ['x', 'colour'],
      hyperparameters: { epochs: 2 },
    }).finish();
    const signature = readSignature(result.onnx);
    expect(signature.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 2] }]);
    expect(signature.outputs).toEqual([
      { name: 'prediction', datatype: 'FP32', shape: [-1, 1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    ]);
    expect(signature.features).toEqual(['x', 'colour']);
    expect(signature.labels).toEqual(['low', 'mid', 'high']);
    expect(signature.categories).toEqual({ colour: ['blue', 'green', 'red'] });
    expect(signature.metadata['maas.algorithm']).toBe('SOFTMAX_REGRESSION');
    expect(signature.metadata['maas.task']).toBe('MULTICLASS_CLASSIFICATION');
    expect(signature.metadata['maas.target']).toBe('target');

    const regression = createTrainer({
      algorithm: 'LINEAR_REGRESSION',
      dataset: mixed(50, 3, 'value'),
      target: 'target',
      hyperparameters: { epochs: 1 },
    }).finish();
    const regressionSignature = readSignature(regression.onnx);
    expect(regressionSignature.outputs.map((o) => o.name)).toEqual(['prediction']);
    expect(regressionSignature.labels).toBeUndefined();
    expect(regressionSignature.features).toEqual(['x', 'big']);
  });
});

describe('exportedStateFromOnnx', () => {
  it('recovers the state from the ONNX bytes, weights rounded to float32', () => {
    const state = createTrainer({
      algorithm: 'MLP',
      dataset: mixed(200, 4, 'binary'),
      target: 'target',
      features: ['x', 'colour', 'big'],
      hyperparameters: { epochs: 3, hiddenLayers: [5] },
    }).finish().state;
    const recovered = exportedStateFromOnnx(exportOnnx(state));
    const rounded: ExportedModelState = {
      ...state,
      layers: state.layers.map((l) => ({
        ...l,
        weights: l.weights.map(Math.fround),
        bias: l.bias.map(Math.fround),
      })),
    };
    expect(recovered).toEqual(rounded);
  });

  it('refuses a model that maas did not train', () => {
    const plain = exportOnnx({
      formatVersion: 1,
      algorithm: 'LINEAR_REGRESSION',
      task: 'REGRESSION',
      head: 'identity',
      target: 'y',
      features: [{ name: 'x', type: 'numeric', offset: 0, scale: 1 }],
      labels: null,
      targetOffset: 0,
      targetScale: 1,
      hiddenLayers: [],
      layers: [{ inputs: 1, outputs: 1, weights: [2], bias: [1] }],
    });
    expect(exportedStateFromOnnx(plain).layers[0]?.weights).toEqual([2]);
    const stripped = stripMetadata(plain);
    expect(() => exportedStateFromOnnx(stripped)).toThrow(TrainingError);
    expect(() => exportedStateFromOnnx(stripped)).toThrow(
      /only models trained by maas can be warm-started/,
    );
  });
});

// The same model without its metadata_props, as an uploaded model would be.
function stripMetadata(bytes: Uint8Array): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { onnxProto } = require('@maas/onnx') as typeof import('@maas/onnx');
  const message = onnxProto.ModelProto.decode(bytes) as unknown as { metadata_props: unknown[] };
  message.metadata_props = [];
  return onnxProto.ModelProto.encode(message).finish();
}
