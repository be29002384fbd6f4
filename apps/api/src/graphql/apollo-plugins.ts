import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { GraphQLError } from 'graphql';
import type { ApiMetrics } from '../common/metrics';
import type { GraphQLContext } from '../context';
import type { DocumentGuard } from './document-limits';

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

/**
 * The document limits and validation on HTTP (Apollo's own validation is off: see apollo.ts).
 * Tokens are capped by Apollo's `parseOptions`; the rest runs here, where a thrown error becomes
 * the response (a refusal is a 400 BAD_USER_INPUT with a `reason`).
 */
function documentLimitsPlugin(guard: DocumentGuard): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ document, queryHash, request }) => {
          const errors = guard.check(
            document,
            queryHash,
            request.operationName ?? undefined,
            request.variables ?? {},
          );
          const first = errors[0];
          if (first) {
            // Apollo's ValidationError code, which formatGraphQLError turns into BAD_USER_INPUT.
            throw new GraphQLError(first.message, {
              nodes: first.nodes,
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      }),
  };
}

/**
 * `Cache-Control: no-store` on every GraphQL answer: each depends on the caller's key, so no proxy
 * or browser may keep one. (Apollo's cache-control plugin, off, would compute this from per-field
 * hints at a cost per resolved field.)
 */
function noStorePlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response }) => {
          response.http.headers.set('cache-control', 'no-store');
          return Promise.resolve();
        },
      }),
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
 * stop, the document limits, and the operation metrics. Apollo's cache-control plugin, installed
 * by default, is turned off: no type or field sets a cache hint (every answer depends on the
 * caller's key), and it hooks the resolution of every field of every operation.
 */
export function apolloPlugins(
  app: FastifyInstance,
  guard: DocumentGuard,
  metrics: ApiMetrics,
): ApolloServerPlugin<GraphQLContext>[] {
  return [
    fastifyApolloDrainPlugin(app),
    webSocketDrainPlugin(app),
    documentLimitsPlugin(guard),
    operationMetricsPlugin(metrics),
    ApolloServerPluginCacheControlDisabled(),
    noStorePlugin(),
  ];
}
