import { PROMOTION_STATUSES, type PromotionStatusName } from '@maas/db';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar, SafeIntScalar } from '../../common/scalars';

export const PromotionStatusEnum = Object.fromEntries(
  PROMOTION_STATUSES.map((s) => [s, s]),
) as Record<PromotionStatusName, PromotionStatusName>;
registerEnumType(PromotionStatusEnum, { name: 'PromotionStatus' });

@InputType({
  description: "One rollout step: the candidate's share of traffic, and how long it is held",
})
export class RolloutStepInput {
  @Field(() => Int, {
    description: 'Percent of traffic to the candidate, 1..100; steps increase, the last is 100',
  })
  weight!: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Candidate requests the step waits for (0..1000000); neither given: 100 requests and 60 s',
  })
  minRequests?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Seconds the step is held at least (0..604800)',
  })
  minSeconds?: number | null;
}

@InputType({ description: 'The guards of a promotion (docs/api.md, "Promotion")' })
export class PromotionPolicyInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Evaluate champion and candidate on this dataset first',
  })
  evaluationDatasetId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The column of actual values in the evaluation dataset (default: the training target)',
  })
  evaluationTarget?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. "rmse", "accuracy"' })
  metric?: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The candidate may be worse than the champion by at most this much (default 0)',
  })
  maxRegression?: number | null;

  @Field(() => [RolloutStepInput], { nullable: true, description: 'Default: 10, 50, 100' })
  steps?: RolloutStepInput[] | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'A step whose candidate error rate is above this is rolled back (0..1, default 0.05)',
  })
  maxErrorRate?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'A step whose candidate p99 latency is above this (ms) is rolled back (default: none)',
  })
  maxP99LatencyMs?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'A step whose candidate online MAE (from feedback during the step) is above this is rolled back (default: none)',
  })
  maxOnlineMae?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'A step whose candidate online RMSE (from feedback during the step) is above this is rolled back (default: none)',
  })
  maxOnlineRmse?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'A step whose candidate online accuracy (from feedback during the step) is below this is rolled back (0..1, default: none)',
  })
  minOnlineAccuracy?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'A step whose candidate online log loss (from feedback during the step) is above this is rolled back (default: none)',
  })
  maxOnlineLogLoss?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Wait for approvePromotion before the rollout',
  })
  requireApproval?: boolean | null;
}

@InputType()
export class PromoteInput {
  @Field(() => String, { description: 'The deployment whose traffic moves' })
  deployment!: string;

  @Field(() => ID, { description: "A version of the deployment's model" })
  versionId!: string;

  @Field(() => PromotionPolicyInput, { nullable: true })
  policy?: PromotionPolicyInput | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      'ADMIN only: skip the evaluation gate and the rollback limits (steps and approval stay)',
  })
  force?: boolean | null;
}

@ObjectType({ description: "A rollout step and what the candidate's traffic measured during it" })
export class PromotionStep {
  @Field(() => Int)
  weight!: number;

  @Field(() => Int, { description: 'Candidate requests the step waited for' })
  minRequests!: number;

  @Field(() => Int, { description: 'Seconds the step was held at least' })
  minSeconds!: number;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;

  @Field(() => SafeIntScalar, { description: "The candidate's requests during the step" })
  requests!: number;

  @Field(() => SafeIntScalar, { description: "The candidate's failed requests during the step" })
  errors!: number;

  @Field(() => Float, { nullable: true, description: 'errors / requests; null with no requests' })
  errorRate!: number | null;

  @Field(() => Float, { nullable: true })
  p99LatencyMs!: number | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      "The candidate's online metrics from feedback on its predictions during the step ({mae, rmse} or {accuracy, logLoss}; null: no feedback yet)",
  })
  onlineMetrics!: Record<string, number> | null;

  @Field(() => String, {
    nullable: true,
    description: 'null while pending or held; "passed", "rolled back" or "cancelled"',
  })
  outcome!: string | null;
}

@ObjectType({ description: 'A guarded promotion of a candidate version on a deployment' })
export class Promotion {
  @Field(() => ID)
  id!: string;

  @Field(() => PromotionStatusEnum)
  status!: PromotionStatusName;

  @Field(() => [PromotionStep])
  steps!: PromotionStep[];

  @Field(() => String, {
    nullable: true,
    description: 'Why it was refused, rolled back or cancelled',
  })
  reason!: string | null;

  @Field(() => Boolean, {
    description: 'Started with force (ADMIN): no evaluation gate, no limits',
  })
  forced!: boolean;

  @Field(() => JSONScalar, { description: 'The policy as checked, with its defaults' })
  policy!: Record<string, unknown>;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  workspaceId!: string;
  deploymentId!: string;
  candidateVersionId!: string;
  championVersionId!: string | null;
  evaluationJobId!: string | null;
  seq!: number;
}
