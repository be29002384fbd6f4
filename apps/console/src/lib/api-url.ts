// Addresses derived from MAAS_API_URL (read by the root layout at request time).

/** The API's base URL without a trailing slash; rejects what is not http(s). */
export function normalizeApiUrl(raw: string | undefined): string {
  const value = (raw ?? '').trim() || 'http://localhost:4000';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`MAAS_API_URL must be an http(s) URL, got "${value}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** GraphQL over HTTP. */
export function graphqlHttpUrl(apiUrl: string): string {
  return `${apiUrl}/graphql`;
}

/** GraphQL over WebSocket (graphql-transport-ws), same host and port as HTTP. */
export function graphqlWsUrl(apiUrl: string): string {
  return `${apiUrl.replace(/^http/, 'ws')}/graphql`;
}
