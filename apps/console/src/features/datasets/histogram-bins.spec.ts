import { describe, expect, it } from 'vitest';
import { categoryCounts, histogramBins } from './histogram-bins';

describe('histogramBins', () => {
  it('counts values into equal-width bins, the maximum in the last one', () => {
    const bins = histogramBins([0, 0.1, 0.5, 0.99, 1, 'x', null, 2], 0, 1, 4);
    expect(bins.map((b) => b.count)).toEqual([2, 0, 1, 2]);
    expect(bins[0]).toMatchObject({ from: 0, to: 0.25 });
    expect(bins[3]?.to).toBe(1);
  });
  it('puts a constant column in one bin', () => {
    expect(histogramBins([3, 3, 3], 3, 3)).toEqual([{ from: 3, to: 3, count: 3 }]);
  });
  it('gives nothing for a column without a range', () => {
    expect(histogramBins([1], Number.NaN, 1)).toEqual([]);
  });
});

describe('categoryCounts', () => {
  it('counts the most frequent categories first and skips missing values', () => {
    expect(categoryCounts(['a', 'b', 'a', null, '', true, 'a', 'b'], 2)).toEqual([
      { label: 'a', count: 3 },
      { label: 'b', count: 2 },
    ]);
  });
});
