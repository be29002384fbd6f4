import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import { UserError, unauthenticated } from '../common/errors';
import type { ApiMetrics } from '../common/metrics';
import { createContext } from '../context';
import type { AuthInfo } from '../modules/auth/auth.service';
import type { Services } from '../services';
import { formatGraphQLError } from './graphql-errors';
import {
  WS_CLOSE_KEY_REVOKED,
  WS_CLOSE_RATE_LIMITED,
  WS_CLOSE_TOO_MANY_SOCKETS,
  WsConnectionRegistry,
} from './ws-connections';
import type { DocumentGuard } from './document-limits';
import { prepareWsOperation } from './ws-operation';
import { authenticateRateLimited } from '../modules/auth/auth.hooks';

/** A WebSocket close reason is at most 123 bytes. */
const MAX_CLOSE_REASON = 120;

type SocketState = {
  auth?: AuthInfo;
  authorization?: string;
  /** Ids of the operations admitted on this socket (finished ones are pruned at the next check). */
  admitted?: Set<string>;
  /** Aborted when the socket closes: the operations' context signal. */
  closed?: AbortController;
};

/**
 * The graphql-ws handler for `GET /graphql` upgrades. The key comes in `connection_init`
 * (`{"authorization": "Bearer ..."}`), else the upgrade request's header; an unknown one closes
 * the socket with 4403 Forbidden, a key at WS_MAX_SOCKETS_PER_KEY open sockets with 4429, and so
 * does a connection_init over its key's rate (or its address's, for a key not cached yet).
 * Every operation (subscribe message) is charged to its key's rate: over it, the operation gets a
 * RATE_LIMITED error with retryAfterSeconds and the socket stays open.
 * Every operation re-checks the key (revoked: refused, and the socket closed with 4403), is
 * held to the same document limits as over HTTP (the one DocumentGuard), counts
 * against WS_MAX_SUBSCRIPTIONS_PER_SOCKET, and has its errors formatted like HTTP's (internal
 * ones masked). A key revoked on any replica closes its sockets here with 4403.
 */
export function graphqlWsHandler(
  schema: GraphQLSchema,
  services: Services,
  guard: DocumentGuard,
  metrics?: ApiMetrics,
) {
  const { config, logger } = services;
  const format = formatGraphQLError(logger, config.isDevelopment);
  const registry = new WsConnectionRegistry(config.WS_MAX_SOCKETS_PER_KEY, (open) =>
    metrics?.wsSockets.set(open),
  );
  services.auth.onKeyRevoked((apiKeyId) => registry.closeKey(apiKeyId));
  services.auth.onRecheckNeeded(() => {
    services.auth.revokedAmong(registry.keyIds()).then(
      (revoked) => revoked.forEach((id) => registry.closeKey(id)),
      (err: unknown) => logger.warn({ err }, 'could not re-check the keys of open WebSockets'),
    );
  });

  // graphql-ws wraps an error thrown by a subscription's stream in a GraphQLError without its
  // code: format the original (a UserError keeps its code, anything else is masked).
  const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((err) => {
      const inner =
        err.extensions?.code === undefined && err.originalError instanceof GraphQLError
          ? err.originalError
          : err;
      return format(inner.toJSON(), inner);
    });
  const state = (extra: object) => extra as SocketState;

  return makeHandler<{ authorization?: string }, SocketState>({
    schema,
    isProd: !config.isDevelopment,
    onConnect: async (ctx) => {
      const header = ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization;
      const authorization = typeof header === 'string' ? header : undefined;
      const address = ctx.extra.request.ip;
      let found: AuthInfo | null;
      try {
        found = await authenticateRateLimited(services, authorization, address);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        ctx.extra.socket.close(WS_CLOSE_RATE_LIMITED, err.message.slice(0, MAX_CLOSE_REASON));
        return false;
      }
      if (!found) {
        services.signInFailures.record(
          address,
          authorization ? 'unknown_or_revoked_key' : 'missing_key',
          'websocket',
          'GET /graphql',
        );
        return false; // closes with 4403 Forbidden
      }
      if (!registry.add(found.apiKeyId, ctx.extra.socket)) {
        ctx.extra.socket.close(
          WS_CLOSE_TOO_MANY_SOCKETS,
          `Too many WebSockets for this API key (WS_MAX_SOCKETS_PER_KEY=${config.WS_MAX_SOCKETS_PER_KEY})`,
        );
        return false;
      }
      // The socket's own copy, with its client address for the audit log.
      Object.assign(state(ctx.extra), {
        auth: { ...found, sourceAddress: address },
        authorization,
        closed: new AbortController(),
      });
      return true;
    },
    onClose: (ctx) => {
      const { auth, closed } = state(ctx.extra);
      closed?.abort();
      if (auth) registry.remove(auth.apiKeyId, ctx.extra.socket);
    },
    onSubscribe: async (ctx, id, payload) => {
      const socketState = state(ctx.extra);
      // Counted before anything is awaited, so a burst of subscribe messages cannot overtake it.
      const admitted = (socketState.admitted ??= new Set());
      for (const open of admitted) if (!(open in ctx.subscriptions)) admitted.delete(open);
      if (admitted.size >= config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET) {
        return [
          new UserError(
            'QUOTA_EXCEEDED',
            `This socket has ${config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET} operations open, the limit (WS_MAX_SUBSCRIPTIONS_PER_SOCKET): complete one first`,
            { limit: 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET' },
          ),
        ];
      }
      admitted.add(id);
      const { auth, authorization } = socketState;
      const current = await services.auth.authenticate(authorization);
      if (!current || current.apiKeyId !== auth?.apiKeyId) {
        // The error goes out first, then the close.
        setImmediate(() => ctx.extra.socket.close(WS_CLOSE_KEY_REVOKED, 'The API key was revoked'));
        return [unauthenticated('The API key is unknown or revoked')];
      }
      // Every operation is a request of its key: over the rate it is refused, the socket stays.
      try {
        services.rateLimits.chargeKey(current);
      } catch (err) {
        if (err instanceof UserError) return [err];
        throw err;
      }
      return prepareWsOperation(schema, guard, payload);
    },
    onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined,
    context: (ctx) => {
      const { auth: found, closed } = state(ctx.extra);
      if (!found || !closed)
        throw new UserError('UNAUTHENTICATED', 'Connection is not authenticated');
      return createContext(services, found, closed.signal);
    },
  });
}
