// Test helpers: a fetch that answers the `viewer` query like the API, and a urql client whose
// answers the test chooses.
import { vi } from 'vitest';
import { fromValue, map, never, pipe, subscribe, type Source } from 'wonka';
import type { Client, OperationResult } from 'urql';
import type { Role } from '@/gql/graphql';

/** A viewer as the API returns it. */
export function viewerFixture(role: Role = 'ADMIN', overrides: { isRoot?: boolean } = {}) {
  return {
    __typename: 'Viewer' as const,
    role,
    isRoot: overrides.isRoot ?? false,
    apiKey: { __typename: 'ApiKey' as const, id: 'key-1', name: `${role.toLowerCase()}-key`, role },
    workspace: { __typename: 'Workspace' as const, id: 'ws-1', name: 'acme' },
  };
}

/** A fetch that accepts only `goodKey` and answers 401 UNAUTHENTICATED otherwise. */
export function fakeViewerFetch(goodKey: string, role: Role = 'ADMIN') {
  return vi.fn((_url: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    if (headers.get('authorization') !== `Bearer ${goodKey}`) {
      const refused = new Response(
        JSON.stringify({
          errors: [
            { message: 'Invalid or revoked API key', extensions: { code: 'UNAUTHENTICATED' } },
          ],
        }),
        { status: 401, headers: { 'content-type': 'application/json' } },
      );
      return Promise.resolve(refused);
    }
    return Promise.resolve(
      new Response(JSON.stringify({ data: { viewer: viewerFixture(role) } }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      }),
    );
  });
}

/** A urql client: queries never answer unless `query` says; mutations answer from `mutate`;
 * `client.subscription(...)` and useSubscription stream what `subscribe` returns (a wonka source
 * the test drives). */
export function fakeClient(options: {
  query?: (name: string, variables: unknown) => Partial<OperationResult> | undefined;
  mutate?: (name: string, variables: unknown) => Partial<OperationResult>;
  subscribe?: (name: string, variables: unknown) => Source<Partial<OperationResult>>;
}) {
  type Request = { query: { definitions: readonly unknown[] }; variables: unknown };
  const operationName = (request: Request) =>
    (request.query.definitions[0] as { name?: { value: string } }).name?.value ?? '';
  const result = (request: Request, answer: Partial<OperationResult> | undefined) => ({
    operation: { ...request, kind: 'query', context: {} },
    data: undefined,
    error: undefined,
    stale: false,
    hasNext: false,
    ...answer,
  });
  const executeMutation = vi.fn((request: Request) =>
    fromValue(result(request, options.mutate?.(operationName(request), request.variables))),
  );
  const executeQuery = vi.fn((request: Request) => {
    const answer = options.query?.(operationName(request), request.variables);
    return answer ? fromValue(result(request, answer)) : never;
  });
  const subscription = vi.fn((query: Request['query'], variables: unknown) => {
    const request = { query, variables };
    const source = options.subscribe?.(operationName(request), variables) ?? never;
    const results = pipe(
      source,
      map((answer) => result(request, answer)),
    );
    // A wonka source with urql's `subscribe` method, as urql's OperationResultSource is.
    return Object.assign(results, {
      subscribe: (onResult: (value: ReturnType<typeof result>) => void) =>
        pipe(results, subscribe(onResult)),
    });
  });
  // `client.query(...).toPromise()`, answered like executeQuery (never, unless `query` says).
  const query = vi.fn((document: Request['query'], variables: unknown) => {
    const request = { query: document, variables };
    const answer = options.query?.(operationName(request), variables);
    return {
      toPromise: () =>
        answer ? Promise.resolve(result(request, answer)) : new Promise<never>(() => undefined),
    };
  });
  // The methods urql's hooks (and the Chat page) call; the rest of Client is not needed.
  const client = {
    executeQuery,
    query,
    executeMutation,
    subscription,
    // urql's useSubscription: streams what `subscribe` returns, like `client.subscription`.
    executeSubscription: vi.fn((request: Request) =>
      pipe(
        options.subscribe?.(operationName(request), request.variables) ?? never,
        map((answer) => result(request, answer)),
      ),
    ),
    suspense: false,
  } as unknown as Client;
  return { client, executeMutation, executeQuery, subscription };
}
