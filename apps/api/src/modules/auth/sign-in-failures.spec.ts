import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../common/logger';
import { SignInFailures } from './sign-in-failures';

describe('SignInFailures.sample', () => {
  it('keeps one failure per address per minute, and at most the cap a minute in all', () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 5);
    const sampler = new SignInFailures({} as DataSource, {} as Logger, 3, () => now);
    expect(sampler.sample('10.0.0.1')).toBe(true);
    expect(sampler.sample('10.0.0.1')).toBe(false);
    expect(sampler.sample('10.0.0.2')).toBe(true);
    expect(sampler.sample('10.0.0.3')).toBe(true);
    expect(sampler.sample('10.0.0.4')).toBe(false); // the cap
    now += 60_000; // the next minute: each address once more, and the cap renewed
    expect(sampler.sample('10.0.0.1')).toBe(true);
    expect(sampler.sample('10.0.0.4')).toBe(true);
    expect(sampler.sample('10.0.0.4')).toBe(false);
  });

  it('records nothing with a cap of 0', () => {
    const sampler = new SignInFailures({} as DataSource, {} as Logger, 0);
    expect(sampler.sample('10.0.0.1')).toBe(false);
  });
});
