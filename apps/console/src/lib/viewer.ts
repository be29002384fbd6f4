// Checks an API key with the `viewer` query, outside the session's urql client (there is none
// before sign-in). Wrong, revoked and unreachable are told apart so the message says what to do.
import { print } from 'graphql';
import { ViewerQuery } from '@/graphql/registry';
import type { ViewerQuery as ViewerResult } from '@/gql/graphql';
import type { ApiErrorInfo } from './api-error';
import { describeNetworkError } from './api-error';
import { graphqlHttpUrl } from './api-url';

/** Who the key belongs to, as the console keeps it for the session. */
export type SessionViewer = ViewerResult['viewer'];

export type ViewerCheck = { viewer: SessionViewer } | { error: ApiErrorInfo };

export const invalidKeyMessage =
  'This API key was not accepted: it is wrong or has been revoked. Check it and try again.';

interface GraphQLResponse {
  data?: ViewerResult | null;
  errors?: { message: string; extensions?: { code?: unknown } }[];
}

/** Asks the API who `apiKey` is. Never throws. */
export async function checkApiKey(
  apiUrl: string,
  apiKey: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ViewerCheck> {
  const key = apiKey.trim();
  if (!key) return { error: { message: 'Enter an API key.', code: 'BAD_USER_INPUT' } };
  let response: Response;
  try {
    response = await fetchImpl(graphqlHttpUrl(apiUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query: print(ViewerQuery), operationName: 'Viewer' }),
    });
  } catch (err) {
    return { error: { message: describeNetworkError(err as Error), code: 'NETWORK_ERROR' } };
  }
  let body: GraphQLResponse | null = null;
  try {
    body = (await response.json()) as GraphQLResponse;
  } catch {
    body = null;
  }
  const first = body?.errors?.[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : undefined;
  if (response.status === 401 || code === 'UNAUTHENTICATED') {
    return { error: { message: invalidKeyMessage, code: 'UNAUTHENTICATED' } };
  }
  if (first) return { error: { message: first.message, code } };
  if (!response.ok || !body?.data?.viewer) {
    return {
      error: { message: `The API answered HTTP ${response.status} without a viewer.`, code },
    };
  }
  return { viewer: body.data.viewer };
}
