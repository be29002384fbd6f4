import { loadConfig } from './env';

describe('worker configuration', () => {
  it('needs DATABASE_URL and fills in the lease defaults', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL is required/);
    const config = loadConfig({ DATABASE_URL: 'postgres://localhost/maas' });
    expect(config).toMatchObject({
      leaseMs: 15_000,
      renewEveryMs: 5_000,
      reapEveryMs: 5_000,
      concurrency: 1,
    });
    expect(config.workerId).toMatch(/:\d+:[0-9a-f]{6}$/);
  });

  it('refuses a renewal interval that could let the lease lapse', () => {
    expect(() =>
      loadConfig({
        DATABASE_URL: 'postgres://x/y',
        MAAS_LEASE_MS: '2000',
        MAAS_LEASE_RENEW_MS: '1500',
      }),
    ).toThrow(/MAAS_LEASE_RENEW_MS must be at most half of MAAS_LEASE_MS/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y', MAAS_LEASE_MS: 'soon' })).toThrow(
      /MAAS_LEASE_MS/,
    );
  });
});
