import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import { createArtifactStore, createDataSource, EventBus } from '@maas/db';
import { createArtifactLoader, createInferenceEngine, type InferenceEngine } from '@maas/inference';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { DataSource } from 'typeorm';
import { UserError } from './common/errors';
import { queryLimitsPlugin } from './common/limits.plugin';
import { createLogger, type Logger } from './common/logger';
import { createMetrics, type ApiMetrics } from './common/metrics';
import { createContext, type GraphQLContext } from './context';
import type { ApiConfig } from './env';
import { requireAuth } from './modules/auth/auth.hooks';
import { API_KEYS_CHANNEL, AuthService, type AuthInfo } from './modules/auth/auth.service';
import { DatasetsService } from './modules/datasets/datasets.service';
import { registerDatasetRoutes } from './modules/datasets/datasets.routes';
import { DeploymentStatsService } from './modules/deployments/deployment-stats.service';
import { DeploymentsService } from './modules/deployments/deployments.service';
import { registerHealthRoutes } from './modules/health/health.routes';
import { registerOipRoutes } from './modules/predictions/oip.routes';
import { PredictionLogWriter } from './modules/predictions/prediction-log';
import {
  PredictionsService,
  type InferenceBackend,
} from './modules/predictions/predictions.service';
import { ServingStatsRecorder } from './modules/predictions/serving-stats';
import { TargetResolver } from './modules/predictions/target-resolver';
import { TrainingEventsService } from './modules/training/training-events.service';
import { TrainingService } from './modules/training/training.service';
import { createJobQueue } from '@maas/jobs';
import { createInferenceBackend } from './modules/predictions/inference-backend';
import { ArtifactSweeper } from './modules/models/artifact-sweeper';
import { ModelUploadService } from './modules/models/model-upload.service';
import { registerModelRoutes } from './modules/models/models.routes';
import { ModelsService } from './modules/models/models.service';
import { buildApiSchema } from './schema';
import type { Services } from './services';

export interface ApiServer {
  app: FastifyInstance;
  services: Services;
  metrics: ApiMetrics;
  /** Stops taking requests, drains the ones in flight, closes WebSockets, the engine and the pool. */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  config: ApiConfig;
  logger?: Logger;
  /** An initialised DataSource to use instead of one made from DATABASE_URL (tests count its queries). */
  dataSource?: DataSource;
  engine?: InferenceEngine;
  /** Runs predictions elsewhere (remote inference workers); default: the engine. */
  backend?: InferenceBackend;
}

/** Name-resolution changes (aliases, routes, deletions) are broadcast on this channel. */
export const REGISTRY_CHANNEL = 'maas_registry';

