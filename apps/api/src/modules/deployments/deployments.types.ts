import type { MonitoringThresholdsRecord } from '@maas/db';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar, SafeIntScalar } from '../../common/scalars';

@ObjectType()
export class DeploymentRoute {
  @Field(() => Int, {
    description: 'Percent of traffic; the weights of a deployment add up to 100',
  })
  weight!: number;

  versionId!: string;
}

@ObjectType()
export class Deployment {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The endpoint name used by predict and /v2/models/{name}' })
  name!: string;

  @Field(() => [DeploymentRoute])
  routes!: DeploymentRoute[];

  @Field(() => Float, {
    description:
      'Share (0..1) of successful predictions logged, and so open to feedback; default PREDICTION_LOG_SAMPLE_RATE',
  })
  logSampleRate!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  modelId!: string;
  workspaceId!: string;
  /** Exposed by the monitoring module's field resolvers. */
  monitoringThresholds!: MonitoringThresholdsRecord | null;
  referenceDatasetId!: string | null;
}

@InputType()
export class RouteInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => Int)
  weight!: number;
}

@InputType()
export class CreateDeploymentInput {
  @Field(() => String)
  name!: string;

  @Field(() => ID)
  modelId!: string;

  @Field(() => [RouteInput])
  routes!: RouteInput[];
}

/** One version's entry in `DeploymentStats.byVersion`. */
export interface VersionServingStats {
  requests: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  promptTokens: number;
  completionTokens: number;
  tokensPerSecond: number;
  timeToFirstTokenP50Ms: number | null;
  timeToFirstTokenP99Ms: number | null;
}

@ObjectType({
  description: 'Serving statistics of one deployment over a sliding window (all API replicas)',
})
export class DeploymentStats {
  @Field(() => Deployment)
  deployment!: Deployment;

  @Field(() => Int)
  windowSeconds!: number;

  @Field(() => Int)
  requests!: number;

  @Field(() => Int)
  errors!: number;

  @Field(() => Float)
  requestsPerSecond!: number;

  @Field(() => Float, { nullable: true })
  p50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p99Ms!: number | null;

  @Field(() => SafeIntScalar, { description: 'Language models: prompt tokens read' })
  promptTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Language models: tokens generated' })
  completionTokens!: number;

  @Field(() => Float, {
    description:
      'Language models: tokens generated per second over the window, all streams together',
  })
  tokensPerSecond!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Language models: median time to the first generated token',
  })
  timeToFirstTokenP50Ms!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Language models: 99th percentile of the time to the first generated token',
  })
  timeToFirstTokenP99Ms!: number | null;

  @Field(() => JSONScalar, {
    description:
      '{version: {requests, errors, p50Ms, p99Ms, promptTokens, completionTokens, tokensPerSecond, timeToFirstTokenP50Ms, timeToFirstTokenP99Ms}}',
  })
  byVersion!: Record<string, VersionServingStats>;

  @Field(() => Date)
  at!: Date;
}
