// Models shaped like what real exporters write (skl2onnx, torch.onnx.export), built in code with
// @maas/onnx so the API's model-zoo test needs no downloads (its codecs and request builders are
// in apps/api/test/model-zoo-codec.ts).
import { GraphBuilder, attr } from '@maas/onnx';
import { seededRandom } from './seeded-random';

const ML = { domain: 'ai.onnx.ml' } as const;
const ML_OPSET = [{ domain: 'ai.onnx.ml', version: 3 }];
const SKL = { producerName: 'skl2onnx', producerVersion: '1.17.0', extraOpsets: ML_OPSET };

/** The datatypes the zoo feeds. */
export type ZooDatatype = 'FP32' | 'INT64' | 'BOOL' | 'BYTES';

/** One input in contract JSON form: flat row-major data (FP32 may hold "NaN"/"Infinity" strings). */
export interface ZooTensor {
  datatype: ZooDatatype;
  shape: number[];
  data: (number | string | boolean)[];
}

export type ZooFeeds = Record<string, ZooTensor>;

/** A model, the requests to try on it, and the ZipMap-style outputs the API must skip. */
export interface ZooModel {
  name: string;
  bytes: Uint8Array;
  cases: ZooFeeds[];
  nonTensorOutputs: string[];
}

const fp32 = (shape: number[], data: (number | string)[]): ZooTensor => ({
  datatype: 'FP32',
  shape,
  data,
});

/** skl2onnx LinearRegression: float_input [N, 4] → LinearRegressor → variable [N, 1]. */
export function linearRegressor(): ZooModel {
  const bytes = new GraphBuilder(SKL)
    .addInput('float_input', 'FP32', [null, 4])
    .addNode(
      'LinearRegressor',
      ['float_input'],
      ['variable'],
      { coefficients: [0.5, -1.25, 3, 0.001], intercepts: [0.3], targets: 1 },
      { ...ML, name: 'LinearRegressor' },
    )
    .addOutput('variable', 'FP32', [null, 1])
    .toBytes();
  return {
    name: 'skl-linear-regressor',
    bytes,
    nonTensorOutputs: [],
    cases: [
      { float_input: fp32([1, 4], [1, 2, 3, 4]) },
      { float_input: fp32([3, 4], [0.1, 0.2, 0.3, 0.4, -7.5, 1e-3, 123.456, 1e6, 0, 0, 0, 0]) },
      // Non-finite values travel as strings both ways.
      { float_input: fp32([2, 4], ['Infinity', 0, 0, 0, 'NaN', 1, 1, 1]) },
    ],
  };
}

const IRIS_ROWS = [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 5.9, 3.0, 4.2, 1.5, 0, 0, 0, 0];

/**
 * skl2onnx LogisticRegression with string classes: LinearClassifier → output_label (BYTES) and
 * probabilities → Normalizer → ZipMap (a sequence of maps, which the API must skip).
 */
export function linearClassifier(): ZooModel {
  const labels = ['setosa', 'versicolor', 'virginica'];
  const bytes = new GraphBuilder(SKL)
    .addInput('float_input', 'FP32', [null, 4])
    .addNode(
      'LinearClassifier',
      ['float_input'],
      ['label', 'probability_tensor'],
      {
        classlabels_strings: labels,
        coefficients: [-0.42, 0.97, -2.4, -1.03, 0.53, -0.32, -0.2, -0.94, -0.11, -0.65, 2.6, 1.97],
        intercepts: [9.85, 2.24, -12.09],
        multi_class: 1,
        post_transform: 'SOFTMAX',
      },
      { ...ML, name: 'LinearClassifier' },
    )
    .addNode('Normalizer', ['probability_tensor'], ['probabilities'], { norm: 'L1' }, ML)
    .addNode('Identity', ['label'], ['output_label'])
    .addNode(
      'ZipMap',
      ['probabilities'],
      ['output_probability'],
      { classlabels_strings: labels },
      ML,
    )
    .addOutput('output_label', 'BYTES', [null])
    .addOutput('output_probability', {
      sequence: { map: { key: 'BYTES', value: { tensor: { datatype: 'FP32' } } } },
    })
    .addOutput('probabilities', 'FP32', [null, 3])
    .toBytes();
  return {
    name: 'skl-linear-classifier',
    bytes,
    nonTensorOutputs: ['output_probability'],
    cases: [
      { float_input: fp32([4, 4], IRIS_ROWS) },
      { float_input: fp32([1, 4], [6.3, 2.5, 4.9, 1.5]) },
    ],
  };
}

