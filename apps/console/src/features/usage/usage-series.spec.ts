import { describe, expect, it } from 'vitest';
import {
  dailySeries,
  usageBreakdown,
  usageTotals,
  usageWindow,
  type UsageRecord,
} from './usage-series';

function record(start: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    start,
    apiKey: null,
    model: null,
    deployment: null,
    requests: 0,
    predictionRows: 0,
    promptTokens: 0,
    completionTokens: 0,
    trainingSeconds: 0,
    ...overrides,
  };
}

const model = (id: string, name: string) => ({ __typename: 'Model' as const, id, name });

describe('usageWindow', () => {
  it('covers the last N UTC days, today included', () => {
    const span = usageWindow(new Date('2025-06-30T15:20:00Z'), 30);
    expect(span.from).toBe('2025-06-01T00:00:00.000Z');
    expect(span.to).toBe('2025-06-30T15:20:00.000Z');
  });
});

describe('dailySeries', () => {
  it('puts each record on its day, with zeros on days without any', () => {
    const span = { from: '2025-06-01T00:00:00.000Z', days: 3 };
    const series = dailySeries(
      [
        record('2025-06-01T00:00:00Z', { requests: 2, predictionRows: 10 }),
        record('2025-06-03T00:00:00Z', { requests: 1, trainingSeconds: 4.5 }),
        // Two records of one day (two models) add up.
        record('2025-06-03T00:00:00Z', { requests: 3, completionTokens: 7 }),
        // Outside the window: left out.
        record('2025-05-31T00:00:00Z', { requests: 100 }),
      ],
      span,
    );
    expect(series.x).toEqual([
      Date.parse('2025-06-01T00:00:00Z') / 1000,
      Date.parse('2025-06-02T00:00:00Z') / 1000,
      Date.parse('2025-06-03T00:00:00Z') / 1000,
    ]);
    expect(series.values.requests).toEqual([2, 0, 4]);
    expect(series.values.predictionRows).toEqual([10, 0, 0]);
    expect(series.values.completionTokens).toEqual([0, 0, 7]);
    expect(series.values.trainingSeconds).toEqual([0, 0, 4.5]);
  });
});

describe('usageBreakdown', () => {
  it('sums per model over the days, busiest first, and names what has no model', () => {
    const rows = usageBreakdown(
      [
        record('2025-06-01T00:00:00Z', { model: model('a', 'alpha'), requests: 1 }),
        record('2025-06-02T00:00:00Z', { model: model('b', 'beta'), requests: 5 }),
        record('2025-06-03T00:00:00Z', { model: model('a', 'alpha'), requests: 2 }),
        record('2025-06-03T00:00:00Z', { trainingSeconds: 30 }),
      ],
      'model',
    );
    expect(rows.map((r) => [r.name, r.requests, r.trainingSeconds])).toEqual([
      ['beta', 5, 0],
      ['alpha', 3, 0],
      ['No model', 0, 30],
    ]);
  });

  it('totals every figure', () => {
    expect(
      usageTotals([
        record('2025-06-01T00:00:00Z', { requests: 1, promptTokens: 3 }),
        record('2025-06-02T00:00:00Z', { requests: 2, promptTokens: 4 }),
      ]),
    ).toMatchObject({ requests: 3, promptTokens: 7, completionTokens: 0 });
  });
});
