import { SeededRandom, argmax, sampleToken } from './sampling';

const logits = Float32Array.from([0, Math.log(2), Math.log(3)]);

describe('sampleToken', () => {
  it('is argmax at temperature 0 whatever u is', () => {
    for (const u of [0, 0.5, 0.999]) {
      expect(sampleToken(logits, 0, 3, { temperature: 0, topK: 0, topP: 1 }, u)).toBe(2);
    }
    expect(argmax([1, 3, 3, 2])).toBe(1);
  });

  it('walks the softmax in vocabulary order without cuts', () => {
    // Probabilities 1/6, 2/6, 3/6.
    const pick = (u: number) => sampleToken(logits, 0, 3, { temperature: 1, topK: 0, topP: 1 }, u);
    expect([0.1, 0.2, 0.49, 0.51, 0.99].map(pick)).toEqual([0, 1, 1, 2, 2]);
  });

  it('cuts to the top k, most likely first', () => {
    // Tokens 2 and 1, weights 3 and 2: 2 below u = 0.6, 1 above.
    const pick = (u: number) => sampleToken(logits, 0, 3, { temperature: 1, topK: 2, topP: 1 }, u);
    expect([0.1, 0.59, 0.61, 0.99].map(pick)).toEqual([2, 2, 1, 1]);
  });

  it('cuts to the top-p nucleus', () => {
    // 3/6 < 0.6 ≤ 5/6: tokens 2 and 1 stay.
    const pick = (u: number) =>
      sampleToken(logits, 0, 3, { temperature: 1, topK: 0, topP: 0.6 }, u);
    expect([0.1, 0.61, 0.99].map(pick)).toEqual([2, 1, 1]);
    expect(sampleToken(logits, 0, 3, { temperature: 1, topK: 0, topP: 0.4 }, 0.99)).toBe(2);
  });

  it('reads one row of a batch at its offset', () => {
    const rows = Float32Array.from([9, 0, 0, 0, 0, 9]);
    expect(sampleToken(rows, 3, 3, { temperature: 0, topK: 0, topP: 1 }, 0)).toBe(2);
  });

  it('sharpens with a low temperature', () => {
    const counts = [0, 0, 0];
    const rng = new SeededRandom(1);
    for (let i = 0; i < 2000; i++) {
      const t = sampleToken(logits, 0, 3, { temperature: 0.2, topK: 0, topP: 1 }, rng.next());
      counts[t] = (counts[t] ?? 0) + 1;
    }
    // p(2) = 3^5 / (1 + 2^5 + 3^5) ≈ 0.88.
    expect((counts[2] ?? 0) / 2000).toBeGreaterThan(0.84);
    expect((counts[2] ?? 0) / 2000).toBeLessThan(0.92);
  });
});

describe('SeededRandom', () => {
  it('repeats for a seed, differs across seeds, and stays in [0, 1)', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 100 }, () => r.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(1)).not.toEqual(draw(2 ** 32 + 1));
    const values = draw(7);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
  });
});