interface TreeNode {
  id: number;
  feature?: number;
  mode?: 'BRANCH_LEQ' | 'BRANCH_LT' | 'BRANCH_GT' | 'BRANCH_GTE';
  value?: number;
  yes?: number;
  no?: number;
  /** Leaf weights by target or class id. */
  leaf?: Record<number, number>;
  missingTrue?: boolean;
}

/** The nodes_* attributes of TreeEnsembleRegressor/Classifier, plus the leaf weights by prefix. */
function treeAttributes(trees: TreeNode[][], prefix: 'target' | 'class') {
  const a = {
    nodes_treeids: [] as number[],
    nodes_nodeids: [] as number[],
    nodes_featureids: [] as number[],
    nodes_modes: [] as string[],
    nodes_values: [] as number[],
    nodes_truenodeids: [] as number[],
    nodes_falsenodeids: [] as number[],
    nodes_missing_value_tracks_true: [] as number[],
    nodes_hitrates: [] as number[],
    leafTree: [] as number[],
    leafNode: [] as number[],
    leafId: [] as number[],
    leafWeight: [] as number[],
  };
  trees.forEach((nodes, t) => {
    for (const n of nodes) {
      a.nodes_treeids.push(t);
      a.nodes_nodeids.push(n.id);
      a.nodes_featureids.push(n.feature ?? 0);
      a.nodes_modes.push(n.leaf ? 'LEAF' : (n.mode ?? 'BRANCH_LEQ'));
      a.nodes_values.push(n.value ?? 0);
      a.nodes_truenodeids.push(n.yes ?? 0);
      a.nodes_falsenodeids.push(n.no ?? 0);
      a.nodes_missing_value_tracks_true.push(n.missingTrue ? 1 : 0);
      a.nodes_hitrates.push(1);
      for (const [id, w] of Object.entries(n.leaf ?? {})) {
        a.leafTree.push(t);
        a.leafNode.push(n.id);
        a.leafId.push(Number(id));
        a.leafWeight.push(w);
      }
    }
  });
  return {
    nodes_treeids: attr.ints(a.nodes_treeids),
    nodes_nodeids: attr.ints(a.nodes_nodeids),
    nodes_featureids: attr.ints(a.nodes_featureids),
    nodes_modes: attr.strings(a.nodes_modes),
    nodes_values: attr.floats(a.nodes_values),
    nodes_truenodeids: attr.ints(a.nodes_truenodeids),
    nodes_falsenodeids: attr.ints(a.nodes_falsenodeids),
    nodes_missing_value_tracks_true: attr.ints(a.nodes_missing_value_tracks_true),
    nodes_hitrates: attr.floats(a.nodes_hitrates),
    [`${prefix}_treeids`]: attr.ints(a.leafTree),
    [`${prefix}_nodeids`]: attr.ints(a.leafNode),
    [`${prefix}_ids`]: attr.ints(a.leafId),
    [`${prefix}_weights`]: attr.floats(a.leafWeight),
  };
}

const TREE_CASES: ZooFeeds[] = [
  { float_input: fp32([1, 3], [0.2, 1.5, -3]) },
  {
    float_input: fp32(
      [5, 3],
      [0.5, 1, 0, 0.51, 0.99, 2.5, 10, -10, 0.75, -1, 3, 2.49, 0.3, 0.3, 0.3],
    ),
  },
  // NaN goes the way nodes_missing_value_tracks_true says.
  { float_input: fp32([2, 3], ['NaN', 1, 1, 0.1, 'NaN', 'NaN']) },
];

/** skl2onnx GradientBoostingRegressor-like: three hand-written trees summed onto a base value. */
export function treeRegressor(): ZooModel {
  const leaf = (id: number, w: number): TreeNode => ({ id, leaf: { 0: w } });
  const trees: TreeNode[][] = [
    [
      { id: 0, feature: 0, value: 0.5, yes: 1, no: 2 },
      { id: 1, feature: 1, value: 1.0, yes: 3, no: 4, missingTrue: true },
      leaf(2, 2.5),
      leaf(3, -1.25),
      leaf(4, 0.75),
    ],
    [
      { id: 0, feature: 2, mode: 'BRANCH_LT', value: 2.5, yes: 1, no: 2, missingTrue: true },
      leaf(1, 0.1),
      { id: 2, feature: 0, mode: 'BRANCH_GT', value: 0.75, yes: 3, no: 4 },
      leaf(3, -0.3),
      leaf(4, 0.45),
    ],
    [
      { id: 0, feature: 1, mode: 'BRANCH_GTE', value: 0.3, yes: 1, no: 2 },
      leaf(1, 1e-3),
      leaf(2, 33.3),
    ],
  ];
  const bytes = new GraphBuilder(SKL)
    .addInput('float_input', 'FP32', [null, 3])
    .addNode(
      'TreeEnsembleRegressor',
      ['float_input'],
      ['variable'],
      {
        ...treeAttributes(trees, 'target'),
        n_targets: 1,
        aggregate_function: 'SUM',
        base_values: attr.floats([0.5]),
        post_transform: 'NONE',
      },
      { ...ML, name: 'TreeEnsembleRegressor' },
    )
    .addOutput('variable', 'FP32', [null, 1])
    .toBytes();
  return { name: 'skl-tree-regressor', bytes, nonTensorOutputs: [], cases: TREE_CASES };
}

