import { ALGORITHMS } from '@maas/training';
import type { JobStatus } from '@maas/db';
import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { HISTORY_PAGE, MAX_HISTORY_PAGE } from '../../common/pagination';
import type { GraphQLContext } from '../../context';
import { Dataset } from '../datasets/datasets.types';
import { Model, ModelVersion } from '../models/models.types';
import {
  AlgorithmInfo,
  EpochMetrics,
  JobStatusEnum,
  StartTrainingJobInput,
  TrainingJob,
  TrainingJobConnection,
} from './training.types';

@Resolver(() => TrainingJob)
export class TrainingJobResolver {
  @Query(() => TrainingJobConnection, { description: 'Newest first' })
  trainingJobs(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => JobStatusEnum, { nullable: true }) status: JobStatus | null,
    @Arg('modelId', () => ID, { nullable: true }) modelId: string | null,
  ): Promise<TrainingJobConnection> {
    return ctx.services.training.list(ctx.auth, { first, after, status, modelId });
  }

  @Query(() => TrainingJob, { nullable: true })
  trainingJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<TrainingJob | null> {
    return ctx.services.training.find(ctx.auth, id);
  }

  @Query(() => [AlgorithmInfo], {
    description: 'What startTrainingJob accepts, with defaults and bounds',
  })
  algorithms(): AlgorithmInfo[] {
    return ALGORITHMS.map((a) => ({
      algorithm: a.algorithm,
      tasks: [...a.tasks],
      description: a.description,
      hyperparameters: a.hyperparameters.map((h) => ({ ...h, values: h.values ?? null })),
    }));
  }

  @Mutation(() => TrainingJob)
  startTrainingJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => StartTrainingJobInput) input: StartTrainingJobInput,
  ): Promise<TrainingJob> {
    return ctx.services.training.start(ctx.auth, input);
  }

  @Mutation(() => TrainingJob)
  cancelTrainingJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<TrainingJob> {
    return ctx.services.training.cancel(ctx.auth, id);
  }

  @Mutation(() => TrainingJob, {
    description: 'Re-queues a FAILED or CANCELLED job as a new attempt',
  })
  retryTrainingJob(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<TrainingJob> {
    return ctx.services.training.retry(ctx.auth, id);
  }

  @FieldResolver(() => [EpochMetrics], {
    description: `One entry per finished epoch, oldest first: at most \`first\` (default ${HISTORY_PAGE}, at most ${MAX_HISTORY_PAGE}) after \`afterEpoch\`; page on with the last epoch returned`,
  })
  history(
    @Root() job: TrainingJob,
    @Ctx() ctx: GraphQLContext,
    @Arg('afterEpoch', () => Int, { nullable: true }) afterEpoch: number | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: HISTORY_PAGE }) first: number | null,
  ): Promise<EpochMetrics[]> {
    return ctx.services.training.history(job.id, afterEpoch, first);
  }

  @FieldResolver(() => Model)
  async model(@Root() job: TrainingJob, @Ctx() ctx: GraphQLContext): Promise<Model> {
    const model = await ctx.loaders.modelById.load(job.modelId);
    if (!model) throw new Error(`model of job ${job.id} is missing`);
    return model;
  }

  @FieldResolver(() => Dataset)
  async dataset(@Root() job: TrainingJob, @Ctx() ctx: GraphQLContext): Promise<Dataset> {
    const dataset = await ctx.services.datasets.find(ctx.auth, job.datasetId);
    if (!dataset) throw new Error(`dataset of job ${job.id} is missing`);
    return dataset;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Set when SUCCEEDED' })
  resultVersion(
    @Root() job: TrainingJob,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelVersion | null> {
    return job.resultVersionId
      ? ctx.loaders.versionById.load(job.resultVersionId)
      : Promise.resolve(null);
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  warmStartVersion(
    @Root() job: TrainingJob,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelVersion | null> {
    return job.warmStartVersionId
      ? ctx.loaders.versionById.load(job.warmStartVersionId)
      : Promise.resolve(null);
  }

  @Subscription(() => TrainingJob, {
    description:
      "The job's current state at once, then every change; completes after a final state",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      return ctx.services.trainingEvents.jobUpdates(ctx.auth, (args as { id: string }).id);
    },
  })
  trainingJobUpdated(@Root() job: TrainingJob, @Arg('id', () => ID) _id: string): TrainingJob {
    return job;
  }

  @Subscription(() => TrainingJob, {
    description: "Every job change in the caller's workspace: for dashboards",
    subscribe: ({ context }) => {
      const ctx = context as GraphQLContext;
      return ctx.services.trainingEvents.workspaceUpdates(ctx.auth);
    },
  })
  trainingJobsUpdated(@Root() job: TrainingJob): TrainingJob {
    return job;
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionTrainingResolver {
  @FieldResolver(() => TrainingJob, {
    nullable: true,
    description: 'The job that trained this version',
  })
  trainingJob(
    @Root() version: ModelVersion,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TrainingJob | null> {
    return version.trainingJobId
      ? ctx.services.training.find(ctx.auth, version.trainingJobId)
      : Promise.resolve(null);
  }
}
