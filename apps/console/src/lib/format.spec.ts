import { describe, expect, it } from 'vitest';
import {
  formatByteSizeInput,
  formatBytes,
  formatCount,
  formatDateTime,
  formatMetric,
  formatMs,
  formatRelativeTime,
  formatSeconds,
  formatShape,
  humanizeEnum,
  jsonEntries,
  parseByteSize,
} from './format';

describe('formatBytes', () => {
  it('uses powers of 1024 with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(10 * 1024 * 1024 + 1)).toBe('10.0 MB');
    expect(formatBytes(512 * 1024 ** 3)).toBe('512 GB');
  });
  it('refuses nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it('picks the largest fitting unit', () => {
    expect(formatRelativeTime('2025-06-01T11:59:30Z', now)).toBe('30 seconds ago');
    expect(formatRelativeTime('2025-06-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelativeTime('2025-05-31T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelativeTime('2025-06-01T14:00:00Z', now)).toBe('in 2 hours');
  });
  it('says — for an invalid date', () => {
    expect(formatRelativeTime('not a date', now)).toBe('—');
  });
});

describe('formatters', () => {
  it('prints dates in UTC', () => {
    expect(formatDateTime('2025-06-01T12:34:56.789Z')).toBe('2025-06-01 12:34:56 UTC');
  });
  it('prints metrics compactly', () => {
    expect(formatMetric(0.912345)).toBe('0.9123');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric(0.5)).toBe('0.5');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric('adam')).toBe('adam');
    expect(formatMetric([32, 16])).toBe('[32,16]');
  });
  it('prints latencies with sensible precision', () => {
    expect(formatMs(0.91666)).toBe('0.92 ms');
    expect(formatMs(24.74)).toBe('24.7 ms');
    expect(formatMs(1250.4)).toBe('1,250 ms');
    expect(formatMs(null)).toBe('—');
  });
  it('marks dynamic dimensions', () => {
    expect(formatShape([-1, 3])).toBe('[?, 3]');
  });
  it('humanizes enum values', () => {
    expect(humanizeEnum('BINARY_CLASSIFICATION')).toBe('Binary classification');
    expect(humanizeEnum('MLP')).toBe('MLP');
  });
  it('reads JSON objects only', () => {
    expect(jsonEntries({ mse: 1 })).toEqual([['mse', 1]]);
    expect(jsonEntries([1, 2])).toEqual([]);
    expect(jsonEntries(null)).toEqual([]);
  });
});

describe('usage and quota figures', () => {
  it('prints counts with separators and compute time in the fitting unit', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(Number.NaN)).toBe('—');
    expect(formatSeconds(4.25)).toBe('4.3 s');
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(754)).toBe('12.6 min');
    expect(formatSeconds(7200)).toBe('2 h');
  });

  it('reads sizes as people type them, in the powers of 1024 formatBytes prints', () => {
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize('1.5 GB')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('20mb')).toBe(20 * 1024 ** 2);
    expect(parseByteSize('3 k')).toBe(3072);
    expect(parseByteSize(' 2 TB ')).toBe(2 * 1024 ** 4);
    expect(parseByteSize('-1')).toBeNull();
    expect(parseByteSize('1 PB')).toBeNull();
    expect(parseByteSize('lots')).toBeNull();
    expect(parseByteSize('')).toBeNull();
  });

  it('writes sizes back exactly in the largest unit that divides them', () => {
    expect(formatByteSizeInput(1024 ** 3)).toBe('1 GB');
    expect(formatByteSizeInput(1536 * 1024)).toBe('1536 KB');
    expect(formatByteSizeInput(1500)).toBe('1500');
    expect(formatByteSizeInput(0)).toBe('0');
    for (const bytes of [1, 1023, 5 * 1024 ** 2, 3 * 1024 ** 4 + 1024]) {
      expect(parseByteSize(formatByteSizeInput(bytes))).toBe(bytes);
    }
  });
});
