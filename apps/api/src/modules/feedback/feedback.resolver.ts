import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { Feedback, FeedbackInput } from './feedback.types';

@Resolver(() => Feedback)
export class FeedbackResolver {
  @Mutation(() => Feedback, {
    description:
      'Attaches ground truth to one record of a logged prediction; the same value again changes nothing, a different one replaces it',
  })
  recordFeedback(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => FeedbackInput) input: FeedbackInput,
  ): Promise<Feedback> {
    return ctx.services.feedback.recordOne(ctx.auth, {
      predictionId: input.predictionId,
      record: input.record ?? 0,
      actual: input.actual,
    });
  }
}
