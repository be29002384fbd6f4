import { describe, expect, it } from 'vitest';
import { driftLevel, monitoringSeries } from './monitoring-series';

const v = (version: number) => ({ id: `v${version}`, version });

describe('monitoringSeries', () => {
  it('aligns versions on the bucket starts, takes the largest PSI per feature and bucket', () => {
    const s = monitoringSeries([
      {
        start: '1970-01-01T00:02:00Z',
        version: v(2),
        feedbackCount: 1,
        onlineMetrics: { rmse: 2 },
        inputDrift: [{ feature: 'x', psi: 0.5 }],
      },
      {
        start: '1970-01-01T00:01:00Z',
        version: v(1),
        feedbackCount: 1,
        onlineMetrics: { rmse: 1 },
        inputDrift: [{ feature: 'x', psi: 0.1 }],
      },
      {
        start: '1970-01-01T00:02:00Z',
        version: v(1),
        feedbackCount: 0,
        onlineMetrics: null,
        inputDrift: [
          { feature: 'x', psi: 0.2 },
          { feature: 'a', psi: 0.05 },
        ],
      },
    ]);
    expect(s.x).toEqual([60, 120]);
    expect(s.metric).toBe('rmse');
    expect(s.online).toEqual([
      { version: 1, values: [1, null] },
      { version: 2, values: [null, 2] },
    ]);
    expect(s.drift).toEqual([
      { feature: 'a', values: [null, 0.05] },
      { feature: 'x', values: [0.1, 0.5] },
    ]);
    expect(s.latestDrift).toEqual([
      { feature: 'x', psi: 0.5, version: 2 },
      { feature: 'a', psi: 0.05, version: 1 },
    ]);
  });

  it('fills the buckets between, and one either side, when told their size', () => {
    const s = monitoringSeries(
      [
        {
          start: '1970-01-01T00:03:00Z',
          version: v(1),
          feedbackCount: 1,
          onlineMetrics: { rmse: 1 },
          inputDrift: [{ feature: 'x', psi: 0.3 }],
        },
      ],
      60,
    );
    expect(s.x).toEqual([120, 180, 240]);
    expect(s.online).toEqual([{ version: 1, values: [null, 1, null] }]);
    expect(s.drift).toEqual([{ feature: 'x', values: [null, 0.3, null] }]);
    const two = monitoringSeries(
      [
        { start: '1970-01-01T00:01:00Z', version: v(1), feedbackCount: 0, inputDrift: [] },
        { start: '1970-01-01T00:03:00Z', version: v(1), feedbackCount: 0, inputDrift: [] },
      ],
      60,
    );
    expect(two.x).toEqual([0, 60, 120, 180, 240]);
  });

  it('uses accuracy for classifiers and nothing without feedback', () => {
    const base = { start: '1970-01-01T00:00:00Z', version: v(1), feedbackCount: 0, inputDrift: [] };
    expect(
      monitoringSeries([{ ...base, onlineMetrics: { accuracy: 0.9, logLoss: 0.2 } }]).metric,
    ).toBe('accuracy');
    expect(monitoringSeries([{ ...base, onlineMetrics: null }]).metric).toBeNull();
    expect(driftLevel(0.05)).toBe('stable');
    expect(driftLevel(0.25)).toBe('moderate');
    expect(driftLevel(0.26)).toBe('large');
  });
});
