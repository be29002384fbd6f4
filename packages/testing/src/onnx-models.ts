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
