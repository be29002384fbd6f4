import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client for tests: `collect` gathers a subscription's results until it completes. */
export function wsClient(httpUrl: string, key: string | null): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Collected<T> {
  results: T[];
  /** Resolves when the server completes the stream; rejects on an error. */
  done: Promise<void>;
  stop(): void;
}

export function collect<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  onResult?: (r: T) => void,
): Collected<T> {
  const results: T[] = [];
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) reject(new Error(JSON.stringify(r.errors)));
          else {
            results.push(r.data as T);
            onResult?.(r.data as T);
          }
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: resolve,
      },
    );
  });
  return { results, done, stop: () => stop() };
}
