import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { UsageDimension, UsageGranularity, UsageRecord } from './usage.types';

@Resolver(() => UsageRecord)
export class UsageResolver {
  @Query(() => [UsageRecord], {
    description:
      "Metered usage of the caller's workspace per minute, hour or UTC day, oldest first (docs/api.md, Usage)",
  })
  usage(
    @Ctx() ctx: GraphQLContext,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('granularity', () => UsageGranularity, {
      nullable: true,
      defaultValue: UsageGranularity.HOUR,
    })
    granularity: UsageGranularity | null,
    @Arg('groupBy', () => [UsageDimension], { nullable: true })
    groupBy: UsageDimension[] | null,
  ): Promise<UsageRecord[]> {
    return ctx.services.usage.series(ctx.auth, {
      from,
      to,
      granularity: granularity ?? UsageGranularity.HOUR,
      groupBy: groupBy ?? [],
    });
  }
}
