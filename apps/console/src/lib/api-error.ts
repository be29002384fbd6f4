// Turns what the API (or the network) answers into one message a person can act on.
import type { CombinedError } from 'urql';

/** An error as the console shows it: the API's message and, when it gave one, its code. */
export interface ApiErrorInfo {
  message: string;
  code?: string;
  /** The input field a BAD_USER_INPUT names (`extensions.field`), when it names one. */
  field?: string;
}

interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

/** The first GraphQL error's message and `extensions.code`, or the network failure. */
export function describeError(
  error: CombinedError | Error | null | undefined,
): ApiErrorInfo | null {
  if (!error) return null;
  const graphQLErrors = (error as Partial<CombinedError>).graphQLErrors as
    | GraphQLErrorLike[]
    | undefined;
  const first = graphQLErrors?.[0];
  if (first) {
    const code = first.extensions?.code;
    const field = first.extensions?.field;
    return {
      message: first.message,
      code: typeof code === 'string' ? code : undefined,
      ...(typeof field === 'string' ? { field } : {}),
    };
  }
  const network = (error as Partial<CombinedError>).networkError;
  if (network) return { message: describeNetworkError(network), code: 'NETWORK_ERROR' };
  return { message: error.message.replace(/^\[(GraphQL|Network)\] /, '') };
}

/** Network failures read "Failed to fetch" in browsers; say what that means here. */
export function describeNetworkError(error: Error): string {
  if (/failed to fetch|networkerror|load failed|fetch failed/i.test(error.message)) {
    return 'The API cannot be reached. Check that it is running and that it allows this origin (CORS_ORIGINS).';
  }
  return error.message;
}

/** Whether the error says the key is missing, wrong or revoked. */
export function isUnauthenticated(error: CombinedError | null | undefined): boolean {
  if (!error) return false;
  if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return true;
  const response = error.response as { status?: number } | undefined;
  return response?.status === 401;
}
