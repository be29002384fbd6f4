import { describe, expect, it } from 'vitest';
import { candidateVerdict } from './candidate-verdict';

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
