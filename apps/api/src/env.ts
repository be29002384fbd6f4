import { DEFAULT_DOWNLOAD_LIMITS, DEFAULT_POOL_TIMEOUTS, type PoolTimeouts } from '@maas/db';
import { z } from 'zod';
import { QUOTA_MAXIMA, type QuotaName, type QuotaValues } from './modules/quotas/quota-fields';

// The API's configuration, read and checked once here; nothing else reads process.env.
const intFrom = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
// A new workspace's quota: unset (or empty) is unlimited.
const quotaDefault = (quota: QuotaName) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(0).max(QUOTA_MAXIMA[quota]).optional(),
  );

/** The variables this process reads (docs/configuration.md lists each one). */
export const EnvSchema = z
  .object({
    NODE_ENV: z.string().default('production'),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (npm start sets it)'),
    PORT: intFrom(4000),
    HOST: z.string().default('0.0.0.0'),
    CONSOLE_PORT: intFrom(3000),
    CORS_ORIGINS: z.string().optional(),
    MAX_GRAPHQL_BODY_BYTES: intFrom(1_048_576, 1024),
    MAX_QUERY_DEPTH: intFrom(12, 1),
    MAX_QUERY_COMPLEXITY: intFrom(5000, 1),
    MAX_QUERY_TOKENS: intFrom(2000, 100),
    MAX_QUERY_ALIASES: intFrom(30, 0),
    MAX_QUERY_DIRECTIVES: intFrom(50, 0),
    MAX_QUERY_FIELD_REPEATS: intFrom(5, 1),
    GRAPHQL_DOCUMENT_CACHE_BYTES: intFrom(4_194_304, 0),
    GRAPHQL_INTROSPECTION: z.enum(['true', 'false']).optional(),
    MAX_UPLOAD_BYTES: intFrom(536_870_912, 1),
    MAX_BUNDLE_BYTES: intFrom(8_589_934_592, 1),
    MAX_BUNDLE_FILES: intFrom(256, 1),
    MAX_MODEL_METADATA_ENTRIES: intFrom(1000, 0),
    MAX_MODEL_METADATA_BYTES: intFrom(1_048_576, 0),
    MAX_OIP_JSON_BYTES: intFrom(67_108_864, 1024),
    MAX_OIP_BINARY_BYTES: intFrom(268_435_456, 1024),
    MAX_BYTES_TENSOR_ELEMENTS: intFrom(1_048_576, 1),
    MAX_OPENAI_BODY_BYTES: intFrom(4_194_304, 1024),
    MAX_FEEDBACK_BODY_BYTES: intFrom(1_048_576, 1024),
    MAX_FEEDBACK_BATCH: intFrom(1000, 1),
    GENERATION_MAX_TOKENS: intFrom(4096, 1),
    GENERATION_MAX_MESSAGES: intFrom(512, 1),
    EMBEDDING_MAX_INPUTS: intFrom(256, 1),
    HTTP_HEADERS_TIMEOUT_MS: intFrom(10_000, 1),
    HTTP_REQUEST_TIMEOUT_MS: intFrom(300_000, 1),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: intFrom(72_000, 1),
    HTTP_CONNECTION_TIMEOUT_MS: intFrom(120_000, 1),
    WS_MAX_SOCKETS_PER_KEY: intFrom(20, 1),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: intFrom(100, 1),
    PREDICT_TIMEOUT_MS: intFrom(30_000, 1),
    MODEL_LOAD_TIMEOUT_MS: intFrom(60_000, 1),
    INFERENCE_QUARANTINE_AFTER: intFrom(3, 1),
    INFERENCE_QUARANTINE_WINDOW_MS: intFrom(600_000, 1),
    INFERENCE_QUARANTINE_MS: intFrom(300_000, 1),
    INFERENCE_ISOLATION: z.enum(['child', 'thread', 'process']).default('child'),
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
    DB_STATEMENT_TIMEOUT_MS: intFrom(DEFAULT_POOL_TIMEOUTS.statementTimeoutMs),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: intFrom(DEFAULT_POOL_TIMEOUTS.idleInTransactionTimeoutMs),
    DB_CONNECT_TIMEOUT_MS: intFrom(DEFAULT_POOL_TIMEOUTS.connectTimeoutMs),
    ARTIFACT_DOWNLOAD_CONCURRENCY: intFrom(DEFAULT_DOWNLOAD_LIMITS.concurrency, 1),
    ARTIFACT_DOWNLOAD_STALL_TIMEOUT_MS: intFrom(DEFAULT_DOWNLOAD_LIMITS.stallTimeoutMs, 1),
    ARTIFACT_DOWNLOAD_MAX_DURATION_MS: intFrom(DEFAULT_DOWNLOAD_LIMITS.maxDurationMs, 1),
    PREDICTION_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.01),
    DATASET_MAX_COLUMNS: intFrom(1000, 1),
    DATASET_MAX_ROWS: intFrom(5_000_000, 1),
    DATASET_MAX_CELLS: intFrom(50_000_000, 1),
    DATASET_MAX_CELL_BYTES: intFrom(65_536, 1),
    DATASET_MAX_LINE_BYTES: intFrom(1_048_576, 1),
    DATASET_PARSE_CONCURRENCY: intFrom(2, 1),
    PREDICTION_LOG_RETENTION_DAYS: intFrom(30, 0),
    SERVING_STATS_RETENTION_DAYS: intFrom(30, 0),
    AUDIT_RETENTION_DAYS: intFrom(30, 0),
    MONITORING_ALERT_RETENTION_DAYS: intFrom(90, 0),
    USAGE_MINUTE_RETENTION_DAYS: intFrom(7, 0),
    USAGE_HOUR_RETENTION_DAYS: intFrom(90, 0),
    USAGE_DAY_RETENTION_DAYS: intFrom(1095, 0),
    USAGE_FLUSH_INTERVAL_MS: intFrom(2000, 50),
    USAGE_MAX_PENDING_KEYS: intFrom(50_000, 1),
    METRICS_MAX_WORKSPACES: intFrom(100, 0),
    AUDIT_FAILED_SIGNIN_PER_MINUTE: intFrom(60, 0),
    RETENTION_SWEEP_INTERVAL_MS: intFrom(3_600_000, 100),
    PROMOTION_TICK_INTERVAL_MS: intFrom(5000, 50),
    MONITORING_CHECK_INTERVAL_MS: intFrom(60_000, 50),
    RETENTION_DELETE_BATCH: intFrom(1000, 1),
    RETRAIN_CHECK_INTERVAL_MS: intFrom(30_000, 100),
    RETRAIN_MAX_DATASET_ROWS: intFrom(100_000, 10).pipe(z.number().max(1_000_000)),
    SHUTDOWN_TIMEOUT_MS: intFrom(10_000, 0),
    QUOTA_DEFAULT_MAX_MODELS: quotaDefault('maxModels'),
    QUOTA_DEFAULT_MAX_VERSIONS_PER_MODEL: quotaDefault('maxVersionsPerModel'),
    QUOTA_DEFAULT_MAX_STORAGE_BYTES: quotaDefault('maxStorageBytes'),
    QUOTA_DEFAULT_MAX_DATASET_BYTES: quotaDefault('maxDatasetBytes'),
    QUOTA_DEFAULT_MAX_CONCURRENT_JOBS: quotaDefault('maxConcurrentJobs'),
    QUOTA_DEFAULT_MAX_QUEUED_JOBS: quotaDefault('maxQueuedJobs'),
    QUOTA_DEFAULT_MAX_PREDICTIONS_PER_DAY: quotaDefault('maxPredictionsPerDay'),
    QUOTA_DEFAULT_MAX_TOKENS_PER_DAY: quotaDefault('maxTokensPerDay'),
    QUOTA_DEFAULT_REQUESTS_PER_SECOND: quotaDefault('requestsPerSecond'),
    RATE_LIMIT_BURST_SECONDS: z.coerce.number().positive().max(3600).default(1),
    RATE_LIMIT_UNAUTHENTICATED_PER_SECOND: z.coerce.number().min(0).default(10),
    RATE_LIMIT_UNAUTHENTICATED_BURST: intFrom(20, 1),
    RATE_LIMIT_REPLICA_HEARTBEAT_MS: intFrom(5000, 100),
    RATE_LIMIT_MAX_BUCKETS: intFrom(100_000, 100),
    TRUST_PROXY: z
      .string()
      .regex(
        /^(true|false|\d+|[0-9A-Za-z.:/]+(\s*,\s*[0-9A-Za-z.:/]+)*)$/,
        'TRUST_PROXY is true, false, a hop count, or a comma-separated list of addresses, CIDR ranges or loopback/linklocal/uniquelocal',
      )
      .default('false'),
  })
  .refine((env) => env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_REQUEST_TIMEOUT_MS, {
    message: 'HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS',
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
  })
  .refine((env) => !env.INFERENCE_WORKERS?.trim() || Boolean(env.INFERENCE_WORKER_TOKEN), {
    message:
      'INFERENCE_WORKERS is set, so INFERENCE_WORKER_TOKEN must be too (the workers refuse calls without it)',
    path: ['INFERENCE_WORKER_TOKEN'],
  });

