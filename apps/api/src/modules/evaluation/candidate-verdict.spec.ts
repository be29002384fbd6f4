import { describe, expect, it } from 'vitest';
import { candidateVerdict, gateMetric } from './candidate-verdict';

const job = (champion: Record<string, number>, candidate: Record<string, number>) => ({
  status: 'SUCCEEDED' as const,
  error: null,
  results: [
    { versionId: 'a', metrics: champion, details: null },
    { versionId: 'b', metrics: candidate, details: null },
  ],
});

describe('candidateVerdict', () => {
  it('passes a candidate worse by at most the margin, for errors and scores alike', () => {
    expect(candidateVerdict(job({ rmse: 1 }, { rmse: 1.05 }), 'rmse', 0.1)).toEqual({
      outcome: 'PASSED',
      champion: 1,
      candidate: 1.05,
      worseBy: expect.closeTo(0.05, 12) as number,
    });
    expect(candidateVerdict(job({ rmse: 1 }, { rmse: 1.2 }), 'rmse', 0.1).outcome).toBe('FAILED');
    expect(
      candidateVerdict(job({ accuracy: 0.9 }, { accuracy: 0.95 }), 'accuracy', 0).outcome,
    ).toBe('PASSED');
    expect(
      candidateVerdict(job({ accuracy: 0.9 }, { accuracy: 0.85 }), 'accuracy', 0.01).outcome,
    ).toBe('FAILED');
  });

  it('waits for a running job and reports a failed one, an unknown or missing metric', () => {
    expect(candidateVerdict({ status: 'RUNNING', error: null, results: [] }, 'rmse', 0)).toEqual({
      outcome: 'PENDING',
    });
    expect(candidateVerdict({ status: 'FAILED', error: 'boom', results: [] }, 'rmse', 0)).toEqual({
      outcome: 'ERROR',
      reason: 'boom',
    });
    expect(candidateVerdict(job({ rmse: 1 }, { rmse: 1 }), 'speed', 0).outcome).toBe('ERROR');
    expect(candidateVerdict(job({ rmse: 1 }, { rmse: 1 }), 'accuracy', 0).outcome).toBe('ERROR');
  });
});

describe('gateMetric', () => {
  it('defaults by task and refuses a metric the versions are not scored on', () => {
    expect(gateMetric(null, false, 'f')).toBe('rmse');
    expect(gateMetric(null, true, 'f')).toBe('accuracy');
    expect(gateMetric('mae', false, 'f')).toBe('mae');
    expect(gateMetric('logLoss', true, 'f')).toBe('logLoss');
    expect(() => gateMetric('accuracy', false, 'policy.metric')).toThrow(/"rmse"/);
    expect(() => gateMetric('r2', true, 'policy.metric')).toThrow(/"accuracy"/);
  });
});
