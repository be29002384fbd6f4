import type { AlgorithmName } from '@maas/db';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';
import { AlgorithmEnum, TrainingJob } from '../training/training.types';

@InputType({ description: 'When a retraining policy fires: any one of the set conditions' })
export class RetrainTriggerInput {
  @Field(() => Int, {
    nullable: true,
    description: 'New feedback rows on the deployment since the last run',
  })
  minFeedbackRows?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "An input feature's drift (population stability index) above this",
  })
  maxInputDrift?: number | null;

  @Field(() => Int, { nullable: true, description: 'Seconds between scheduled runs' })
  everySeconds?: number | null;
}

@InputType({ description: 'How and when a model retrains itself on its feedback' })
export class RetrainPolicyInput {
  @Field(() => RetrainTriggerInput)
  trigger!: RetrainTriggerInput;

  @Field(() => AlgorithmEnum, {
    nullable: true,
    description: "Default: the live version's (a warm start keeps it)",
  })
  algorithm?: AlgorithmName | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Of the warm-start job, e.g. {"epochs": 50}',
  })
  hyperparameters?: unknown;

  @Field(() => String, {
    description: "The deployment whose feedback is used and where the result is promoted",
  })
  deployment!: string;
}

@ObjectType({ description: "A model's retraining policy" })
export class RetrainPolicy {
  @Field(() => JSONScalar, {
    description: 'The conditions set: {"minFeedbackRows", "maxInputDrift", "everySeconds"}',
  })
  trigger!: Record<string, number>;

  @Field(() => JSONScalar, { nullable: true, description: 'The promotion policy, as set' })
  promotion!: Record<string, unknown> | null;

  @Field(() => Boolean, {
    description: 'Off when the key that set the policy was revoked or lost the EDITOR role',
  })
  enabled!: boolean;

  @Field(() => Date, { nullable: true })
  lastTriggeredAt!: Date | null;

  // Not exposed: the field resolvers load them.
  modelId!: string;
  deploymentId!: string;
  algorithm!: AlgorithmName | null;
  hyperparameters!: Record<string, unknown> | null;
}

@ObjectType({
  description:
    'One thing that happened to a model: feedback (per hour), drift, a retraining run, a training job, a promotion, a rollback',
})
export class TimelineEvent {
  @Field(() => Date)
  at!: Date;

  @Field(() => String, {
    description:
      'feedback, retrain, training.started, training.succeeded, training.failed, training.cancelled, version.uploaded, routes, alias, ...',
  })
  kind!: string;

  @Field(() => String)
  message!: string;

  @Field(() => TrainingJob, { nullable: true })
  trainingJob!: TrainingJob | null;

  // Not exposed: the field resolvers load them.
  versionId!: string | null;
  evaluationId!: string | null;
  promotionId!: string | null;
}