/** The quota a workspace made by `createWorkspace` starts with (the `default` workspace: none). */
export function defaultQuotaOf(config: ApiConfig): QuotaValues {
  return {
    maxModels: config.QUOTA_DEFAULT_MAX_MODELS ?? null,
    maxVersionsPerModel: config.QUOTA_DEFAULT_MAX_VERSIONS_PER_MODEL ?? null,
    maxStorageBytes: config.QUOTA_DEFAULT_MAX_STORAGE_BYTES ?? null,
    maxDatasetBytes: config.QUOTA_DEFAULT_MAX_DATASET_BYTES ?? null,
    maxConcurrentJobs: config.QUOTA_DEFAULT_MAX_CONCURRENT_JOBS ?? null,
    maxQueuedJobs: config.QUOTA_DEFAULT_MAX_QUEUED_JOBS ?? null,
    maxPredictionsPerDay: config.QUOTA_DEFAULT_MAX_PREDICTIONS_PER_DAY ?? null,
    maxTokensPerDay: config.QUOTA_DEFAULT_MAX_TOKENS_PER_DAY ?? null,
    requestsPerSecond: config.QUOTA_DEFAULT_REQUESTS_PER_SECOND ?? null,
  };
}

/** The statement, idle-in-transaction and connect timeouts every pool of the API uses. */
export function poolTimeoutsOf(config: ApiConfig): PoolTimeouts {
  return {
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
  };
}

/** Fastify's `trustProxy` from TRUST_PROXY: which peers' X-Forwarded-For names the client. */
export function trustProxyOf(
  value: string,
): boolean | string | ((address: string, hop: number) => boolean) {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) {
    // The n closest hops are trusted (what Fastify does with a number, which its types omit).
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value;
}

export type ApiConfig = z.infer<typeof EnvSchema> & {
  corsOrigins: string[];
  isDevelopment: boolean;
  /** Off when NODE_ENV=production unless GRAPHQL_INTROSPECTION=true; on otherwise unless =false. */
  graphqlIntrospection: boolean;
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
  const graphqlIntrospection = c.GRAPHQL_INTROSPECTION
    ? c.GRAPHQL_INTROSPECTION === 'true'
    : c.NODE_ENV !== 'production';
  return { ...c, corsOrigins, isDevelopment: c.NODE_ENV === 'development', graphqlIntrospection };
}
