import { describe, expect, it } from 'vitest';
import { checkTexts, cosine, cosineMatrix, MAX_TRY_TEXTS, norm } from './similarity';

describe('cosine similarity', () => {
  it('matches hand-computed values', () => {
    // (1,2,2)·(2,1,2) = 8; both have length 3.
    expect(cosine([1, 2, 2], [2, 1, 2])).toBeCloseTo(8 / 9, 12);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 0], [-3, 0])).toBeCloseTo(-1, 12);
    // Scale does not matter.
    expect(cosine([3, 4], [6, 8])).toBeCloseTo(1, 12);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(() => cosine([1], [1, 2])).toThrow();
  });

  it('builds a symmetric matrix with ones on the diagonal', () => {
    const m = cosineMatrix([
      [1, 2, 2],
      [2, 1, 2],
      [0, 0, 1],
    ]);
    expect(m).toHaveLength(3);
    for (let i = 0; i < 3; i += 1) {
      expect(m[i]?.[i]).toBeCloseTo(1, 12);
      for (let j = 0; j < 3; j += 1) expect(m[i]?.[j]).toBe(m[j]?.[i]);
    }
    expect(m[0]?.[2]).toBeCloseTo(2 / 3, 12);
    expect(norm([3, 4])).toBe(5);
  });
});

describe('try-out texts', () => {
  it('accepts one to MAX_TRY_TEXTS non-empty texts', () => {
    expect(checkTexts(['a', 'b'])).toEqual({ texts: ['a', 'b'] });
    expect(checkTexts([])).toEqual({ error: expect.stringContaining('at least one') });
    expect(checkTexts(['a', '  '])).toEqual({ error: expect.stringContaining('Text 2 is empty') });
    expect(checkTexts(Array.from({ length: MAX_TRY_TEXTS + 1 }, () => 'x'))).toEqual({
      error: expect.stringContaining(`At most ${MAX_TRY_TEXTS}`),
    });
    expect(checkTexts(['x'.repeat(4001)])).toEqual({ error: expect.stringContaining('longer') });
  });
});
