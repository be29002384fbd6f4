import {
  Arg,
  Ctx,
  FieldResolver,
  Float,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { Model, ModelVersion } from '../models/models.types';
import {
  CreateDeploymentInput,
  Deployment,
  DeploymentRoute,
  DeploymentStats,
  RouteInput,
} from './deployments.types';

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Query(() => [Deployment], { description: 'Deployments of the workspace, by name' })
  deployments(@Ctx() ctx: GraphQLContext): Promise<Deployment[]> {
    return ctx.services.deployments.list(ctx.auth);
  }

  @Query(() => Deployment, { nullable: true })
  deployment(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
  ): Promise<Deployment | null> {
    return ctx.services.deployments.find(ctx.auth, name);
  }

  @Mutation(() => Deployment)
  createDeployment(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateDeploymentInput) input: CreateDeploymentInput,
  ): Promise<Deployment> {
    return ctx.services.deployments.create(ctx.auth, input);
  }

  @Mutation(() => Deployment, { description: 'Replaces the routes; weights must add up to 100' })
  updateDeploymentRoutes(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('routes', () => [RouteInput]) routes: RouteInput[],
  ): Promise<Deployment> {
    return ctx.services.deployments.updateRoutes(ctx.auth, name, routes);
  }

  @Mutation(() => Deployment, {
    description:
      'Sets the share (0..1) of successful predictions logged (only logged ones take feedback)',
  })
  updateDeploymentLogging(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('logSampleRate', () => Float) logSampleRate: number,
  ): Promise<Deployment> {
    return ctx.services.deployments.updateLogging(ctx.auth, name, logSampleRate);
  }

  @Mutation(() => Boolean)
  deleteDeployment(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
  ): Promise<boolean> {
    return ctx.services.deployments.delete(ctx.auth, name);
  }

  @FieldResolver(() => Model)
  async model(@Root() deployment: Deployment, @Ctx() ctx: GraphQLContext): Promise<Model> {
    const model = await ctx.loaders.modelById.load(deployment.modelId);
    if (!model)
      throw new Error(`model ${deployment.modelId} of deployment ${deployment.name} is missing`);
    return model;
  }

  @Query(() => DeploymentStats, {
    description: 'Serving statistics over a sliding window, summed over every API replica',
  })
  deploymentStats(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('windowSeconds', () => Int, { nullable: true, defaultValue: 60 }) windowSeconds: number,
  ): Promise<DeploymentStats> {
    return ctx.services.deploymentStats.get(ctx.auth, name, windowSeconds);
  }

  @Subscription(() => DeploymentStats, {
    description: "A deployment's stats, pushed every few seconds: for live dashboards",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const a = args as { name: string; windowSeconds?: number | null };
      return ctx.services.deploymentStats.stream(ctx.auth, a.name, a.windowSeconds ?? 60);
    },
  })
  deploymentStatsUpdated(
    @Root() stats: DeploymentStats,
    @Arg('name', () => String) _name: string,
    @Arg('windowSeconds', () => Int, { nullable: true, defaultValue: 60 }) _windowSeconds: number,
  ): DeploymentStats {
    return stats;
  }
}

@Resolver(() => DeploymentRoute)
export class DeploymentRouteResolver {
  @FieldResolver(() => ModelVersion)
  async version(@Root() route: DeploymentRoute, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(route.versionId);
    if (!version) throw new Error(`version ${route.versionId} of a route is missing`);
    return version;
  }
}
