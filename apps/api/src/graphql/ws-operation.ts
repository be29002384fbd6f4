import type { GraphQLError } from 'graphql';
import { getOperationAST, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { badInput } from '../common/errors';
import type { DocumentGuard } from './document-limits';

/**
 * graphql-ws's `onSubscribe`: the checks an HTTP operation gets, run on a WebSocket operation
 * before it executes, through the same {@link DocumentGuard} as HTTP: the token cap while
 * parsing, the shape limits (depth, aliases, directives, repeated fields) before validation,
 * validation, then the cost with these variables. Returns the execution arguments, or the errors
 * to send (formatted like HTTP's by the handler's onError).
 */
export function prepareWsOperation(
  schema: GraphQLSchema,
  guard: DocumentGuard,
  payload: SubscribePayload,
): ExecutionArgs | readonly GraphQLError[] {
  if (typeof payload.query !== 'string') return [badInput('The operation has no "query"')];
  const variables = payload.variables ?? {};
  const operationName = payload.operationName ?? undefined;
  const prepared = guard.prepare(payload.query, operationName, variables);
  if ('errors' in prepared) return prepared.errors;
  if (!getOperationAST(prepared.document, operationName)) {
    return [
      badInput(
        operationName
          ? `Unknown operation named "${operationName}"`
          : 'Must provide operation name if query contains multiple operations',
        { reason: 'OPERATION_RESOLUTION_FAILURE' },
      ),
    ];
  }
  return { schema, document: prepared.document, operationName, variableValues: variables };
}
