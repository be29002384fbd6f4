import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { ModelVersion } from '../models/models.types';
import { InferenceStatus, PredictInput, Prediction } from './predictions.types';

@Resolver(() => Prediction)
export class PredictionResolver {
  @Query(() => Prediction, {
    description: 'Runs inference. A Query, since it changes no state but the prediction log.',
  })
  async predict(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => PredictInput) input: PredictInput,
  ): Promise<Prediction> {
    const result = await ctx.services.predictions.predict(ctx.auth, {
      name: input.model,
      version: input.version,
      alias: input.alias,
      inputs: input.inputs,
      records: input.records,
      explain: input.explain,
    });
    return {
      id: result.id,
      outputs: result.outputs,
      skippedOutputs: result.skippedOutputs,
      latencyMs: result.latencyMs,
      versionId: result.version.id,
      explanation: result.explanation ?? null,
    };
  }

  @FieldResolver(() => ModelVersion, { description: 'The version that served' })
  async modelVersion(
    @Root() prediction: Prediction,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(prediction.versionId);
    if (!version) throw new Error(`version ${prediction.versionId} is missing`);
    return version;
  }

  @Query(() => InferenceStatus)
  async inferenceStatus(@Ctx() ctx: GraphQLContext): Promise<InferenceStatus> {
    return ctx.services.predictions.status();
  }
}
