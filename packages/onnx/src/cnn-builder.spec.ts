import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildCnnModel, seededRandom } from './index';

function samples(count: number, size: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: size }, () => random() * 2 - 1),
  );
}

describe('buildCnnModel', () => {
  it('matches its JS forward pass in onnxruntime, one sample and a batch', async () => {
    const cnn = buildCnnModel({ inputShape: [3, 9, 7], channels: 8, blocks: 2, classes: 5 });
    const session = await ort.InferenceSession.create(cnn.bytes);
    try {
      const batch = samples(3, 3 * 9 * 7, 5);
      const expected = cnn.forward(batch);
      const data = new Float32Array(3 * 3 * 9 * 7);
      batch.forEach((s, i) => data.set(s, i * s.length));
      const { output } = await session.run({
        input: new ort.Tensor('float32', data, [3, 3, 9, 7]),
      });
      expect(output?.dims).toEqual([3, 5]);
      const got = Array.from(output?.data as Float32Array);
      expected.flat().forEach((v, i) => expect(Math.abs((got[i] ?? NaN) - v)).toBeLessThan(1e-4));
      // Logits differ across samples (the network is not constant).
      expect(expected[0]).not.toEqual(expected[1]);
    } finally {
      await session.release();
    }
  });

  it('defaults to 1×28×28 → 10 with about 30 M multiply-accumulates, deterministically', () => {
    const a = buildCnnModel();
    const b = buildCnnModel();
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(Buffer.from(buildCnnModel({ seed: 2 }).bytes).equals(Buffer.from(a.bytes))).toBe(false);
    expect(a.macsPerSample).toBe(28 * 28 * 9 * (32 + 4 * 32 * 32) + 320);
  });

  it('rejects sizes out of range', () => {
    expect(() => buildCnnModel({ channels: 0 })).toThrow(/channels/);
    expect(() => buildCnnModel({ blocks: -1 })).toThrow(/blocks/);
    expect(() => buildCnnModel({ inputShape: [1, 1e6, 1] })).toThrow(/inputShape/);
  });
});
