// The operators and attribute types the training export relies on, run for real in onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { GraphBuilder, attr } from './index';

type Outputs = ort.InferenceSession.OnnxValueMapType;

async function run(builder: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<Outputs> {
  const session = await ort.InferenceSession.create(builder.toBytes());
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const f32 = (values: number[], dims: number[]) =>
  new ort.Tensor('float32', Float32Array.from(values), dims);
const data = (outputs: Outputs, name: string): number[] =>
  Array.from(outputs[name]?.data as ArrayLike<number | bigint | boolean>, Number);

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 5));
}

describe('operators used by trained-model export', () => {
  it('runs MatMul, Gemm (float alpha/beta, int transA), Add, Sub, Mul, Div elementwise with broadcasting', async () => {
    const builder = new GraphBuilder()
      .addInput('x', 'FP32', [-1, 2])
      .addInitializer('w', 'FP32', [2, 2], [1, 2, 3, 4])
      .addInitializer('b', 'FP32', [2], [10, 20])
      .addNode('MatMul', ['x', 'w'], ['mm'])
      .addNode('Gemm', ['x', 'w', 'b'], ['gemm'], { alpha: 0.5, beta: 2 }) // beta: 2 must still be written as FLOAT
      .addNode('Gemm', ['w', 'x'], ['gemm_t'], { transA: 1, transB: 1, alpha: attr.float(1) })
      .addNode('Add', ['mm', 'b'], ['add'])
      .addNode('Sub', ['mm', 'b'], ['sub'])
      .addNode('Mul', ['mm', 'b'], ['mul'])
      .addNode('Div', ['mm', 'b'], ['div']);
    for (const name of ['mm', 'gemm', 'add', 'sub', 'mul', 'div'])
      builder.addOutput(name, 'FP32', [-1, 2]);
    builder.addOutput('gemm_t', 'FP32', [2, -1]);
    const x = [1, -1, 0.5, 2];
    const out = await run(builder, { x: f32(x, [2, 2]) });
    const mm = [1 * 1 + -1 * 3, 1 * 2 + -1 * 4, 0.5 * 1 + 2 * 3, 0.5 * 2 + 2 * 4];
    const b = [10, 20, 10, 20];
    expectClose(data(out, 'mm'), mm);
    expectClose(
      data(out, 'gemm'),
      mm.map((v, i) => 0.5 * v + 2 * (b[i] ?? 0)),
    );
    // wᵀ · xᵀ = (x · w)ᵀ
    expectClose(data(out, 'gemm_t'), [mm[0], mm[2], mm[1], mm[3]] as number[]);
    expectClose(
      data(out, 'add'),
      mm.map((v, i) => v + (b[i] ?? 0)),
    );
    expectClose(
      data(out, 'sub'),
      mm.map((v, i) => v - (b[i] ?? 0)),
    );
    expectClose(
      data(out, 'mul'),
      mm.map((v, i) => v * (b[i] ?? 0)),
    );
    expectClose(
      data(out, 'div'),
      mm.map((v, i) => v / (b[i] ?? 1)),
    );
  });

  it('runs Relu, Sigmoid, LeakyRelu (integer alpha as FLOAT), Softmax and ArgMax (int attributes)', async () => {
    const builder = new GraphBuilder()
      .addInput('x', 'FP32', [-1, 3])
      .addNode('Relu', ['x'], ['relu'])
      .addNode('Sigmoid', ['x'], ['sigmoid'])
      .addNode('LeakyRelu', ['x'], ['leaky'], { alpha: 2 })
      .addNode('Softmax', ['x'], ['softmax'], { axis: -1 })
      .addNode('ArgMax', ['x'], ['argmax'], { axis: 1, keepdims: 1 })
      .addNode('ArgMax', ['x'], ['argmax_flat'], { axis: attr.int(1), keepdims: false });
    for (const name of ['relu', 'sigmoid', 'leaky', 'softmax'])
      builder.addOutput(name, 'FP32', [-1, 3]);
    builder.addOutput('argmax', 'INT64', [-1, 1]).addOutput('argmax_flat', 'INT64', [-1]);
    const x = [-1, 0.5, 2, 3, -2, 1];
    const out = await run(builder, { x: f32(x, [2, 3]) });
    expectClose(
      data(out, 'relu'),
      x.map((v) => Math.max(0, v)),
    );
    expectClose(
      data(out, 'sigmoid'),
      x.map((v) => 1 / (1 + Math.exp(-v))),
    );
    expectClose(
      data(out, 'leaky'),
      x.map((v) => (v < 0 ? 2 * v : v)),
    );
    const softmax = [x.slice(0, 3), x.slice(3)].flatMap((row) => {
      const exps = row.map((v) => Math.exp(v));
      const sum = exps.reduce((s, v) => s + v, 0);
      return exps.map((v) => v / sum);
    });
    expectClose(data(out, 'softmax'), softmax);
    expect(out.argmax?.dims).toEqual([2, 1]);
    expect(data(out, 'argmax')).toEqual([2, 0]);
    expect(data(out, 'argmax_flat')).toEqual([2, 0]);
  });

  it('runs Cast, Concat, Gather, Reshape, Unsqueeze, Transpose (ints attribute) and Identity', async () => {
    const builder = new GraphBuilder()
      .addInput('x', 'FP32', [-1, 3])
      .addInitializer('cols', 'INT64', [2], [2, 0])
      .addInitializer('flat_shape', 'INT64', [1], [-1])
      .addInitializer('axes', 'INT64', [1], [1])
      .addNode('Gather', ['x', 'cols'], ['gathered'], { axis: 1 })
      .addNode('Cast', ['gathered'], ['as_int'], { to: 7 })
      .addNode('Concat', ['x', 'gathered'], ['concat'], { axis: 1 })
      .addNode('Reshape', ['concat', 'flat_shape'], ['flat'])
      .addNode('Unsqueeze', ['gathered', 'axes'], ['unsqueezed'])
      .addNode('Transpose', ['x'], ['transposed'], { perm: [1, 0] })
      .addNode('Identity', ['x'], ['same'])
      .addOutput('as_int', 'INT64', [-1, 2])
      .addOutput('concat', 'FP32', [-1, 5])
      .addOutput('flat', 'FP32', [-1])
      .addOutput('unsqueezed', 'FP32', [-1, 1, 2])
      .addOutput('transposed', 'FP32', [3, -1])
      .addOutput('same', 'FP32', [-1, 3]);
    const x = [1.7, 2, 3, -4.2, 5, 6];
    const out = await run(builder, { x: f32(x, [2, 3]) });
    expect(data(out, 'as_int')).toEqual([3, 1, 6, -4]); // Cast truncates toward zero
    expectClose(data(out, 'concat'), [1.7, 2, 3, 3, 1.7, -4.2, 5, 6, 6, -4.2]);
    expectClose(data(out, 'flat'), [1.7, 2, 3, 3, 1.7, -4.2, 5, 6, 6, -4.2]);
    expect(out.unsqueezed?.dims).toEqual([2, 1, 2]);
    expectClose(data(out, 'transposed'), [1.7, -4.2, 2, 5, 3, 6]);
    expectClose(data(out, 'same'), x);
  });

  it('one-hot encodes a categorical column with OneHot and with Equal, which agree', async () => {
    const categories = 3;
    const builder = new GraphBuilder()
      .addInput('x', 'FP32', [-1, 2]) // column 1 holds a category index
      .addInitializer('col', 'INT64', [], [1])
      .addInitializer('depth', 'INT64', [], [categories])
      .addInitializer('off_on', 'FP32', [2], [0, 1])
      .addInitializer('levels', 'FP32', [categories], [0, 1, 2])
      .addInitializer('unsq_axes', 'INT64', [1], [1])
      .addNode('Gather', ['x', 'col'], ['index_f'], { axis: 1 }) // [-1]
      .addNode('Cast', ['index_f'], ['index'], { to: 7 })
      .addNode('OneHot', ['index', 'depth', 'off_on'], ['onehot'], { axis: -1 }) // [-1, 3]
      .addNode('Unsqueeze', ['index_f', 'unsq_axes'], ['index_col']) // [-1, 1]
      .addNode('Equal', ['index_col', 'levels'], ['is_level']) // [-1, 3] BOOL
      .addNode('Cast', ['is_level'], ['equal_onehot'], { to: 1 })
      .addOutput('onehot', 'FP32', [-1, categories])
      .addOutput('equal_onehot', 'FP32', [-1, categories]);
    const out = await run(builder, { x: f32([9, 2, 9, 0, 9, 1], [3, 2]) });
    const expected = [0, 0, 1, 1, 0, 0, 0, 1, 0];
    expect(data(out, 'onehot')).toEqual(expected);
    expect(data(out, 'equal_onehot')).toEqual(expected);
  });

  it('takes float, floats, string, strings and tensor attributes (Constant, ConstantOfShape)', async () => {
    const builder = new GraphBuilder()
      .addInput('shape', 'INT64', [2])
      .addNode('Constant', [], ['c_float'], { value_float: 2 })
      .addNode('Constant', [], ['c_floats'], { value_floats: attr.floats([1, 2.5]) })
      .addNode('Constant', [], ['c_ints'], { value_ints: [4, -5] })
      .addNode('Constant', [], ['c_string'], { value_string: 'héllo' })
      .addNode('Constant', [], ['c_strings'], { value_strings: ['a', 'b'] })
      .addNode('Constant', [], ['c_tensor'], { value: attr.tensor('INT32', [2, 2], [1, 2, 3, 4]) })
      .addNode('ConstantOfShape', ['shape'], ['filled'], {
        value: { tensor: { datatype: 'FP32', dims: [1], values: [0.25] } },
      })
      .addOutput('c_float', 'FP32', [])
      .addOutput('c_floats', 'FP32', [2])
      .addOutput('c_ints', 'INT64', [2])
      .addOutput('c_string', 'BYTES', [])
      .addOutput('c_strings', 'BYTES', [2])
      .addOutput('c_tensor', 'INT32', [2, 2])
      .addOutput('filled', 'FP32', [-1, -1]);
    const out = await run(builder, {
      shape: new ort.Tensor('int64', BigInt64Array.from([2n, 3n]), [2]),
    });
    expect(out.c_float?.type).toBe('float32');
    expect(data(out, 'c_float')).toEqual([2]);
    expect(data(out, 'c_floats')).toEqual([1, 2.5]);
    expect(data(out, 'c_ints')).toEqual([4, -5]);
    expect(out.c_string?.data).toEqual(['héllo']);
    expect(out.c_strings?.data).toEqual(['a', 'b']);
    expect(data(out, 'c_tensor')).toEqual([1, 2, 3, 4]);
    expect(out.filled?.dims).toEqual([2, 3]);
    expect(data(out, 'filled')).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
  });

  it('builds a tabular classifier end to end: scale, one-hot, linear, Softmax, ArgMax', async () => {
    // Features: [age, city(index of 3), income]; 2 classes.
    const mean = [40, 50000];
    const std = [10, 20000];
    const weights = [
      [0.5, -0.5],
      [1, 0],
      [0, 1],
      [-1, 0.5],
      [0.25, 0.75],
    ]; // [in=5][classes=2]: age, city×3, income
    const bias = [0.1, -0.1];
    const builder = new GraphBuilder()
      .setTabularMetadata({
        features: ['age', 'city', 'income'],
        labels: ['no', 'yes'],
        categories: { city: ['A', 'B', 'C'] },
      })
      .addInput('input', 'FP32', [-1, 3])
      .addInitializer('numeric_cols', 'INT64', [2], [0, 2])
      .addInitializer('city_col', 'INT64', [1], [1])
      .addInitializer('mean', 'FP32', [2], mean)
      .addInitializer('std', 'FP32', [2], std)
      .addInitializer('city_levels', 'FP32', [3], [0, 1, 2])
      .addInitializer('W', 'FP32', [5, 2], weights.flat())
      .addInitializer('B', 'FP32', [2], bias)
      .addInitializer('prediction_shape', 'INT64', [2], [-1, 1])
      .addNode('Gather', ['input', 'numeric_cols'], ['numeric'], { axis: 1 })
      .addNode('Sub', ['numeric', 'mean'], ['centered'])
      .addNode('Div', ['centered', 'std'], ['scaled'])
      .addNode('Gather', ['input', 'city_col'], ['city'], { axis: 1 })
      .addNode('Equal', ['city', 'city_levels'], ['city_bool'])
      .addNode('Cast', ['city_bool'], ['city_onehot'], { to: 1 })
      .addNode('Concat', ['scaled', 'city_onehot'], ['encoded_unordered'], { axis: 1 }) // [age, income, A, B, C]
      .addInitializer('order', 'INT64', [5], [0, 2, 3, 4, 1])
      .addNode('Gather', ['encoded_unordered', 'order'], ['encoded'], { axis: 1 }) // [age, A, B, C, income]
      .addNode('MatMul', ['encoded', 'W'], ['logits_raw'])
      .addNode('Add', ['logits_raw', 'B'], ['logits'])
      .addNode('Softmax', ['logits'], ['probabilities'], { axis: 1 })
      .addNode('ArgMax', ['probabilities'], ['class_index'], { axis: 1, keepdims: 1 })
      .addNode('Cast', ['class_index'], ['class_float'], { to: 1 })
      .addNode('Reshape', ['class_float', 'prediction_shape'], ['prediction'])
      .addOutput('prediction', 'FP32', [-1, 1])
      .addOutput('probabilities', 'FP32', [-1, 2]);
    const rows = [
      [30, 2, 80000],
      [55, 0, 20000],
    ];
    const out = await run(builder, { input: f32(rows.flat(), [2, 3]) });

    const expected = rows.map(([age = 0, city = 0, income = 0]) => {
      const encoded = [
        (age - 40) / 10,
        ...[0, 1, 2].map((l) => (l === city ? 1 : 0)),
        (income - 50000) / 20000,
      ];
      const logits = bias.map((b, c) =>
        encoded.reduce((s, v, i) => s + v * (weights[i]?.[c] ?? 0), b),
      );
      const exps = logits.map(Math.exp);
      const total = exps.reduce((s, v) => s + v, 0);
      return exps.map((v) => v / total);
    });
    expectClose(data(out, 'probabilities'), expected.flat());
    expect(data(out, 'prediction')).toEqual(
      expected.map((p) => ((p[1] ?? 0) > (p[0] ?? 0) ? 1 : 0)),
    );
  });

  it('loads models at opsets 13, 17 and 21 (IR 7, 8, 10)', async () => {
    for (const opsetVersion of [13, 17, 21]) {
      const builder = new GraphBuilder({ opsetVersion })
        .addInput('x', 'FP32', [-1])
        .addNode('Relu', ['x'], ['y'])
        .addOutput('y', 'FP32', [-1]);
      const out = await run(builder, { x: f32([-1, 1], [2]) });
      expect(data(out, 'y')).toEqual([0, 1]);
    }
  });
});
