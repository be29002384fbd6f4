import { describe, expect, it } from 'vitest';
import { comparableMetrics, metricSeries } from './metric-series';

const versions = [
  { version: 3, metrics: { mse: 0.08, r2: 0.91, note: 'x' } },
  { version: 2, metrics: { mse: 0.1, r2: 0.9 } },
  { version: 1, metrics: { mse: 0.2 } },
  { version: 4, metrics: null },
];

describe('metric series', () => {
  it('lists numeric metrics found in two versions or more, most common first', () => {
    expect(comparableMetrics(versions)).toEqual(['mse', 'r2']);
    expect(comparableMetrics([{ metrics: { mse: 1 } }])).toEqual([]);
  });
  it('gives values oldest version first, skipping versions without the metric', () => {
    expect(metricSeries(versions, 'r2')).toEqual([
      { version: 2, value: 0.9 },
      { version: 3, value: 0.91 },
    ]);
  });
});
