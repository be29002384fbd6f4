import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { SafeIntScalar } from '../../common/scalars';

@ObjectType({ description: "A workspace's hard limits; null is unlimited (docs/api.md#quotas)" })
export class Quota {
  @Field(() => Int, { nullable: true })
  maxModels!: number | null;

  @Field(() => Int, { nullable: true })
  maxVersionsPerModel!: number | null;

  @Field(() => SafeIntScalar, {
    nullable: true,
    description: 'Models and datasets, deduplicated within the workspace',
  })
  maxStorageBytes!: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  maxDatasetBytes!: number | null;

  @Field(() => Int, { nullable: true })
  maxConcurrentJobs!: number | null;

  @Field(() => Int, { nullable: true })
  maxQueuedJobs!: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  maxPredictionsPerDay!: number | null;

  @Field(() => SafeIntScalar, {
    nullable: true,
    description: 'Generated tokens (language models)',
  })
  maxTokensPerDay!: number | null;

  @Field(() => Int, { nullable: true, description: 'Per API key' })
  requestsPerSecond!: number | null;
}

@InputType({ description: 'A field left out keeps its value; null makes it unlimited' })
export class QuotaInput {
  @Field(() => Int, { nullable: true })
  maxModels?: number | null;

  @Field(() => Int, { nullable: true })
  maxVersionsPerModel?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  maxStorageBytes?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  maxDatasetBytes?: number | null;

  @Field(() => Int, { nullable: true })
  maxConcurrentJobs?: number | null;

  @Field(() => Int, { nullable: true })
  maxQueuedJobs?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  maxPredictionsPerDay?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  maxTokensPerDay?: number | null;

  @Field(() => Int, { nullable: true })
  requestsPerSecond?: number | null;
}

@ObjectType({ description: 'What a workspace uses now, against its Quota' })
export class WorkspaceUsage {
  @Field(() => Int)
  models!: number;

  @Field(() => SafeIntScalar, {
    description: 'Distinct artifacts of its model versions and datasets, each counted once',
  })
  storageBytes!: number;

  @Field(() => SafeIntScalar, { description: 'CSV files of its datasets, each counted once' })
  datasetBytes!: number;

  @Field(() => Int)
  runningJobs!: number;

  @Field(() => Int)
  queuedJobs!: number;

  @Field(() => SafeIntScalar, { description: 'Prediction rows since 00:00 UTC' })
  predictionsToday!: number;

  @Field(() => SafeIntScalar, { description: 'Generated tokens since 00:00 UTC' })
  tokensToday!: number;
}
