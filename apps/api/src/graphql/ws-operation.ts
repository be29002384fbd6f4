import {
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { badInput, UserError } from '../common/errors';
import { checkOperationLimits, type OperationLimits } from '../common/limits.plugin';

/** The error again, with `extensions.code` (Apollo's code for the same mistake over HTTP). */
function withCode(err: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(err.message, {
    nodes: err.nodes,
    source: err.source,
    positions: err.positions,
    path: err.path,
    originalError: err.originalError,
    extensions: { ...err.extensions, code },
  });
}

/**
 * graphql-ws's `onSubscribe`: the checks an HTTP operation gets from Apollo and its plugins, run
 * on a WebSocket operation before it executes: parse, validate against the schema, then the
 * depth and complexity limits (the same {@link checkOperationLimits} as HTTP). Returns the
 * execution arguments, or the errors to send (formatted like HTTP's by the handler's onError).
 */
export function prepareWsOperation(
  schema: GraphQLSchema,
  limits: OperationLimits,
  payload: SubscribePayload,
): ExecutionArgs | readonly GraphQLError[] {
  if (typeof payload.query !== 'string') return [badInput('The operation has no "query"')];
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (err) {
    if (err instanceof GraphQLError) return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
    throw err;
  }
  // Document limits that must run before validation (tokens, aliases, directives, depth with
  // fragments memoised) go here, with the same function the HTTP path calls, once it exists.
  const errors = validate(schema, document);
  if (errors.length > 0) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
  const operationName = payload.operationName ?? undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return [
      withCode(
        new GraphQLError(
          operationName
            ? `Unknown operation named "${operationName}"`
            : 'Must provide operation name if query contains multiple operations',
        ),
        'OPERATION_RESOLUTION_FAILURE',
      ),
    ];
  }
  const variables = payload.variables ?? {};
  try {
    checkOperationLimits(schema, limits, document, operation, operationName, variables);
  } catch (err) {
    if (err instanceof UserError) return [err];
    throw err;
  }
  return { schema, document, operationName, variableValues: variables };
}
