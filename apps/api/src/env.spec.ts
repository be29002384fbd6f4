import { describe, expect, it } from 'vitest';
import { loadConfig } from './env';

const base = { DATABASE_URL: 'postgres://maas@127.0.0.1:5432/maas' };

describe('loadConfig', () => {
  it('fills the contract defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      PORT: 4000,
      MAX_GRAPHQL_BODY_BYTES: 16_777_216,
      MAX_QUERY_DEPTH: 12,
      MAX_QUERY_COMPLEXITY: 5000,
      PREDICT_TIMEOUT_MS: 30_000,
      MODEL_LOAD_TIMEOUT_MS: 60_000,
      INFERENCE_QUARANTINE_AFTER: 3,
      INFERENCE_QUARANTINE_WINDOW_MS: 600_000,
      INFERENCE_QUARANTINE_MS: 300_000,
      INFERENCE_ISOLATION: 'thread',
      MAX_UPLOAD_BYTES: 536_870_912,
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
});
