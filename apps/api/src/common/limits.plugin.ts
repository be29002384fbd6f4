import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { badInput, UserError } from './errors';

const CACHE_ENTRIES = 1000;

/** Depth of the deepest field path of an operation, following fragments. */
export function operationDepth(operation: OperationDefinitionNode, document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue; // introspection stays cheap
        max = Math.max(max, 1 + depthOf(sel.selectionSet, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, seen));
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          max = Math.max(max, depthOf(fragment.selectionSet, new Set([...seen, name])));
        }
      }
    }
    return max;
  };
  return depthOf(operation.selectionSet, new Set());
}

// A list field with `first: n` costs n times its children; other fields cost 1 plus children.
const paginationEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? args.first : undefined;
  return first === undefined ? undefined : 1 + first * Math.max(childComplexity, 1);
};

export interface OperationLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * Throws BAD_USER_INPUT when `operation` is deeper or more complex than `limits`: the one check
 * that HTTP (the plugin below) and WebSocket operations (graphql-ws.ts) both run.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  limits: OperationLimits,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): void {
  const depth = operationDepth(operation, document);
  if (depth > limits.maxDepth) {
    throw badInput(
      `Query depth ${depth} exceeds the limit of ${limits.maxDepth}: ask for fewer nested levels`,
      { http: { status: 400 } },
    );
  }
  const complexity = getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [paginationEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
  if (complexity > limits.maxComplexity) {
    throw badInput(
      `Query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}: ask for smaller pages or fewer fields`,
      { http: { status: 400 } },
    );
  }
}

/** Refuses operations deeper or more complex than the configured limits, with BAD_USER_INPUT. */
export function queryLimitsPlugin(
  schema: GraphQLSchema,
  limits: OperationLimits,
): ApolloServerPlugin {
  const cache = new Map<string, string | null>();
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, operation, request, source }) {
          if (!operation) return Promise.resolve();
          // Depth depends on the document only; complexity also on scalar variables such as
          // `first`. Both are cached, so a hot query (predict) is analysed once, not per request.
          const scalars = Object.entries(request.variables ?? {}).filter(
            ([, v]) => v === null || typeof v !== 'object',
          );
          const key = `${request.operationName ?? ''}\u0000${JSON.stringify(scalars)}\u0000${source}`;
          const cached = cache.get(key);
          if (cached !== undefined) {
            if (cached) throw badInput(cached, { http: { status: 400 } });
            return Promise.resolve();
          }
          try {
            checkOperationLimits(
              schema,
              limits,
              document,
              operation,
              request.operationName ?? undefined,
              request.variables ?? {},
            );
            remember(key, null);
          } catch (err) {
            if (err instanceof UserError) remember(key, err.message);
            throw err;
          }
          return Promise.resolve();
        },
      });
    },
  };

  function remember(key: string, outcome: string | null): void {
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(key, outcome);
  }
}