/** skl2onnx RandomForestClassifier-like: two trees voting over classes 0..2, then ZipMap. */
export function treeClassifier(): ZooModel {
  const trees: TreeNode[][] = [
    [
      { id: 0, feature: 0, value: 0.5, yes: 1, no: 2, missingTrue: true },
      { id: 1, leaf: { 0: 0.4, 1: 0.1 } },
      { id: 2, feature: 2, value: 0, yes: 3, no: 4 },
      { id: 3, leaf: { 1: 0.5 } },
      { id: 4, leaf: { 2: 0.35, 0: 0.15 } },
    ],
    [
      { id: 0, feature: 1, value: 0.99, yes: 1, no: 2 },
      { id: 1, leaf: { 0: 0.25, 2: 0.25 } },
      { id: 2, leaf: { 1: 0.3, 2: 0.2 } },
    ],
  ];
  const bytes = new GraphBuilder(SKL)
    .addInput('float_input', 'FP32', [null, 3])
    .addNode(
      'TreeEnsembleClassifier',
      ['float_input'],
      ['label', 'probabilities'],
      { ...treeAttributes(trees, 'class'), classlabels_int64s: [0, 1, 2], post_transform: 'NONE' },
      { ...ML, name: 'TreeEnsembleClassifier' },
    )
    .addNode('Cast', ['label'], ['output_label'], { to: 7 })
    .addNode(
      'ZipMap',
      ['probabilities'],
      ['output_probability'],
      { classlabels_int64s: [0, 1, 2] },
      ML,
    )
    .addOutput('output_label', 'INT64', [null])
    .addOutput('output_probability', {
      sequence: { map: { key: 'INT64', value: { tensor: { datatype: 'FP32' } } } },
    })
    .addOutput('probabilities', 'FP32', [null, 3])
    .toBytes();
  return {
    name: 'skl-tree-classifier',
    bytes,
    nonTensorOutputs: ['output_probability'],
    cases: TREE_CASES,
  };
}

/** torch.onnx.export of Conv(1→2, 3x3, bias) → ReLU → MaxPool 2x2 → Flatten → Linear(18→4) → Softmax. */
export function cnn(): ZooModel {
  const random = seededRandom(42);
  const uniform = (n: number, limit: number) =>
    Array.from({ length: n }, () => Math.fround((random() * 2 - 1) * limit));
  const bytes = new GraphBuilder({ producerName: 'pytorch', producerVersion: '2.3.0' })
    .addInput('input', 'FP32', ['batch_size', 1, 8, 8])
    .addInitializer('conv1.weight', 'FP32', [2, 1, 3, 3], uniform(18, 1 / 3))
    .addInitializer('conv1.bias', 'FP32', [2], uniform(2, 1 / 3))
    .addInitializer('fc.weight', 'FP32', [4, 18], uniform(72, 1 / Math.sqrt(18)))
    .addInitializer('fc.bias', 'FP32', [4], uniform(4, 1 / Math.sqrt(18)))
    .addNode(
      'Conv',
      ['input', 'conv1.weight', 'conv1.bias'],
      ['/conv1/Conv_output_0'],
      { dilations: [1, 1], group: 1, kernel_shape: [3, 3], pads: [0, 0, 0, 0], strides: [1, 1] },
      { name: '/conv1/Conv' },
    )
    .addNode('Relu', ['/conv1/Conv_output_0'], ['/relu/Relu_output_0'], {}, { name: '/relu/Relu' })
    .addNode(
      'MaxPool',
      ['/relu/Relu_output_0'],
      ['/pool/MaxPool_output_0'],
      { ceil_mode: 0, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] },
      { name: '/pool/MaxPool' },
    )
    .addNode(
      'Flatten',
      ['/pool/MaxPool_output_0'],
      ['/Flatten_output_0'],
      { axis: 1 },
      { name: '/Flatten' },
    )
    .addNode(
      'Gemm',
      ['/Flatten_output_0', 'fc.weight', 'fc.bias'],
      ['/fc/Gemm_output_0'],
      { alpha: 1, beta: 1, transB: 1 },
      { name: '/fc/Gemm' },
    )
    .addNode('Softmax', ['/fc/Gemm_output_0'], ['output'], { axis: 1 }, { name: '/Softmax' })
    .addOutput('output', 'FP32', ['batch_size', 4])
    .toBytes();
  const images = (n: number, seed: number) => {
    const r = seededRandom(seed);
    return fp32(
      [n, 1, 8, 8],
      Array.from({ length: n * 64 }, () => Math.fround(r() * 4 - 1)),
    );
  };
  return {
    name: 'torch-cnn',
    bytes,
    nonTensorOutputs: [],
    cases: [{ input: images(1, 7) }, { input: images(3, 8) }],
  };
}

