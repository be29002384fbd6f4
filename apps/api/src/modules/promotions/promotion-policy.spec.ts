import { describe, expect, it } from 'vitest';
import { checkPolicy, DEFAULT_MAX_ERROR_RATE, limitCrossed } from './promotion-policy';

describe('checkPolicy', () => {
  it('fills in the defaults: 10/50/100 held for 100 requests and 60 s, maxErrorRate 0.05', () => {
    const { policy, steps } = checkPolicy(undefined);
    expect(steps.map((s) => [s.weight, s.minRequests, s.minSeconds])).toEqual([
      [10, 100, 60],
      [50, 100, 60],
      [100, 100, 60],
    ]);
    expect(policy).toMatchObject({
      maxErrorRate: DEFAULT_MAX_ERROR_RATE,
      maxP99LatencyMs: null,
      requireApproval: false,
      evaluationDatasetId: null,
      metric: null,
      maxRegression: null,
    });
  });

  it('holds a step only for what it names', () => {
    const { steps } = checkPolicy({
      steps: [
        { weight: 40, minSeconds: 5 },
        { weight: 100, minRequests: 7 },
      ],
    });
    expect(steps.map((s) => [s.minRequests, s.minSeconds])).toEqual([
      [0, 5],
      [7, 0],
    ]);
  });

  it('takes 10 steps and refuses 11', () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ weight: (i + 1) * 10 }));
    expect(checkPolicy({ steps: ten }).steps).toHaveLength(10);
    expect(() => checkPolicy({ steps: [{ weight: 5 }, ...ten] })).toThrow(/1 to 10/);
  });

  it('defaults maxRegression to 0 with an evaluation; the metric is left to the gate', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect(checkPolicy({ evaluationDatasetId: id }).policy).toMatchObject({ metric: null });
    expect(() => checkPolicy({ evaluationDatasetId: id, metric: 'speed' })).toThrow(/"rmse"/);
    expect(checkPolicy({ evaluationDatasetId: id, metric: 'rmse' }).policy).toMatchObject({
      evaluationDatasetId: id,
      metric: 'rmse',
      maxRegression: 0,
    });
  });
});

describe('limitCrossed', () => {
  const policy = checkPolicy({ maxErrorRate: 0.1, maxP99LatencyMs: 20 }).policy;
  it('rolls back above the limits, not at them', () => {
    const at = { weight: 10, requests: 10, errorRate: 0.1, p99LatencyMs: 20, onlineMetrics: null };
    expect(limitCrossed(policy, at)).toBeNull();
    expect(limitCrossed(policy, { ...at, errorRate: 0.11 })).toMatch(/error rate was 0.11 over 10/);
    expect(limitCrossed(policy, { ...at, p99LatencyMs: 20.5 })).toMatch(/p99 latency was 20.5 ms/);
    expect(
      limitCrossed(policy, { ...at, requests: 0, errorRate: null, p99LatencyMs: null }),
    ).toBeNull();
  });
});

describe('online-metric limits', () => {
  const at = { weight: 10, requests: 10, errorRate: 0, p99LatencyMs: 1 };
  it('are informational unless named; crossed above a max and below a min', () => {
    const none = checkPolicy(undefined).policy;
    expect(none).toMatchObject({ maxOnlineRmse: null, minOnlineAccuracy: null });
    expect(limitCrossed(none, { ...at, onlineMetrics: { mae: 1e6, rmse: 1e6 } })).toBeNull();
    const policy = checkPolicy({ maxOnlineRmse: 0.5, minOnlineAccuracy: 0.8 }).policy;
    expect(limitCrossed(policy, { ...at, onlineMetrics: { mae: 0.4, rmse: 0.5 } })).toBeNull();
    expect(limitCrossed(policy, { ...at, onlineMetrics: { mae: 0.4, rmse: 0.75 } })).toMatch(
      /online RMSE from feedback was 0.75, above maxOnlineRmse 0.5/,
    );
    expect(limitCrossed(policy, { ...at, onlineMetrics: { accuracy: 0.7, logLoss: 0.2 } })).toMatch(
      /online accuracy from feedback was 0.7, below minOnlineAccuracy 0.8/,
    );
    // No feedback yet: nothing to judge.
    expect(limitCrossed(policy, { ...at, onlineMetrics: null })).toBeNull();
  });
  it('are refused out of range', () => {
    expect(() => checkPolicy({ minOnlineAccuracy: 1.5 })).toThrow(/"minOnlineAccuracy"/);
    expect(() => checkPolicy({ maxOnlineRmse: -1 })).toThrow(/"maxOnlineRmse"/);
    expect(() => checkPolicy({ maxOnlineMae: Number.NaN })).toThrow(/"maxOnlineMae"/);
  });
});
