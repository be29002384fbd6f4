'use client';
// One urql client per signed-in key; a refused key ends the session.
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { Provider } from 'urql';
import { createGraphQLClient, type LiveState } from './graphql-client';
import { useApiUrl } from './api-config';
import { useSession } from './session';

const LiveStateContext = createContext<LiveState>('idle');

/** The state of the subscriptions' WebSocket, for the "Live" indicator. */
export function useLiveState(): LiveState {
  return useContext(LiveStateContext);
}

export function GraphQLProvider({ apiKey, children }: { apiKey: string; children: ReactNode }) {
  const apiUrl = useApiUrl();
  const { expire } = useSession();
  const [liveState, setLiveState] = useState<LiveState>('idle');

  const connection = useMemo(
    () =>
      createGraphQLClient({
        apiUrl,
        apiKey,
        onUnauthenticated: () => expire(),
        onLiveState: setLiveState,
      }),
    [apiUrl, apiKey, expire],
  );
  useEffect(() => () => connection.dispose(), [connection]);

  return (
    <LiveStateContext.Provider value={liveState}>
      <Provider value={connection.client}>{children}</Provider>
    </LiveStateContext.Provider>
  );
}
