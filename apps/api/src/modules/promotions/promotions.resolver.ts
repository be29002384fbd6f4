import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { Deployment } from '../deployments/deployments.types';
import { EvaluationJob } from '../evaluation/evaluation.types';
import { ModelVersion } from '../models/models.types';
import { PromoteInput, Promotion } from './promotions.types';

@Resolver(() => Promotion)
export class PromotionResolver {
  @Query(() => Promotion, { nullable: true })
  promotion(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<Promotion | null> {
    return ctx.services.promotions.find(ctx.auth, id);
  }

  @Query(() => [Promotion], {
    description: "A deployment's promotions, newest first (100 at most)",
  })
  promotions(
    @Ctx() ctx: GraphQLContext,
    @Arg('deployment', () => String) deployment: string,
  ): Promise<Promotion[]> {
    return ctx.services.promotions.list(ctx.auth, deployment);
  }

  @Mutation(() => Promotion, {
    description:
      'Starts a guarded promotion of a version on a deployment: evaluation gate, approval, rollout steps with automatic rollback; the production alias moves when it completes',
  })
  promote(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => PromoteInput) input: PromoteInput,
  ): Promise<Promotion> {
    return ctx.services.promotions.promote(ctx.auth, input);
  }

  @Mutation(() => Promotion, {
    description: 'Starts the rollout of a promotion WAITING_FOR_APPROVAL',
  })
  approvePromotion(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<Promotion> {
    return ctx.services.promotions.approve(ctx.auth, id);
  }

  @Mutation(() => Promotion, {
    description: 'Ends a promotion in progress; the champion gets all the traffic back',
  })
  cancelPromotion(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Promotion> {
    return ctx.services.promotions.cancel(ctx.auth, id);
  }

  @FieldResolver(() => Deployment)
  async deployment(@Root() p: Promotion, @Ctx() ctx: GraphQLContext): Promise<Deployment> {
    const [found] = await ctx.services.deployments.byIds(ctx.auth, [p.deploymentId]);
    if (!found) throw new Error(`deployment ${p.deploymentId} of promotion ${p.id} is missing`);
    return found;
  }

  @FieldResolver(() => ModelVersion)
  async candidate(@Root() p: Promotion, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(p.candidateVersionId);
    if (!version) throw new Error(`candidate of promotion ${p.id} is missing`);
    return version;
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: "The version that had the deployment's traffic when the promotion started",
  })
  champion(@Root() p: Promotion, @Ctx() ctx: GraphQLContext): Promise<ModelVersion | null> {
    return p.championVersionId
      ? ctx.loaders.versionById.load(p.championVersionId)
      : Promise.resolve(null);
  }

  @FieldResolver(() => EvaluationJob, {
    nullable: true,
    description:
      "The evaluation gate's job (champion first, candidate second); null when the policy names no dataset or the promotion was forced",
  })
  evaluation(@Root() p: Promotion, @Ctx() ctx: GraphQLContext): Promise<EvaluationJob | null> {
    return p.evaluationJobId
      ? ctx.services.evaluation.get(p.workspaceId, p.evaluationJobId)
      : Promise.resolve(null);
  }

  @Subscription(() => Promotion, {
    description:
      'The promotion now, then every change (steps, figures, status); completes after a final status',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      return ctx.services.promotionEvents.updates(ctx.auth, (args as { id: string }).id);
    },
  })
  promotionUpdated(@Root() p: Promotion, @Arg('id', () => ID) _id: string): Promotion {
    return p;
  }
}
