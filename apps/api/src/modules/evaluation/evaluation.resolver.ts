import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { Dataset } from '../datasets/datasets.types';
import { Model, ModelVersion } from '../models/models.types';
import { EvaluationJob, StartEvaluationJobInput, VersionEvaluation } from './evaluation.types';

@Resolver(() => EvaluationJob)
export class EvaluationJobResolver {
  @Query(() => EvaluationJob, { nullable: true })
  evaluationJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<EvaluationJob | null> {
    return ctx.services.evaluation.find(ctx.auth, id);
  }

  @Query(() => [EvaluationJob], { description: "A model's evaluation jobs, newest first" })
  evaluationJobs(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
  ): Promise<EvaluationJob[]> {
    return ctx.services.evaluation.list(ctx.auth, modelId, first);
  }

  @Mutation(() => EvaluationJob, {
    description:
      'Scores versions of one model on the same rows of a dataset (the rows with the target and every feature present), on the training queue',
  })
  startEvaluationJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => StartEvaluationJobInput) input: StartEvaluationJobInput,
  ): Promise<EvaluationJob> {
    return ctx.services.evaluation.startForCaller(ctx.auth, input);
  }

  @Mutation(() => EvaluationJob, {
    description: 'Stops a QUEUED or RUNNING evaluation job (CANCELLED, no results)',
  })
  cancelEvaluationJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<EvaluationJob> {
    return ctx.services.evaluation.cancel(ctx.auth, id);
  }

  @FieldResolver(() => Dataset)
  async dataset(@Root() job: EvaluationJob, @Ctx() ctx: GraphQLContext): Promise<Dataset> {
    const dataset = await ctx.services.datasets.find(ctx.auth, job.datasetId);
    if (!dataset) throw new Error(`dataset of evaluation job ${job.id} is missing`);
    return dataset;
  }

  @FieldResolver(() => Model)
  async model(@Root() job: EvaluationJob, @Ctx() ctx: GraphQLContext): Promise<Model> {
    const model = await ctx.loaders.modelById.load(job.modelId);
    if (!model) throw new Error(`model of evaluation job ${job.id} is missing`);
    return model;
  }

  @FieldResolver(() => [ModelVersion], {
    description: 'The versions scored, in the order given (a deleted one is left out)',
  })
  async versions(@Root() job: EvaluationJob, @Ctx() ctx: GraphQLContext): Promise<ModelVersion[]> {
    const versions = await Promise.all(
      job.versionIds.map((id) => ctx.loaders.versionById.load(id)),
    );
    return versions.filter((v): v is ModelVersion => v !== null && v !== undefined);
  }
}

@Resolver(() => VersionEvaluation)
export class VersionEvaluationResolver {
  @FieldResolver(() => ModelVersion)
  async version(
    @Root() result: VersionEvaluation,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(result.versionId);
    if (!version) throw new Error(`version ${result.versionId} of an evaluation is missing`);
    return version;
  }
}
