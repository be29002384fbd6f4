import 'reflect-metadata';
import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver, WorkspaceResolver } from './modules/auth/auth.resolver';
import { DatasetResolver } from './modules/datasets/datasets.resolver';
import {
  ModelAliasResolver,
  ModelResolver,
  ModelVersionResolver,
} from './modules/models/models.resolver';

export const RESOLVERS = [
  ModelResolver,
  ModelVersionResolver,
  ModelAliasResolver,
  ApiKeyResolver,
  WorkspaceResolver,
  DatasetResolver,
] as const;

/** The GraphQL schema, built from the resolvers; `apps/api/schema.graphql` is its printed form. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    // The contract's DateTime is graphql-scalars' DateTime (type-graphql's own is DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: { forbidUnknownValues: false },
  });
}
