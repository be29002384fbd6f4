import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';

@InputType({ description: 'Ground truth for one record of a logged prediction' })
export class FeedbackInput {
  @Field(() => ID, { description: 'The id predict returned' })
  predictionId!: string;

  @Field(() => Int, {
    nullable: true,
    defaultValue: 0,
    description: "The record's index in the prediction's batch (0 for a single record)",
  })
  record?: number | null;

  @Field(() => JSONScalar, {
    description: 'A number for regression, a label for classification',
  })
  actual!: unknown;
}

@ObjectType({ description: 'Ground truth recorded for one record of a logged prediction' })
export class Feedback {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  predictionId!: string;

  @Field(() => Int)
  record!: number;

  @Field(() => JSONScalar, { description: 'As stored: a classifier label is stored as the label' })
  actual!: unknown;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'When a different value last replaced the previous one' })
  updatedAt!: Date;
}
