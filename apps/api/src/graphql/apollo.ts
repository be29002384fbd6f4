import { ApolloServer } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Closers } from '../common/closers';
import type { Logger } from '../common/logger';
import type { ApiMetrics } from '../common/metrics';
import type { GraphQLContext } from '../context';
import type { ApiConfig } from '../env';
import { apolloPlugins } from './apollo-plugins';
import type { DocumentGuard } from './document-limits';
import { formatGraphQLError } from './graphql-errors';

/**
 * Starts Apollo on `app` and registers its stop as the HTTP closer: Apollo's drain closes the
 * WebSockets, then Fastify (finishing requests in flight). Closing Fastify first would leave
 * Apollo's drain waiting on a second close forever, so nothing else closes `app`. Introspection is
 * off in production unless GRAPHQL_INTROSPECTION=true (`config.graphqlIntrospection`).
 */
export async function startApollo(
  app: FastifyInstance,
  schema: GraphQLSchema,
  guard: DocumentGuard,
  config: ApiConfig,
  logger: Logger,
  metrics: ApiMetrics,
  closers: Closers,
): Promise<ApolloServer<GraphQLContext>> {
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.graphqlIntrospection,
    parseOptions: guard.parseOptions,
    // graphql-js validation runs in the guard (apollo-plugins.ts), after the linear shape checks:
    // Apollo's would run OverlappingFieldsCanBeMerged, quadratic in repeated fields, before any
    // plugin could refuse the document.
    dangerouslyDisableValidation: true,
    // main.ts owns SIGTERM/SIGINT and stops everything in order.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // A request that carries a bearer token is not a CSRF risk (it is not a cookie), GET included.
    csrfPrevention: {
      requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'],
    },
    formatError: formatGraphQLError(logger, config.isDevelopment),
    plugins: apolloPlugins(app, guard, metrics),
  });
  await apollo.start();
  closers.add('http', () => apollo.stop());
  return apollo;
}
