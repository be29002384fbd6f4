import { z } from 'zod';

// The API's configuration, read and checked once here; nothing else reads process.env.
const intFrom = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** The variables this process reads (docs/configuration.md lists each one). */
export const EnvSchema = z
  .object({
    NODE_ENV: z.string().default('production'),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (npm start sets it)'),
    PORT: intFrom(4000),
    HOST: z.string().default('0.0.0.0'),
    CONSOLE_PORT: intFrom(3000),
    CORS_ORIGINS: z.string().optional(),
    MAX_GRAPHQL_BODY_BYTES: intFrom(16_777_216, 1024),
    MAX_QUERY_DEPTH: intFrom(12, 1),
    MAX_QUERY_COMPLEXITY: intFrom(5000, 1),
    MAX_UPLOAD_BYTES: intFrom(536_870_912, 1),
    PREDICT_TIMEOUT_MS: intFrom(30_000, 1),
    MODEL_LOAD_TIMEOUT_MS: intFrom(60_000, 1),
    INFERENCE_QUARANTINE_AFTER: intFrom(3, 1),
    INFERENCE_QUARANTINE_WINDOW_MS: intFrom(600_000, 1),
    INFERENCE_QUARANTINE_MS: intFrom(300_000, 1),
    INFERENCE_ISOLATION: z.enum(['thread', 'process']).default('thread'),
    INFERENCE_PROCESS_MAX_RSS_BYTES: intFrom(4_294_967_296, 67_108_864),
    ADMIN_API_KEY: z.string().min(16, 'ADMIN_API_KEY must be at least 16 characters').optional(),
    MAAS_DATA_DIR: z.string().optional(),
    ARTIFACT_STORE_URL: z.string().optional(),
    ORT_EXECUTION_PROVIDERS: z.string().default('auto'),
    INFERENCE_WORKERS: z.string().optional(),
    INFERENCE_WORKER_TOKEN: z.string().optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    DB_POOL_SIZE: intFrom(10, 1),
    PREDICTION_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.01),
    SHUTDOWN_TIMEOUT_MS: intFrom(10_000, 0),
  })
  .refine((env) => !env.INFERENCE_WORKERS?.trim() || Boolean(env.INFERENCE_WORKER_TOKEN), {
    message:
      'INFERENCE_WORKERS is set, so INFERENCE_WORKER_TOKEN must be too (the workers refuse calls without it)',
    path: ['INFERENCE_WORKER_TOKEN'],
  });

export type ApiConfig = z.infer<typeof EnvSchema> & {
  corsOrigins: string[];
  isDevelopment: boolean;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const corsOrigins = (
    c.CORS_ORIGINS ?? `http://localhost:${c.CONSOLE_PORT},http://127.0.0.1:${c.CONSOLE_PORT}`
  )
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return { ...c, corsOrigins, isDevelopment: c.NODE_ENV === 'development' };
}
