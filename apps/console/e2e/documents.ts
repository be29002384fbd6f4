// Runs every query the console can send against the real API, with placeholder variables: the
// API must accept each (valid against the schema, within MAX_QUERY_DEPTH / MAX_QUERY_COMPLEXITY).
// Unknown ids and names are fine: only validation and limit errors count.
import {
  Kind,
  OperationTypeNode,
  print,
  type DocumentNode,
  type OperationDefinitionNode,
  type TypeNode,
} from 'graphql';
import * as documents from '../src/gql/graphql';

function isDocument(value: unknown): value is DocumentNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === Kind.DOCUMENT
  );
}

function placeholder(type: TypeNode): unknown {
  if (type.kind === Kind.NON_NULL_TYPE) return placeholder(type.type);
  if (type.kind === Kind.LIST_TYPE) return [];
  switch (type.name.value) {
    case 'ID':
      return '00000000-0000-4000-8000-000000000000';
    case 'Int':
      return 5;
    case 'String':
      return 'e2e-does-not-exist';
    case 'DateTime':
      return new Date().toISOString();
    default:
      return null;
  }
}

/** The console's query documents, by operation name. */
export function consoleQueries(): {
  name: string;
  document: DocumentNode;
  variables: Record<string, unknown>;
}[] {
  return Object.values(documents)
    .filter(isDocument)
    .flatMap((document) => {
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      );
      if (!operation || operation.operation !== OperationTypeNode.QUERY || !operation.name)
        return [];
      // predict and embed need a real model and input; the scenario exercises them through the
      // playground and the Chat page's embeddings tab.
      if (operation.name.value === 'Predict' || operation.name.value === 'Embed') return [];
      const variables = Object.fromEntries(
        (operation.variableDefinitions ?? [])
          .filter((v) => v.type.kind === Kind.NON_NULL_TYPE)
          .map((v) => [v.variable.name.value, placeholder(v.type)]),
      );
      return [{ name: operation.name.value, document, variables }];
    });
}

/** Errors that mean the console asks something the API will never answer. */
export async function refusedQueries(apiUrl: string, apiKey: string): Promise<string[]> {
  const refused: string[] = [];
  for (const { name, document, variables } of consoleQueries()) {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: print(document), variables, operationName: name }),
    });
    const body = (await response.json()) as {
      errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
    };
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code ?? '';
      // A `reason` marks a refused document: a limit (MAX_TOKENS, MAX_DEPTH, ...) or validation.
      if (
        code.startsWith('GRAPHQL_') ||
        error.extensions?.reason !== undefined ||
        /complexity|depth|Cannot query field|Unknown argument|Variable "\$/i.test(error.message)
      ) {
        refused.push(`${name}: ${error.message}`);
      }
    }
  }
  return refused;
}
