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
import { badInput } from './errors';

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

/** Refuses operations deeper or more complex than the configured limits, with BAD_USER_INPUT. */
export function queryLimitsPlugin(
  schema: GraphQLSchema,
  limits: { maxDepth: number; maxComplexity: number },
): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, operation, request }) {
          if (!operation) return Promise.resolve();
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
            operationName: request.operationName ?? undefined,
            variables: request.variables ?? {},
            estimators: [paginationEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > limits.maxComplexity) {
            throw badInput(
              `Query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}: ask for smaller pages or fewer fields`,
              { http: { status: 400 } },
            );
          }
          return Promise.resolve();
        },
      });
    },
  };
}
