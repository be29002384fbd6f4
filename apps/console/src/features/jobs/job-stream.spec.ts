import { describe, expect, it } from 'vitest';
import type { EpochFieldsFragment, JobDetailFieldsFragment } from '@/gql/graphql';
import { initialJobStream, jobStreamReducer, lastEpoch, needsHistory } from './job-stream';

function job(overrides: Partial<JobDetailFieldsFragment> = {}): JobDetailFieldsFragment {
  return {
    id: 'j1',
    status: 'RUNNING',
    algorithm: 'LINEAR_REGRESSION',
    target: 'y',
    epoch: 0,
    epochs: 10,
    progress: 0,
    attempts: 1,
    error: null,
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: '2025-01-01T00:00:01Z',
    finishedAt: null,
    model: { id: 'm1', name: 'seed' },
    dataset: { id: 'd1', name: 'xy' },
    resultVersion: null,
    features: ['x'],
    hyperparameters: { epochs: 10 },
    seq: 1,
    warmStartVersion: null,
    ...overrides,
  };
}

const epoch = (n: number, loss = 1 / n): EpochFieldsFragment => ({
  epoch: n,
  loss,
  validationLoss: loss * 1.1,
  metrics: null,
  at: '2025-01-01T00:00:00Z',
});

describe('jobStreamReducer', () => {
  it('starts from the query, then follows events and history increments', () => {
    let state = jobStreamReducer(initialJobStream, {
      type: 'loaded',
      job: job({ epoch: 2, seq: 3 }),
      history: [epoch(1), epoch(2)],
    });
    expect(lastEpoch(state)).toBe(2);
    expect(needsHistory(state)).toBe(false);

    state = jobStreamReducer(state, { type: 'event', job: job({ epoch: 4, seq: 5 }) });
    expect(state.job?.epoch).toBe(4);
    expect(needsHistory(state)).toBe(true);

    state = jobStreamReducer(state, { type: 'history', epochs: [epoch(4), epoch(3)] });
    expect(state.history.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(needsHistory(state)).toBe(false);
  });

  it('drops stale and repeated events', () => {
    let state = jobStreamReducer(initialJobStream, {
      type: 'loaded',
      job: job({ epoch: 5, seq: 7 }),
      history: [],
    });
    state = jobStreamReducer(state, { type: 'event', job: job({ epoch: 3, seq: 4 }) });
    expect(state.job?.epoch).toBe(5);
    const same = jobStreamReducer(state, { type: 'event', job: job({ epoch: 5, seq: 7 }) });
    expect(same).toBe(state);
  });

  it('never duplicates epochs that arrive twice', () => {
    let state = jobStreamReducer(initialJobStream, {
      type: 'loaded',
      job: job({ epoch: 2 }),
      history: [epoch(1), epoch(2)],
    });
    state = jobStreamReducer(state, { type: 'history', epochs: [epoch(2), epoch(3), epoch(3)] });
    expect(state.history.map((e) => e.epoch)).toEqual([1, 2, 3]);
  });

  it('keeps a newer event when an older query result lands late', () => {
    let state = jobStreamReducer(initialJobStream, {
      type: 'event',
      job: job({ epoch: 6, seq: 9 }),
    });
    state = jobStreamReducer(state, {
      type: 'loaded',
      job: job({ epoch: 4, seq: 6 }),
      history: [epoch(1), epoch(2), epoch(3), epoch(4)],
    });
    expect(state.job?.seq).toBe(9);
    expect(state.history).toHaveLength(4);
  });

  it('starts the curve again for a retried attempt', () => {
    let state = jobStreamReducer(initialJobStream, {
      type: 'loaded',
      job: job({ status: 'FAILED', epoch: 3, seq: 4 }),
      history: [epoch(1), epoch(2), epoch(3)],
    });
    state = jobStreamReducer(state, {
      type: 'event',
      job: job({ status: 'QUEUED', epoch: 0, attempts: 2, seq: 5 }),
    });
    expect(state.history).toEqual([]);
  });

  it('ignores events of another job', () => {
    const state = jobStreamReducer(initialJobStream, { type: 'loaded', job: job(), history: [] });
    expect(jobStreamReducer(state, { type: 'event', job: job({ id: 'other', seq: 99 }) })).toBe(
      state,
    );
  });
});
