// The urql client of a signed-in session: queries and mutations over HTTP with the bearer key,
// subscriptions over graphql-ws (which reconnects on its own when the API restarts).
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
  type CombinedError,
} from 'urql';
import { graphqlHttpUrl, graphqlWsUrl } from './api-url';
import { isUnauthenticated } from './api-error';

/** Connection state of the live (WebSocket) channel, for the header's indicator. */
export type LiveState = 'idle' | 'connecting' | 'connected' | 'reconnecting';

export interface GraphQLClientOptions {
  apiUrl: string;
  apiKey: string;
  /** Called when the API refuses the key (revoked while signed in). */
  onUnauthenticated: (error: CombinedError) => void;
  onLiveState?: (state: LiveState) => void;
}

// Close codes after which retrying cannot help: bad request, unauthorised, forbidden.
const fatalCloseCodes = new Set([4400, 4401, 4403]);

/** Creates the client; call `dispose` on sign-out to close the socket. */
export function createGraphQLClient(options: GraphQLClientOptions): {
  client: Client;
  ws: WsClient;
  dispose: () => void;
} {
  const { apiUrl, apiKey, onUnauthenticated, onLiveState } = options;
  const authorization = `Bearer ${apiKey}`;
  let everConnected = false;
  const ws = createWsClient({
    url: graphqlWsUrl(apiUrl),
    connectionParams: { authorization },
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Back off to at most ~5 s so a restarted API is picked up quickly.
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** retries)));
    },
    shouldRetry: (event) => {
      const code = (event as { code?: unknown } | null)?.code;
      return !(typeof code === 'number' && fatalCloseCodes.has(code));
    },
    on: {
      connecting: () => onLiveState?.(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        onLiveState?.('connected');
      },
      // A normal closure (1000) is the lazy client hanging up once no subscription is left;
      // anything else (the API restarting, the network dropping) is retried.
      closed: (event) => {
        const code = (event as { code?: unknown } | null)?.code;
        onLiveState?.(code === 1000 || !everConnected ? 'idle' : 'reconnecting');
      },
    },
  });

  const client = new Client({
    url: graphqlHttpUrl(apiUrl),
    fetchOptions: () => ({ headers: { authorization } }),
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      mapExchange({
        onError: (error) => {
          if (isUnauthenticated(error)) onUnauthenticated(error);
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }),
          };
        },
      }),
    ],
  });

  return {
    client,
    ws,
    dispose: () => {
      void ws.dispose();
    },
  };
}
