import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The API's Prometheus metrics (prom-client), one registry per server instance. */
export interface EngineGaugeSource {
  ():
    | Promise<{ loadedVersions: number; loadedBytes: number }>
    | { loadedVersions: number; loadedBytes: number };
}

/**
 * A label value per workspace id for the first `max` workspaces seen, "other" for the rest, so a
 * metric's series stay bounded however many workspaces there are.
 */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

/** Sequences running and queued per version in the generation engine's decode batches. */
export interface BatchOccupancySource {
  ():
    | Promise<{ versionId: string; running: number; queued: number }[]>
    | { versionId: string; running: number; queued: number }[];
}

/**
 * `engineStatus` feeds the loaded-sessions gauges when Prometheus scrapes; `maxWorkspaces` bounds
 * the `workspace` label (METRICS_MAX_WORKSPACES); `liveTrainingJobs` counts the queued and running
 * training jobs by status, once per scrape; `batchOccupancy` feeds the generation batch gauge.
 */
export function createMetrics(
  engineStatus?: EngineGaugeSource,
  maxWorkspaces = 100,
  liveTrainingJobs?: () => Promise<Record<string, number>>,
  batchOccupancy?: BatchOccupancySource,
) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'maas_api_' });
  const httpRequests = new Counter({
    name: 'maas_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'maas_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: 'maas_graphql_operations_total',
    help: 'GraphQL operations by type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const workspaceLabel = boundedLabel(maxWorkspaces);
  const predictions = new Counter({
    name: 'maas_predictions_total',
    help: 'Prediction requests by workspace id (the first METRICS_MAX_WORKSPACES, then "other") and status (ok or an error code)',
    labelNames: ['workspace', 'status'] as const,
    registers: [registry],
  });
  const predictionRows = new Counter({
    name: 'maas_prediction_rows_total',
    help: 'Rows of successful predictions by workspace id (the first METRICS_MAX_WORKSPACES, then "other")',
    labelNames: ['workspace'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'maas_tokens_total',
    help: 'Language-model tokens by workspace id (bounded as above) and kind (prompt or completion)',
    labelNames: ['workspace', 'kind'] as const,
    registers: [registry],
  });
  const generations = new Counter({
    name: 'maas_generations_total',
    help: 'Text generations (OpenAI completions and chat, GraphQL generate and generation) by status: ok, error or aborted (the client went away)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const embeddings = new Counter({
    name: 'maas_embedding_requests_total',
    help: 'Embedding requests by status (ok or error)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const timeToFirstToken = new Histogram({
    name: 'maas_generation_time_to_first_token_seconds',
    help: 'From a generation request to its first generated text (queue, prefill, first decode step)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const interTokenLatency = new Histogram({
    name: 'maas_generation_inter_token_latency_seconds',
    help: 'Time between generated tokens of one generation (per token)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const generationBatch = new Gauge({
    name: 'maas_generation_batch_sequences',
    help: "Sequences in a version's continuous batch, by version id and state (running: in the decode batch; queued: waiting for a slot), when scraped",
    labelNames: ['version_id', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!batchOccupancy) return;
      this.reset();
      for (const o of await batchOccupancy()) {
        this.set({ version_id: o.versionId, state: 'running' }, o.running);
        this.set({ version_id: o.versionId, state: 'queued' }, o.queued);
      }
    },
  });
  const usageDropped = new Counter({
    name: 'maas_usage_dropped_requests_total',
    help: 'Metered requests dropped because the usage meter held too many unflushed combinations (USAGE_MAX_PENDING_KEYS)',
    registers: [registry],
  });
  const predictionLatency = new Histogram({
    name: 'maas_prediction_duration_seconds',
    help: 'End-to-end inference latency per model version id (decode, queue, run, encode)',
    labelNames: ['version_id'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const predictionLogDropped = new Counter({
    name: 'maas_prediction_log_dropped_total',
    help: 'Prediction log rows the database refused (dropped alone, the rest of their batch kept)',
    registers: [registry],
  });
  const retentionDeleted = new Counter({
    name: 'maas_retention_deleted_rows_total',
    help: 'Rows deleted by the retention sweeper, by table',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'maas_inference_batch_size',
    help: 'Requests per ONNX Runtime call made by the dynamic batcher',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  const queueWait = new Histogram({
    name: 'maas_inference_queue_wait_seconds',
    help: 'Time a request waited in the batcher before its batch ran',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const loadedSessions = new Gauge({
    name: 'maas_inference_loaded_sessions',
    help: 'Model versions loaded in the inference engine',
    registers: [registry],
    async collect() {
      if (engineStatus) this.set((await engineStatus()).loadedVersions);
    },
  });
  const loadedBytes = new Gauge({
    name: 'maas_inference_loaded_bytes',
    help: 'Bytes of the ONNX files of the loaded sessions',
    registers: [registry],
    async collect() {
      if (engineStatus) this.set((await engineStatus()).loadedBytes);
    },
  });
  const deploymentStatsPolls = new Counter({
    name: 'maas_deployment_stats_polls_total',
    help: 'Database polls made for deploymentStatsUpdated subscriptions (one per deployment and window, whatever the subscribers)',
    registers: [registry],
  });
  const wsSockets = new Gauge({
    name: 'maas_graphql_ws_sockets',
    help: 'Open graphql-ws WebSockets',
    registers: [registry],
  });
  const jobsByStatus = new Gauge({
    name: 'maas_training_jobs',
    help: 'Queued and running jobs of the training queue (training and evaluation jobs, all workspaces), counted when scraped',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      if (!liveTrainingJobs) return;
      const counts = await liveTrainingJobs();
      for (const status of ['QUEUED', 'RUNNING']) this.set({ status }, counts[status] ?? 0);
    },
  });
  const authLookups = new Counter({
    name: 'maas_auth_key_lookups_total',
    help: 'API-key lookups that went to the database (cache misses of the key caches)',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'maas_rate_limited_total',
    help: 'Requests and WebSocket operations refused with RATE_LIMITED, by bucket (key: an API key over its rate; address: requests without a known key from one address)',
    labelNames: ['bucket'] as const,
    registers: [registry],
  });
  const apiReplicas = new Gauge({
    name: 'maas_api_replicas',
    help: 'Live API replicas this replica counts (each enforces rate / replicas of a key rate)',
    registers: [registry],
  });
  return {
    registry,
    authLookups,
    rateLimited,
    apiReplicas,
    httpRequests,
    httpDuration,
    graphqlOperations,
    workspaceLabel,
    predictions,
    predictionRows,
    tokens,
    generations,
    embeddings,
    timeToFirstToken,
    interTokenLatency,
    generationBatch,
    usageDropped,
    predictionLatency,
    predictionLogDropped,
    retentionDeleted,
    batchSize,
    queueWait,
    loadedSessions,
    loadedBytes,
    jobsByStatus,
    deploymentStatsPolls,
    wsSockets,
  };
}

export type ApiMetrics = ReturnType<typeof createMetrics>;
