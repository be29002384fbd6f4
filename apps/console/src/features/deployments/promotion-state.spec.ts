import { describe, expect, it } from 'vitest';
import {
  isActivePromotion,
  promotionTone,
  requestProgress,
  stepSplit,
  stepState,
} from './promotion-state';

const step = (over: Partial<Parameters<typeof stepState>[0]> = {}) => ({
  __typename: 'PromotionStep' as const,
  weight: 10,
  minRequests: 100,
  minSeconds: 60,
  startedAt: null,
  endedAt: null,
  requests: 0,
  errors: 0,
  errorRate: null,
  p99LatencyMs: null,
  outcome: null,
  ...over,
});

describe('promotion state', () => {
  it('reads a step as pending, running, or its outcome', () => {
    expect(stepState(step())).toBe('pending');
    expect(stepState(step({ startedAt: '2026-01-01T00:00:00Z' }))).toBe('running');
    expect(stepState(step({ startedAt: 'x', outcome: 'rolled back' }))).toBe('rolled back');
    expect(stepState(step({ startedAt: 'x', outcome: 'passed' }))).toBe('passed');
  });

  it('measures the request hold, capped at 1, and the split', () => {
    expect(requestProgress(step({ requests: 25 }))).toBe(0.25);
    expect(requestProgress(step({ requests: 250 }))).toBe(1);
    expect(requestProgress(step({ minRequests: 0 }))).toBe(1);
    expect(stepSplit(step({ weight: 30 }))).toEqual({ candidate: 30, champion: 70 });
  });

  it('tells active from final statuses and tones them', () => {
    expect(isActivePromotion('ROLLING_OUT')).toBe(true);
    expect(isActivePromotion('WAITING_FOR_APPROVAL')).toBe(true);
    expect(isActivePromotion('COMPLETED')).toBe(false);
    expect(promotionTone('ROLLED_BACK')).toBe('danger');
    expect(promotionTone('COMPLETED')).toBe('success');
  });
});
