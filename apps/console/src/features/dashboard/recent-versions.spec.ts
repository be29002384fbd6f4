import { describe, expect, it } from 'vitest';
import { recentVersions } from './recent-versions';

describe('recentVersions', () => {
  it('orders latest versions newest first and skips models without one', () => {
    const models = [
      { name: 'a', latestVersion: { createdAt: '2025-01-01T00:00:00Z' } },
      { name: 'b', latestVersion: null },
      { name: 'c', latestVersion: { createdAt: '2025-03-01T00:00:00Z' } },
      { name: 'd', latestVersion: { createdAt: '2025-02-01T00:00:00Z' } },
    ];
    expect(recentVersions(models, 2).map((r) => r.model.name)).toEqual(['c', 'd']);
  });
});
