import type { AlgorithmName } from '@maas/db';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';
import { EvaluationJob } from '../evaluation/evaluation.types';
import type { PromotionPolicyArgs } from '../promotions/promotion-policy';
import { Promotion, PromotionPolicyInput } from '../promotions/promotions.types';
import { AlgorithmEnum, TrainingJob } from '../training/training.types';

@InputType({ description: 'When a retraining policy fires: any one of the set conditions' })
export class RetrainTriggerInput {
  @Field(() => Int, {
    nullable: true,
    description:
      "Fire when this many feedback rows arrived on the deployment's predictions since the last run (1 to RETRAIN_MAX_DATASET_ROWS)",
  })
  minFeedbackRows?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Fire when an input feature's drift (population stability index, from monitoring) is above this (above 0, at most 10)",
  })
  maxInputDrift?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Fire this many seconds after the last run (60 to 31536000)',
  })
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
    description:
      'The deployment of this model whose feedback is used, whose live version is warm-started, and where the result is promoted',
  })
  deployment!: string;

  @Field(() => PromotionPolicyInput, {
    nullable: true,
    description:
      "How the result is promoted (promote's policy); evaluated on the run's feedback dataset when it names no evaluationDatasetId",
  })
  promotion?: PromotionPolicyArgs | null;
}

@ObjectType({ description: "A model's retraining policy" })
export class RetrainPolicy {
  @Field(() => JSONScalar, {
    description: 'The conditions set: {"minFeedbackRows", "maxInputDrift", "everySeconds"}',
  })
  trigger!: Record<string, number>;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The promotion policy, as set (null: the defaults of promote)',
  })
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
    'One thing that happened to a model: feedback (per hour), a retraining policy change or run, a training or evaluation job, a promotion, its steps, a rollback',
})
export class TimelineEvent {
  @Field(() => Date)
  at!: Date;

  @Field(() => String, {
    description:
      'feedback, policy.set, policy.deleted, retrain.triggered, retrain.completed, retrain.trained, retrain.failed, training.started, training.succeeded, training.failed, training.cancelled, evaluation.started, evaluation.succeeded, evaluation.failed, evaluation.cancelled, promotion.started, promotion.step, promotion.step.ended, promotion.completed, promotion.rolled_back, promotion.refused, promotion.cancelled, alias, version.uploaded',
  })
  kind!: string;

  @Field(() => String)
  message!: string;

  @Field(() => TrainingJob, { nullable: true })
  trainingJob!: TrainingJob | null;

  @Field(() => EvaluationJob, { nullable: true })
  evaluation!: EvaluationJob | null;

  @Field(() => Promotion, { nullable: true })
  promotion!: Promotion | null;

  // Not exposed: the field resolver loads it.
  versionId!: string | null;
}