/**
 * Several inputs and outputs of INT64, BOOL, BYTES and FP32, each [batch, fixed]: Add/Where/Cast/
 * ReduceSum on INT64 (one offset pushes results past ±2^53, which must come back as strings),
 * Not on BOOL, Gather on strings.
 */
export function multiIo(): ZooModel {
  const bytes = new GraphBuilder({ producerName: 'pytorch', producerVersion: '2.3.0' })
    .addInput('ids', 'INT64', ['batch', 3])
    .addInput('mask', 'BOOL', ['batch', 3])
    .addInput('tokens', 'BYTES', ['batch', 2])
    .addInitializer('offset', 'INT64', [3], [1, 2 ** 52, -(2 ** 53 - 1)])
    .addInitializer('zero', 'INT64', [], [0])
    .addInitializer('swap', 'INT64', [2], [1, 0])
    .addInitializer('axes', 'INT64', [1], [1])
    .addInitializer('tenth', 'FP32', [], [0.1])
    .addNode('Add', ['ids', 'offset'], ['ids_shifted'])
    .addNode('Where', ['mask', 'ids', 'zero'], ['ids_masked'])
    .addNode('Not', ['mask'], ['mask_inverted'])
    .addNode('Cast', ['ids'], ['ids_float'], { to: 1 })
    .addNode('Mul', ['ids_float', 'tenth'], ['ids_scaled'])
    .addNode('Cast', ['mask'], ['mask_int'], { to: 7 })
    .addNode('ReduceSum', ['mask_int', 'axes'], ['mask_count'], { keepdims: 1 })
    .addNode('Gather', ['tokens', 'swap'], ['tokens_swapped'], { axis: 1 })
    .addOutput('ids_shifted', 'INT64', ['batch', 3])
    .addOutput('ids_masked', 'INT64', ['batch', 3])
    .addOutput('mask_inverted', 'BOOL', ['batch', 3])
    .addOutput('ids_scaled', 'FP32', ['batch', 3])
    .addOutput('mask_count', 'INT64', ['batch', 1])
    .addOutput('tokens_swapped', 'BYTES', ['batch', 2])
    .toBytes();
  const feeds = (ids: (number | string)[], mask: boolean[], tokens: string[]): ZooFeeds => ({
    ids: { datatype: 'INT64', shape: [ids.length / 3, 3], data: ids },
    mask: { datatype: 'BOOL', shape: [mask.length / 3, 3], data: mask },
    tokens: { datatype: 'BYTES', shape: [tokens.length / 2, 2], data: tokens },
  });
  return {
    name: 'multi-io',
    bytes,
    nonTensorOutputs: [],
    cases: [
      feeds([1, 2, 3], [true, false, true], ['hello', 'world']),
      feeds(
        [-5, 2 ** 52, -2, 2 ** 53 - 1, 7, 0, 123456789, -987654321, 11],
        [false, false, false, true, true, true, true, false, true],
        ['', 'é😀', 'a b', 'tab\there', 'ÅÄÖ', 'long '.repeat(40)],
      ),
      // INT64 beyond ±2^53 goes in as decimal strings, the way outputs come out.
      feeds(
        ['9007199254740993', '4611686018427387904', '-9007199254740993'],
        [true, true, true],
        ['x', 'y'],
      ),
    ],
  };
}

/** Every model of the zoo. */
export function buildZoo(): ZooModel[] {
  return [
    linearRegressor(),
    linearClassifier(),
    treeRegressor(),
    treeClassifier(),
    cnn(),
    multiIo(),
  ];
}
