import { describe, expect, it } from 'vitest';
import { loadConfig, trustProxyOf } from './env';

const base = { DATABASE_URL: 'postgres://maas@127.0.0.1:5432/maas' };

describe('loadConfig', () => {
  it('fills the contract defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      PORT: 4000,
      MAX_GRAPHQL_BODY_BYTES: 1_048_576,
      MAX_OIP_JSON_BYTES: 67_108_864,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      WS_MAX_SOCKETS_PER_KEY: 20,
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: 100,
      MAX_QUERY_DEPTH: 12,
      MAX_QUERY_COMPLEXITY: 5000,
      MAX_QUERY_TOKENS: 2000,
      MAX_QUERY_ALIASES: 30,
      MAX_QUERY_DIRECTIVES: 50,
      MAX_QUERY_FIELD_REPEATS: 5,
      GRAPHQL_DOCUMENT_CACHE_BYTES: 4_194_304,
      graphqlIntrospection: false,
      PREDICT_TIMEOUT_MS: 30_000,
      MODEL_LOAD_TIMEOUT_MS: 60_000,
      INFERENCE_QUARANTINE_AFTER: 3,
      INFERENCE_QUARANTINE_WINDOW_MS: 600_000,
      INFERENCE_QUARANTINE_MS: 300_000,
      INFERENCE_ISOLATION: 'child',
      MAX_UPLOAD_BYTES: 536_870_912,
      MAX_MODEL_METADATA_ENTRIES: 1000,
      MAX_MODEL_METADATA_BYTES: 1_048_576,
      ORT_EXECUTION_PROVIDERS: 'auto',
      isDevelopment: false,
    });
    expect(c.corsOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(loadConfig({ ...base, CONSOLE_PORT: '3100' }).corsOrigins[0]).toBe(
      'http://localhost:3100',
    );
    expect(
      loadConfig({ ...base, CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('refuses bad settings with one message naming each of them', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL/);
    const attempt = () =>
      loadConfig({
        ...base,
        PORT: 'eighty',
        ADMIN_API_KEY: 'short',
        PREDICTION_LOG_SAMPLE_RATE: '2',
      });
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/ADMIN_API_KEY must be at least 16 characters/);
    expect(attempt).toThrow(/PREDICTION_LOG_SAMPLE_RATE/);
  });

  it('needs INFERENCE_WORKER_TOKEN whenever INFERENCE_WORKERS is set', () => {
    expect(() => loadConfig({ ...base, INFERENCE_WORKERS: 'http://gpu1:8000' })).toThrow(
      /INFERENCE_WORKER_TOKEN/,
    );
    expect(
      loadConfig({
        ...base,
        INFERENCE_WORKERS: 'http://gpu1:8000',
        INFERENCE_WORKER_TOKEN: 'secret',
      }).INFERENCE_WORKERS,
    ).toBe('http://gpu1:8000');
  });

  it('turns introspection off in production (the default) unless GRAPHQL_INTROSPECTION=true', () => {
    const introspection = (env: Record<string, string>) =>
      loadConfig({ ...base, ...env }).graphqlIntrospection;
    expect(introspection({})).toBe(false);
    expect(introspection({ GRAPHQL_INTROSPECTION: 'true' })).toBe(true);
    expect(introspection({ NODE_ENV: 'development' })).toBe(true);
    expect(introspection({ NODE_ENV: 'test', GRAPHQL_INTROSPECTION: 'false' })).toBe(false);
    expect(() => introspection({ GRAPHQL_INTROSPECTION: 'yes' })).toThrow(/GRAPHQL_INTROSPECTION/);
  });

  it('reads TRUST_PROXY as off, on, a hop count or a list of trusted proxies', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe('false');
    expect(trustProxyOf('false')).toBe(false);
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('10.0.0.0/8, loopback')).toBe('10.0.0.0/8, loopback');
    const twoHops = trustProxyOf('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => twoHops('10.0.0.1', hop))).toEqual([true, true, false]);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'yes; please' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ ...base, RATE_LIMIT_BURST_SECONDS: '0' })).toThrow(
      /RATE_LIMIT_BURST_SECONDS/,
    );
  });
});
