import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { SafeIntScalar } from '../../common/scalars';
import { ApiKey } from '../auth/auth.types';
import { Deployment } from '../deployments/deployments.types';
import { Model } from '../models/models.types';

export enum UsageGranularity {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(UsageGranularity, {
  name: 'UsageGranularity',
  description: 'The bucket size of a usage series (UTC minutes, hours or days)',
});

export enum UsageDimension {
  API_KEY = 'API_KEY',
  MODEL = 'MODEL',
  DEPLOYMENT = 'DEPLOYMENT',
}
registerEnumType(UsageDimension, {
  name: 'UsageDimension',
  description: 'What a usage series is split by (API_KEY needs the ADMIN role)',
});

@ObjectType({
  description:
    'Metered usage of one bucket, for one combination of the requested dimensions (the others summed)',
})
export class UsageRecord {
  @Field(() => Date, { description: 'Start of the bucket (UTC)' })
  start!: Date;

  @Field(() => ApiKey, {
    nullable: true,
    description: 'With groupBy API_KEY: the key; null otherwise or for usage of no key',
  })
  apiKey!: ApiKey | null;

  @Field(() => Model, {
    nullable: true,
    description:
      'With groupBy MODEL: the model; null otherwise, for usage of no model, or if deleted',
  })
  model!: Model | null;

  @Field(() => Deployment, {
    nullable: true,
    description:
      'With groupBy DEPLOYMENT: the deployment that served; null otherwise, for predictions by model name, or if deleted',
  })
  deployment!: Deployment | null;

  @Field(() => SafeIntScalar, { description: 'Prediction requests (and language-model requests)' })
  requests!: number;

  @Field(() => SafeIntScalar, { description: 'Rows (batch entries) predicted' })
  predictionRows!: number;

  @Field(() => SafeIntScalar)
  promptTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Generated tokens' })
  completionTokens!: number;

  @Field(() => Float, { description: 'Seconds of training run by workers' })
  trainingSeconds!: number;

  @Field(() => SafeIntScalar, {
    description: 'Feedback rows recorded (new or changed ground truth; a repeat counts nothing)',
  })
  feedbackRows!: number;
}