// Codes a client can act on, from the contract; anything else is an internal error.
const CONTRACT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'QUOTA_EXCEEDED',
  'INTERNAL_SERVER_ERROR',
]);
// Apollo's own codes for requests the caller got wrong.
const CALLER_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function formatGraphQLError(
  logger: Logger,
  isDevelopment: boolean,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const code =
      typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (code && CALLER_CODES.has(code)) {
      return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT', reason: code } };
    }
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (code && CONTRACT_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      return { ...formatted, extensions: isDevelopment ? formatted.extensions : extensions };
    }
    logger.error(
      { err: original ?? error, path: formatted.path },
      'unexpected error in a GraphQL request',
    );
    return {
      message:
        isDevelopment && original instanceof Error ? original.message : 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const ownsDataSource = !options.dataSource;
  const db =
    options.dataSource ??
    createDataSource(config.DATABASE_URL, {
      poolSize: config.DB_POOL_SIZE,
      applicationName: 'maas-api',
    });
  if (!db.isInitialized) await db.initialize();
  const bus = new EventBus({
    url: config.DATABASE_URL,
    applicationName: 'maas-api-events',
    onError: (err) => logger.warn({ err }, 'event bus'),
  });
  await bus.connect();
  const store = createArtifactStore({
    databaseUrl: config.DATABASE_URL,
    artifactStoreUrl: config.ARTIFACT_STORE_URL,
  });
  // The gauges read the backend lazily, at scrape time.
  const metrics = createMetrics(() => backend.status());
  const engine =
    options.engine ??
    (await createInferenceEngine({
      executionProviders: config.ORT_EXECUTION_PROVIDERS,
      logger,
      timeoutMs: config.PREDICT_TIMEOUT_MS,
      loadArtifact: createArtifactLoader(store),
      onBatch: (_versionId, event) => {
        metrics.batchSize.observe(event.requests);
        metrics.queueWait.observe(event.queueWaitMs / 1000);
      },
    }));
  const serving = createInferenceBackend(config, engine, logger);
  const backend: InferenceBackend = options.backend ?? serving;

  const auth = new AuthService(db, logger, bus);
  // Any replica's revocation clears every replica's key cache; so does a listener reconnect,
  // since notifications sent while it was down are lost.
  await bus.subscribe(API_KEYS_CHANNEL, () => auth.clearCache(), {
    onReconnect: () => auth.clearCache(),
  });
  if (config.ADMIN_API_KEY) await auth.ensureRootKey(config.ADMIN_API_KEY);
  const resolver = new TargetResolver(db);
  // A change on any replica clears every replica's name-resolution cache.
  const registryChanged = (workspaceId: string) => {
    resolver.invalidate(workspaceId);
    bus
      .publish(REGISTRY_CHANNEL, { workspaceId })
      .catch((err: unknown) => logger.warn({ err }, 'could not publish a registry change'));
  };
  await bus.subscribe(
    REGISTRY_CHANNEL,
    (payload) => resolver.invalidate((payload as { workspaceId?: string }).workspaceId),
    { onReconnect: () => resolver.invalidate() },
  );
  const models = new ModelsService(db, store, registryChanged);
  const uploads = new ModelUploadService(db, models, store, engine, config.MAX_UPLOAD_BYTES);
  const datasets = new DatasetsService(db, store, config.MAX_UPLOAD_BYTES);
  const deployments = new DeploymentsService(db, registryChanged);
  const deploymentStats = new DeploymentStatsService(db, deployments);
  const predictionLog = new PredictionLogWriter(db, logger, config.PREDICTION_LOG_SAMPLE_RATE);
  const servingStats = new ServingStatsRecorder(db, logger);
  predictionLog.start();
  const sweeper = new ArtifactSweeper(store, logger);
  sweeper.start();
  servingStats.start();
  const predictions = new PredictionsService(
    resolver,
    backend,
    predictionLog,
    servingStats,
    metrics,
    config.PREDICT_TIMEOUT_MS,
  );
  // The API only enqueues (workers consume); pg-boss maintenance runs in the workers.
  const queue = createJobQueue({
    databaseUrl: config.DATABASE_URL,
    logger,
    bus,
    supervise: false,
    applicationName: 'maas-api-queue',
  });
  await queue.start();
  const training = new TrainingService(db, queue);
  const trainingEvents = new TrainingEventsService(bus, training);
  const services: Services = {
    config,
    logger,
    db,
    store,
    auth,
    models,
    uploads,
    datasets,
    deployments,
    deploymentStats,
    predictions,
    training,
    trainingEvents,
  };

  // Typed as a plain FastifyInstance: the pino logger type would otherwise leak into every route.
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    // Request lines would drown the structured logs; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.MAX_GRAPHQL_BODY_BYTES,
    trustProxy: true,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  await app.register(cors, {
    origin: config.corsOrigins,
    credentials: false,
    allowedHeaders: [
      'authorization',
      'content-type',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'inference-header-content-length',
    ],
  });
  await app.register(websocket, { options: { maxPayload: config.MAX_GRAPHQL_BODY_BYTES } });

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.setErrorHandler((err: FastifyError | UserError, req, reply) => {
    if (err instanceof UserError) {
      return reply.code(err.httpStatus).send({ error: err.message, code: err.code });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply
        .code(500)
        .send({ error: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });
    }
    const code =
      status === 413 ? 'QUOTA_EXCEEDED' : status === 401 ? 'UNAUTHENTICATED' : 'BAD_USER_INPUT';
    return reply.code(status).send({ error: err.message, code });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: `No route ${req.method} ${req.url.split('?')[0]}`, code: 'NOT_FOUND' }),
  );

  const schema = await buildApiSchema();
  const wsDrain: ApolloServerPlugin = {
    serverWillStart() {
      return Promise.resolve({
        async drainServer() {
          for (const client of app.websocketServer.clients)
            client.close(1001, 'Server shutting down');
          await Promise.resolve();
        },
      });
    },
  };
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    // main.ts owns SIGTERM/SIGINT and stops everything in order.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // A request that carries a bearer token is not a CSRF risk (it is not a cookie), GET included.
    csrfPrevention: {
      requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'],
    },
    formatError: formatGraphQLError(logger, config.isDevelopment),
    plugins: [
      fastifyApolloDrainPlugin(app),
      wsDrain,
      queryLimitsPlugin(schema, {
        maxDepth: config.MAX_QUERY_DEPTH,
        maxComplexity: config.MAX_QUERY_COMPLEXITY,
      }),
      {
        requestDidStart: () =>
          Promise.resolve({
            willSendResponse: ({ operation, errors }) => {
              metrics.graphqlOperations.inc({
                type: operation?.operation ?? 'unknown',
                outcome: errors?.length ? 'error' : 'ok',
              });
              return Promise.resolve();
            },
          }),
      },
    ],
  });
  await apollo.start();

  const graphqlHandler = fastifyApolloHandler(apollo, {
    context: (req) => Promise.resolve(createContext(services, req.auth)),
  });
  const httpAuth = requireAuth(services);
  const wsHandler = makeHandler<{ authorization?: string }, { auth?: AuthInfo }>({
    schema,
    onConnect: async (ctx) => {
      const header = ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization;
      const found = await auth.authenticate(typeof header === 'string' ? header : undefined);
      if (!found) return false; // closes with 4403 Forbidden
      (ctx.extra as { auth?: AuthInfo }).auth = found;
      return true;
    },
    context: (ctx) => {
      const found = (ctx.extra as { auth?: AuthInfo }).auth;
      if (!found) throw new UserError('UNAUTHENTICATED', 'Connection is not authenticated');
      return createContext(services, found);
    },
  });
  // GET /graphql serves both GraphQL-over-HTTP GET and the graphql-ws WebSocket upgrade.
  app.route({
    method: 'GET',
    url: '/graphql',
    // A WebSocket upgrade authenticates in its connection_init message (onConnect), not headers.
    preHandler: async (req, reply) => {
      if (!req.ws) await httpAuth.call(app, req, reply);
    },
    handler: graphqlHandler,
    wsHandler,
  });
  app.route({
    method: ['POST', 'OPTIONS'],
    url: '/graphql',
    preHandler: httpAuth,
    handler: graphqlHandler,
  });

  registerModelRoutes(app, services);
  registerDatasetRoutes(app, services);
  registerOipRoutes(app, services);
  registerHealthRoutes(app, services, metrics, serving);

  let closing: Promise<void> | undefined;
  // Each step is timed in the debug log, so a slow shutdown names its culprit.
  const step = async (name: string, fn: () => Promise<unknown>) => {
    const started = Date.now();
    await fn();
    logger.debug({ step: name, ms: Date.now() - started }, 'shutdown step done');
  };
  const close = () =>
    (closing ??= (async () => {
      // Apollo's drain closes the WebSockets, then Fastify (finishing requests in flight);
      // closing Fastify first would leave Apollo's drain waiting on a second close forever.
      await step('http', () => apollo.stop());
      await step('artifact-sweeper', () => sweeper.stop());
      await step('prediction-log', () => predictionLog.stop());
      await step('serving-stats', () => servingStats.stop());
      await step('serving', () => serving.close());
      await step('queue', () => queue.stop({ graceful: false }));
      await step('engine', () => engine.close());
      await step('event-bus', () => bus.close());
      await step('artifact-store', () => store.close());
      if (ownsDataSource) await step('database', () => db.destroy());
    })());

  return { app, services, metrics, close };
}
