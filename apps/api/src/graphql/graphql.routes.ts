import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { DocumentGuard } from './document-limits';
import { clientGone } from '../common/client-gone';
import type { ApiMetrics } from '../common/metrics';
import { createContext, type GraphQLContext } from '../context';
import { requireAuth } from '../modules/auth/auth.hooks';
import type { Services } from '../services';
import { graphqlWsHandler } from './graphql-ws';

/** `/graphql`: GraphQL over HTTP (GET and POST) and the graphql-ws WebSocket (GET upgrade). */
export function registerGraphQLRoutes(
  app: FastifyInstance,
  apollo: ApolloServer<GraphQLContext>,
  schema: GraphQLSchema,
  services: Services,
  guard: DocumentGuard,
  metrics?: ApiMetrics,
): void {
  const graphqlHandler = fastifyApolloHandler(apollo, {
    context: (req, reply) =>
      Promise.resolve(createContext(services, req.auth, () => clientGone(reply))),
  });
  const httpAuth = requireAuth(services);
  app.route({
    method: 'GET',
    url: '/graphql',
    // A WebSocket upgrade authenticates in its connection_init message (onConnect), not headers.
    onRequest: (req, reply) => (req.ws ? Promise.resolve() : httpAuth.call(app, req, reply)),
    handler: graphqlHandler,
    wsHandler: graphqlWsHandler(schema, services, guard, metrics),
  });
  app.route({
    method: ['POST', 'OPTIONS'],
    url: '/graphql',
    // Before the body is read: an unauthenticated body is never parsed.
    onRequest: httpAuth,
    handler: graphqlHandler,
  });
}
