import type { FastifyInstance } from 'fastify';
import { Closers } from './common/closers';
import { createLogger, type Logger } from './common/logger';
import type { ApiMetrics } from './common/metrics';
import type { ApiConfig } from './env';
import { startApollo } from './graphql/apollo';
import { DocumentGuard, documentLimitsFrom } from './graphql/document-limits';
import { registerRestAuditHooks } from './common/audit-rest';
import { registerGraphQLRoutes } from './graphql/graphql.routes';
import { createHttpApp } from './http-app';
import { openInfrastructure, type InfrastructureOptions } from './infrastructure';
import { registerDatasetRoutes } from './modules/datasets/datasets.routes';
import { registerFeedbackRoutes } from './modules/feedback/feedback.routes';
import { registerHealthRoutes } from './modules/health/health.routes';
import { registerModelRoutes } from './modules/models/models.routes';
import { registerOipRoutes } from './modules/predictions/oip.routes';
import { registerOpenAiRoutes } from './modules/language-models/openai.routes';
import { buildApiSchema } from './schema';
import { buildServices, type Services } from './services';

export interface ApiServer {
  app: FastifyInstance;
  services: Services;
  metrics: ApiMetrics;
  /** Stops taking requests, drains the ones in flight, closes WebSockets, the engine and the pool. */
  close(): Promise<void>;
}

export interface ApiServerOptions extends InfrastructureOptions {
  config: ApiConfig;
  logger?: Logger;
}

/**
 * The API: infrastructure, services, the HTTP app and its routes. Every resource registers its
 * closer as it is opened, and `close` runs them last opened first: HTTP (WebSockets, requests in
 * flight) before the writers, the queue, the engine, the event bus and the pool. A start that
 * fails closes what it had opened.
 */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const closers = new Closers(logger);
  try {
    const infra = await openInfrastructure(config, logger, closers, options);
    const services = await buildServices(config, logger, infra, closers);

    const app = await createHttpApp(config, logger, infra.metrics);
    const schema = await buildApiSchema();
    // One guard for every transport: Apollo's plugin over HTTP, onSubscribe over graphql-ws.
    const guard = new DocumentGuard(schema, documentLimitsFrom(config));
    const apollo = await startApollo(app, schema, guard, config, logger, infra.metrics, closers);
    registerGraphQLRoutes(app, apollo, schema, services, guard, infra.metrics);
    registerRestAuditHooks(app, services);
    registerModelRoutes(app, services);
    registerDatasetRoutes(app, services);
    registerOipRoutes(app, services);
    registerFeedbackRoutes(app, services);
    registerOpenAiRoutes(app, services);
    registerHealthRoutes(app, services, infra.metrics, infra.serving);

    return { app, services, metrics: infra.metrics, close: () => closers.close() };
  } catch (err) {
    await closers.close().catch(() => undefined);
    throw err;
  }
}
