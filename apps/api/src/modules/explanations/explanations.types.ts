import { Field, Float, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';

@ObjectType({ description: "One feature's share of a record's prediction" })
export class FeatureContribution {
  @Field(() => String)
  feature!: string;

  @Field(() => JSONScalar, { nullable: true, description: "The record's value, as sent" })
  value!: unknown;

  @Field(() => Float, { description: 'On the scale Explanation.output names' })
  contribution!: number;
}

@ObjectType({ description: 'One record: the contributions add up to its output − baseline' })
export class RecordExplanation {
  @Field(() => Float, {
    description:
      'The output at the training data (its mean, or the mean output over the background sample)',
  })
  baseline!: number;

  @Field(() => [FeatureContribution], { description: "In the signature's feature order" })
  contributions!: FeatureContribution[];
}

@ObjectType({
  description:
    'Per-record feature contributions of a tabular prediction (docs/api.md, "Explanations")',
})
export class Explanation {
  @Field(() => String, { description: '"exact-linear" or "sampling-shapley"' })
  method!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'What the contributions explain: "prediction", \'log-odds of "<label>"\', "logit of the predicted class" or "probability of the predicted class"',
  })
  output!: string | null;

  @Field(() => [RecordExplanation], { description: 'One per record, in request order' })
  records!: RecordExplanation[];
}
