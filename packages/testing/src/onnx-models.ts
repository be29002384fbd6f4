import { GraphBuilder, buildLinearModel } from '@maas/onnx';

/**
 * A deliberately slow model: `depth` MatMuls of [-1, width] by one shared [width, width] weight
 * (scaled to keep values bounded). About rows × width² × depth multiply-adds per run.
 */
export function buildSlowModel(width: number, depth: number): Uint8Array {
  const weights = new Float32Array(width * width).map((_, i) => ((i % 7) - 3) / (width * 4));
  const builder = new GraphBuilder()
    .addInput('x', 'FP32', [-1, width])
    .addInitializer('w', 'FP32', [width, width], weights);
  let current = 'x';
  for (let i = 0; i < depth; i++) {
    const next = i + 1 === depth ? 'y' : `h${i}`;
    builder.addNode('MatMul', [current, 'w'], [next]);
    current = next;
  }
  return builder.addOutput('y', 'FP32', [-1, width]).toBytes();
}

/** A linear model with a `size`×`size` weight matrix (about 4·size² bytes), distinct per seed. */
export function buildSquareLinearModel(size: number, seed: number): Uint8Array {
  const weights = Array.from({ length: size }, (_, o) =>
    Array.from({ length: size }, (_, i) => ((o * 31 + i * 17 + seed) % 13) / 13),
  );
  return buildLinearModel({ weights, bias: Array.from({ length: size }, (_, o) => seed + o) });
}

/**
 * A model ONNX Runtime does not finish: a `Loop` adding 1 to `input` [-1, 1] `trips` times
 * (about 1.7 µs per trip on one core: 10^6 trips ≈ 2 s, 10^12 trips ≈ weeks).
 */
export function buildLoopModel(trips: bigint): Uint8Array {
  const body = new GraphBuilder({ graphName: 'body' });
  body.addInput('i', 'INT64', []).addInput('cond', 'BOOL', []).addInput('v', 'FP32', [-1, 1]);
  body.addInitializer('one', 'FP32', [], [1]);
  body.addNode('Identity', ['cond'], ['cond_out']).addNode('Add', ['v', 'one'], ['v_out']);
  body.addOutput('cond_out', 'BOOL', []).addOutput('v_out', 'FP32', [-1, 1]);
  const g = new GraphBuilder();
  g.addInput('input', 'FP32', [-1, 1]);
  g.addInitializer('trips', 'INT64', [], [trips]);
  g.addInitializer('keep_going', 'BOOL', [], [true]);
  g.addNode('Loop', ['trips', 'keep_going', 'input'], ['output'], { body: { graph: body } });
  g.addOutput('output', 'FP32', [-1, 1]);
  return g.toBytes();
}

/**
 * A model whose run holds as much memory as its input asks for and never finishes: `input`
 * [-1, 1] FP32, whose first value n makes a zero-filled FP32 tensor of n elements (4·n bytes,
 * all touched), then a `Loop` of 10^12 trips adds 1 to it (each trip allocating another one).
 * A tiny n (upload validation, [[1]]) costs nothing; [[1e8]] holds about 800 MB.
 */
export function buildMemoryHogModel(): Uint8Array {
  const body = new GraphBuilder({ graphName: 'body' });
  body.addInput('i', 'INT64', []).addInput('cond', 'BOOL', []).addInput('v', 'FP32', [-1]);
  body.addInput('w', 'FP32', [-1, 1]);
  body.addInitializer('one', 'FP32', [], [1]);
  body
    .addNode('Identity', ['cond'], ['cond_out'])
    .addNode('Add', ['v', 'one'], ['v_out'])
    .addNode('Identity', ['w'], ['w_out']);
  body.addOutput('cond_out', 'BOOL', []).addOutput('v_out', 'FP32', [-1]);
  body.addOutput('w_out', 'FP32', [-1, 1]);
  const g = new GraphBuilder();
  g.addInput('input', 'FP32', [-1, 1]);
  g.addInitializer('one_elem', 'INT64', [1], [1n]);
  g.addInitializer('trips', 'INT64', [], [1_000_000_000_000n]);
  g.addInitializer('keep_going', 'BOOL', [], [true]);
  g.addInitializer('minus_one', 'INT64', [1], [-1n]);
  g.addInitializer('zero', 'INT64', [1], [0n]);
  g.addNode('Reshape', ['input', 'minus_one'], ['flat'])
    .addNode('Slice', ['flat', 'zero', 'one_elem'], ['first'])
    .addNode('Cast', ['first'], ['n'], { to: 7 })
    .addNode('ConstantOfShape', ['n'], ['big'])
    .addNode('Loop', ['trips', 'keep_going', 'big', 'input'], ['big_out', 'output'], {
      body: { graph: body },
    });
  g.addOutput('output', 'FP32', [-1, 1]);
  return g.toBytes();
}

/**
 * A model that fails on some inputs and answers the others: `input` [-1, 1] FP32, `output` =
 * input + 5, computed through a Gather whose indices are the input values cast to integers, from
 * a one-element table. Inputs in (-2, 1) (cast to 0 or -1) are answered; any other value makes
 * ONNX Runtime refuse the run (index out of bounds), so a batch fails when one of its values does.
 * Loading it (upload validation) runs nothing.
 */
export function buildFailsOnSomeInputsModel(): Uint8Array {
  const g = new GraphBuilder();
  g.addInput('input', 'FP32', [-1, 1]);
  g.addInitializer('table', 'FP32', [1], [5]);
  g.addNode('Cast', ['input'], ['index'], { to: 7 })
    .addNode('Gather', ['table', 'index'], ['offset'], { axis: 0 })
    .addNode('Add', ['input', 'offset'], ['output']);
  g.addOutput('output', 'FP32', [-1, 1]);
  return g.toBytes();
}
