import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { JSONScalar } from '../../common/scalars';
import { Dataset, DatasetConnection } from './datasets.types';

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => DatasetConnection, {
    description: 'Datasets of the workspace, newest first (deleted ones left out)',
  })
  datasets(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<DatasetConnection> {
    return ctx.services.datasets.list(ctx.auth, { first, after });
  }

  @Query(() => Dataset, { nullable: true })
  dataset(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Dataset | null> {
    return ctx.services.datasets.find(ctx.auth, id);
  }

  @Mutation(() => Dataset, {
    description: 'Small CSVs inline; large ones go through POST /v1/datasets',
  })
  createDataset(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('csv', () => String) csv: string,
    @Arg('idempotencyKey', () => String, {
      nullable: true,
      description: 'A retry with the same key within 24 h returns the first dataset',
    })
    idempotencyKey: string | null,
  ): Promise<Dataset> {
    return ctx.services.datasets.createInline(ctx.auth, name, csv, idempotencyKey);
  }

  @Mutation(() => Boolean, {
    description: 'Soft delete; refused (CONFLICT) while a queued or running job uses it',
  })
  deleteDataset(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.datasets.delete(ctx.auth, id);
  }

  @FieldResolver(() => [JSONScalar], { description: 'Rows as {column: value}' })
  preview(
    @Root() dataset: Dataset,
    @Ctx() ctx: GraphQLContext,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 20 }) limit: number,
  ): Promise<Record<string, unknown>[]> {
    return ctx.services.datasets.preview(dataset, limit);
  }
}
