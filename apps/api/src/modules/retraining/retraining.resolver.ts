import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { Deployment } from '../deployments/deployments.types';
import { Model, ModelVersion } from '../models/models.types';
import { RetrainPolicy, RetrainPolicyInput, TimelineEvent } from './retraining.types';
import { TIMELINE_DEFAULT, TIMELINE_MAX } from './timeline.service';

@Resolver(() => RetrainPolicy)
export class RetrainPolicyResolver {
  @Mutation(() => RetrainPolicy, {
    description:
      "Sets the model's retraining policy (replacing one it has): when a trigger fires, the deployment's feedback becomes a dataset, a warm-start job continues from its live version, and the result goes to a guarded promotion",
  })
  setRetrainPolicy(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('policy', () => RetrainPolicyInput) policy: RetrainPolicyInput,
  ): Promise<RetrainPolicy> {
    return ctx.services.retrainPolicies.set(ctx.auth, modelId, policy);
  }

  @Mutation(() => Boolean, { description: 'Runs already started finish' })
  deleteRetrainPolicy(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
  ): Promise<boolean> {
    return ctx.services.retrainPolicies.delete(ctx.auth, modelId);
  }

  @FieldResolver(() => Model)
  async model(@Root() policy: RetrainPolicy, @Ctx() ctx: GraphQLContext): Promise<Model> {
    const model = await ctx.loaders.modelById.load(policy.modelId);
    if (!model) throw new Error(`model of retraining policy ${policy.modelId} is missing`);
    return model;
  }

  @FieldResolver(() => Deployment)
  async deployment(@Root() policy: RetrainPolicy, @Ctx() ctx: GraphQLContext): Promise<Deployment> {
    const [deployment] = await ctx.services.deployments.byIds(ctx.auth, [policy.deploymentId]);
    if (!deployment)
      throw new Error(`deployment of retraining policy ${policy.modelId} is missing`);
    return deployment;
  }
}

@Resolver(() => Model)
export class ModelRetrainingResolver {
  @FieldResolver(() => RetrainPolicy, { nullable: true })
  retrainPolicy(@Root() model: Model, @Ctx() ctx: GraphQLContext): Promise<RetrainPolicy | null> {
    return ctx.loaders.retrainPolicyByModelId.load(model.id);
  }

  @FieldResolver(() => [TimelineEvent], {
    description: `Newest first, at most \`first\` (1 to ${TIMELINE_MAX})`,
  })
  timeline(
    @Root() model: Model,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: TIMELINE_DEFAULT }) first: number,
  ): Promise<TimelineEvent[]> {
    return ctx.services.timeline.events(ctx.auth, model.id, first);
  }
}

@Resolver(() => TimelineEvent)
export class TimelineEventResolver {
  @FieldResolver(() => ModelVersion, { nullable: true })
  version(@Root() event: TimelineEvent, @Ctx() ctx: GraphQLContext): Promise<ModelVersion | null> {
    return event.versionId ? ctx.loaders.versionById.load(event.versionId) : Promise.resolve(null);
  }
}
