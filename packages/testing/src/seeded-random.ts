/**
 * mulberry32: a small seeded generator of uniform numbers in [0, 1), so test and benchmark data
 * are the same on every run. (Training's own reproducible randomness is @maas/training's
 * `SeededRandom`, whose state a checkpoint stores.)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` rows of `width` deterministic pseudo-random FP32 values in [-1, 1). */
export function randomRows(count: number, width: number, seed = 1): number[][] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: width }, () => Math.fround(next() * 2 - 1)),
  );
}
