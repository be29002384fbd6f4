import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar, SafeIntScalar } from '../../common/scalars';

@ObjectType({
  description: "One input feature's population stability index against the reference bins",
})
export class FeatureDrift {
  @Field(() => String)
  feature!: string;

  @Field(() => Float, {
    description: 'Σ (o − r)·ln(o/r) over the bins (docs/api.md, "Monitoring")',
  })
  psi!: number;
}

@ObjectType({ description: "One version's figures in one time bucket of a deployment's traffic" })
export class MonitoringBucket {
  @Field(() => Date, {
    description: 'Start of the bucket (a multiple of bucketSeconds since 1970)',
  })
  start!: Date;

  @Field(() => SafeIntScalar)
  requests!: number;

  @Field(() => SafeIntScalar)
  errors!: number;

  @Field(() => Float, { nullable: true })
  latencyP50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  latencyP99Ms!: number | null;

  @Field(() => SafeIntScalar, {
    description: "Feedback rows on the bucket's logged predictions",
  })
  feedbackCount!: number;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'From feedback: {"mae", "rmse"} (regression) or {"accuracy", "logLoss"} (classification); null without feedback',
  })
  onlineMetrics!: Record<string, number> | null;

  @Field(() => [FeatureDrift], {
    description:
      "PSI of each input feature of the bucket's logged records (features without logged values or reference bins left out)",
  })
  inputDrift!: FeatureDrift[];

  @Field(() => Float, {
    nullable: true,
    description: "PSI of the logged predictions against the reference predictions' bins",
  })
  predictionDrift!: number | null;

  @Field(() => SafeIntScalar, { description: 'Logged records the drift figures were measured on' })
  driftSamples!: number;

  versionId!: string;
}

@ObjectType({ description: 'A monitoring threshold a deployment crossed' })
export class MonitoringAlert {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => String, {
    description:
      'inputDrift, predictionDrift, errorRate, p99LatencyMs, onlineMae, onlineRmse, onlineAccuracy or onlineLogLoss',
  })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'The input feature of an inputDrift alert' })
  feature!: string | null;

  @Field(() => String)
  message!: string;

  @Field(() => Float, { description: 'The measured figure' })
  value!: number;

  @Field(() => Float, { description: 'The limit it crossed' })
  threshold!: number;

  @Field(() => Date, {
    nullable: true,
    description: 'When a check found the figure back within its limit; null while still crossed',
  })
  resolvedAt!: Date | null;

  workspaceId!: string;
  deploymentId!: string;
  versionId!: string | null;
}

@ObjectType({
  description: "A deployment's traffic, online metrics, drift and alerts over a window",
})
export class DeploymentMonitoring {
  @Field(() => Int)
  windowSeconds!: number;

  @Field(() => Int)
  bucketSeconds!: number;

  @Field(() => [MonitoringBucket], {
    description:
      'Per bucket and version, oldest first; buckets where a version had nothing are left out',
  })
  buckets!: MonitoringBucket[];

  @Field(() => [MonitoringAlert], {
    description: 'Alerts raised in the window, and those still open, newest first (100 at most)',
  })
  alerts!: MonitoringAlert[];

  @Field(() => Boolean, {
    description:
      'True when the window held more logged predictions or feedback than one query reads: drift and online metrics are then of the most recent ones (docs/api.md, "Monitoring")',
  })
  sampled!: boolean;

  deploymentName!: string;
}

@ObjectType({ description: "A deployment's monitoring limits; a null limit is not checked" })
export class MonitoringThresholds {
  @Field(() => Int, { description: 'Seconds of traffic each check looks back over' })
  windowSeconds!: number;

  @Field(() => Int, {
    description:
      'Logged records (drift), requests (error rate, latency) or feedback rows (online metrics) a figure needs before it is compared',
  })
  minSamples!: number;

  @Field(() => Float, { nullable: true, description: 'Largest PSI of any input feature' })
  maxInputDrift!: number | null;

  @Field(() => Float, { nullable: true, description: 'Largest PSI of the predictions' })
  maxPredictionDrift!: number | null;

  @Field(() => Float, { nullable: true, description: 'errors / requests, 0..1' })
  maxErrorRate!: number | null;

  @Field(() => Float, { nullable: true })
  maxP99LatencyMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'Online MAE from feedback (regression)' })
  maxOnlineMae!: number | null;

  @Field(() => Float, { nullable: true, description: 'Online RMSE from feedback (regression)' })
  maxOnlineRmse!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Online accuracy from feedback (classification)',
  })
  minOnlineAccuracy!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Online log loss from feedback (classification)',
  })
  maxOnlineLogLoss!: number | null;
}

@InputType({
  description:
    'Monitoring limits of a deployment (docs/api.md, "Monitoring"); omitted: not checked',
})
export class MonitoringThresholdsInput {
  @Field(() => Int, { nullable: true, description: '60..86400, default 3600' })
  windowSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: '1..1000000, default 30' })
  minSamples?: number | null;

  @Field(() => Float, { nullable: true, description: 'Above 0' })
  maxInputDrift?: number | null;

  @Field(() => Float, { nullable: true, description: 'Above 0' })
  maxPredictionDrift?: number | null;

  @Field(() => Float, { nullable: true, description: '0..1' })
  maxErrorRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Above 0, at most 3600000' })
  maxP99LatencyMs?: number | null;

  @Field(() => Float, { nullable: true, description: 'Above 0' })
  maxOnlineMae?: number | null;

  @Field(() => Float, { nullable: true, description: 'Above 0' })
  maxOnlineRmse?: number | null;

  @Field(() => Float, { nullable: true, description: '0..1' })
  minOnlineAccuracy?: number | null;

  @Field(() => Float, { nullable: true, description: 'Above 0' })
  maxOnlineLogLoss?: number | null;
}
