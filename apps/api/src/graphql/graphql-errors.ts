import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../common/logger';
import { parseFailureReason } from './document-limits';

// Codes a client can act on, from the contract; anything else is an internal error.
const CONTRACT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'MODEL_UNAVAILABLE',
  'PREDICT_TIMEOUT',
  'INTERNAL_SERVER_ERROR',
]);
// Apollo's own codes for requests the caller got wrong.
const CALLER_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo's `formatError`: the contract's codes pass through, Apollo's caller mistakes become
 * BAD_USER_INPUT (with the original as `reason`), and anything else is logged and answered as
 * INTERNAL_SERVER_ERROR without its message (outside development) or stack trace.
 */
export function formatGraphQLError(
  logger: Logger,
  isDevelopment: boolean,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const code =
      typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (code && CALLER_CODES.has(code)) {
      const reason = code === 'GRAPHQL_PARSE_FAILED' ? parseFailureReason(formatted.message) : code;
      return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT', reason } };
    }
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (code && CONTRACT_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      return { ...formatted, extensions: isDevelopment ? formatted.extensions : extensions };
    }
    logger.error(
      { err: original ?? error, path: formatted.path },
      'unexpected error in a GraphQL request',
    );
    return {
      message:
        isDevelopment && original instanceof Error ? original.message : 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
