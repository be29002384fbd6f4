import { seededRandom } from '@maas/onnx';

// mulberry32, from @maas/onnx (its model builders draw their weights with it). Training's own
// reproducible randomness is @maas/training's `SeededRandom`, whose state a checkpoint stores.
export { seededRandom };

/** `count` rows of `width` deterministic pseudo-random FP32 values in [-1, 1). */
export function randomRows(count: number, width: number, seed = 1): number[][] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: width }, () => Math.fround(next() * 2 - 1)),
  );
}
