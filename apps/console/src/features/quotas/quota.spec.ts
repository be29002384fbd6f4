import { describe, expect, it } from 'vitest';
import { formatLimit, formatQuotaValue, quotaLevel, quotaLines } from './quota';

const unlimited = {
  maxModels: null,
  maxVersionsPerModel: null,
  maxStorageBytes: null,
  maxDatasetBytes: null,
  maxConcurrentJobs: null,
  maxQueuedJobs: null,
  maxPredictionsPerDay: null,
  maxTokensPerDay: null,
  requestsPerSecond: null,
};
const usage = {
  models: 4,
  storageBytes: 900 * 1024 ** 2,
  datasetBytes: 0,
  runningJobs: 1,
  queuedJobs: 0,
  predictionsToday: 12_000,
  tokensToday: 0,
};

describe('quotaLevel', () => {
  it('is amber from 80 % and red from 95 % and at the limit', () => {
    expect(quotaLevel(5, null)).toBe('unlimited');
    expect(quotaLevel(0, 10)).toBe('ok');
    expect(quotaLevel(79, 100)).toBe('ok');
    expect(quotaLevel(80, 100)).toBe('near');
    expect(quotaLevel(94, 100)).toBe('near');
    expect(quotaLevel(95, 100)).toBe('full');
    expect(quotaLevel(100, 100)).toBe('full');
    expect(quotaLevel(120, 100)).toBe('full');
    // A zero quota allows nothing: it is full from the start.
    expect(quotaLevel(0, 0)).toBe('full');
  });
});

describe('formatLimit', () => {
  it('says unlimited for null and formats the rest by kind', () => {
    expect(formatLimit(null, 'bytes')).toBe('unlimited');
    expect(formatLimit(null, 'count')).toBe('unlimited');
    expect(formatLimit(10 * 1024 ** 3, 'bytes')).toBe('10.0 GB');
    expect(formatLimit(25_000, 'count')).toBe('25,000');
    expect(formatQuotaValue(20, 'rate')).toBe('20/s');
  });
});

describe('quotaLines', () => {
  it('pairs each capped usage figure with its limit', () => {
    const lines = quotaLines({ ...unlimited, maxModels: 5, maxStorageBytes: 1024 ** 3 }, usage);
    // Versions per model and the request rate cap no workspace-wide figure.
    expect(lines.map((l) => l.definition.quota)).toEqual([
      'maxModels',
      'maxStorageBytes',
      'maxDatasetBytes',
      'maxConcurrentJobs',
      'maxQueuedJobs',
      'maxPredictionsPerDay',
      'maxTokensPerDay',
    ]);
    expect(lines[0]).toMatchObject({ used: 4, limit: 5, level: 'near' });
    expect(lines[1]).toMatchObject({ used: 900 * 1024 ** 2, limit: 1024 ** 3, level: 'near' });
    expect(lines[5]).toMatchObject({ used: 12_000, limit: null, level: 'unlimited' });
  });

  it('keeps only the quotas asked for', () => {
    const lines = quotaLines(unlimited, usage, ['maxStorageBytes', 'maxDatasetBytes']);
    expect(lines.map((l) => l.definition.label)).toEqual(['Storage', 'Datasets']);
  });
});
