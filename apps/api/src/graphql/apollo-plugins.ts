import type { ApolloServerPlugin } from '@apollo/server';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { queryLimitsPlugin } from '../common/limits.plugin';
import type { ApiMetrics } from '../common/metrics';
import type { ApiConfig } from '../env';
import type { GraphQLContext } from '../context';

/** At `apollo.stop()`, closes every graphql-ws connection with 1001 (Going Away). */
function webSocketDrainPlugin(app: FastifyInstance): ApolloServerPlugin {
  return {
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
}

/** Counts operations by type and outcome (`maas_graphql_operations_total`). */
function operationMetricsPlugin(metrics: ApiMetrics): ApolloServerPlugin {
  return {
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
  };
}

/**
 * Apollo's plugins, in order: draining Fastify (requests in flight finish) and the WebSockets on
 * stop, the depth and complexity limits, and the operation metrics.
 */
export function apolloPlugins(
  app: FastifyInstance,
  schema: GraphQLSchema,
  config: ApiConfig,
  metrics: ApiMetrics,
): ApolloServerPlugin<GraphQLContext>[] {
  return [
    fastifyApolloDrainPlugin(app),
    webSocketDrainPlugin(app),
    queryLimitsPlugin(schema, {
      maxDepth: config.MAX_QUERY_DEPTH,
      maxComplexity: config.MAX_QUERY_COMPLEXITY,
    }),
    operationMetricsPlugin(metrics),
  ];
}
