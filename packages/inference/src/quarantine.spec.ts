import { describe, expect, it } from 'vitest';
import { VersionQuarantine } from './quarantine';

describe('VersionQuarantine', () => {
  const options = { afterFailures: 3, windowMs: 1000, durationMs: 5000 };

  it('quarantines after N failures within the window, then serves again with a clean count', () => {
    let now = 0;
    const q = new VersionQuarantine(options, () => now);
    expect(q.recordFailure('v', 'timeout')).toBe(false);
    now = 400;
    expect(q.recordFailure('v', 'timeout')).toBe(false);
    expect(q.status('v')).toEqual({ state: 'SERVING', recentFailures: 2 });
    now = 800;
    expect(q.recordFailure('v', 'crash')).toBe(true);
    expect(q.remainingMs('v')).toBe(5000);
    expect(q.status('v')).toMatchObject({
      state: 'QUARANTINED',
      reason: '3 failures within 1 s: timeout; crash',
      since: new Date(800),
      until: new Date(5800),
    });
    expect(q.status('other').state).toBe('SERVING');
    now = 5800;
    expect(q.remainingMs('v')).toBe(0);
    expect(q.status('v')).toEqual({ state: 'SERVING', recentFailures: 0 });
    expect(q.recordFailure('v', 'timeout')).toBe(false);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const q = new VersionQuarantine(options, () => now);
    q.recordFailure('v', 'timeout');
    q.recordFailure('v', 'timeout');
    now = 1500;
    expect(q.recordFailure('v', 'timeout')).toBe(false);
    expect(q.status('v').recentFailures).toBe(1);
  });
});
