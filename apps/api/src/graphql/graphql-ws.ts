import type { GraphQLSchema } from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import { UserError } from '../common/errors';
import { createContext } from '../context';
import type { AuthInfo } from '../modules/auth/auth.service';
import type { Services } from '../services';

/**
 * The graphql-ws handler for `GET /graphql` upgrades. The key comes in `connection_init`
 * (`{"authorization": "Bearer ..."}`), else the upgrade request's header; an unknown one closes
 * the socket with 4403 Forbidden.
 */
export function graphqlWsHandler(schema: GraphQLSchema, services: Services) {
  return makeHandler<{ authorization?: string }, { auth?: AuthInfo }>({
    schema,
    onConnect: async (ctx) => {
      const header = ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization;
      const found = await services.auth.authenticate(
        typeof header === 'string' ? header : undefined,
      );
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
}
