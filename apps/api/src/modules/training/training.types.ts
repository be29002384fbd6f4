import { ALGORITHMS, JOB_STATUSES, type AlgorithmName, type JobStatus } from '@maas/db';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../common/pagination';
import { JSONScalar } from '../../common/scalars';
import { ModelTaskEnum } from '../models/models.types';
import type { ModelTask } from '@maas/db';

export const AlgorithmEnum = Object.fromEntries(ALGORITHMS.map((a) => [a, a])) as Record<
  AlgorithmName,
  AlgorithmName
>;
registerEnumType(AlgorithmEnum, { name: 'Algorithm' });
export const JobStatusEnum = Object.fromEntries(JOB_STATUSES.map((s) => [s, s])) as Record<
  JobStatus,
  JobStatus
>;
registerEnumType(JobStatusEnum, { name: 'JobStatus' });

@ObjectType()
export class EpochMetrics {
  @Field(() => Int)
  epoch!: number;

  @Field(() => Float)
  loss!: number;

  @Field(() => Float, { nullable: true })
  validationLoss!: number | null;

  @Field(() => JSONScalar, { nullable: true })
  metrics!: Record<string, unknown> | null;

  @Field(() => Date)
  at!: Date;
}

@ObjectType()
export class TrainingJob {
  @Field(() => ID)
  id!: string;

  @Field(() => AlgorithmEnum)
  algorithm!: AlgorithmName;

  @Field(() => String)
  target!: string;

  @Field(() => [String])
  features!: string[];

  @Field(() => JSONScalar, { description: 'Resolved values, defaults filled in' })
  hyperparameters!: Record<string, unknown>;

  @Field(() => JobStatusEnum)
  status!: JobStatus;

  @Field(() => Int, { description: 'Epochs finished so far' })
  epoch!: number;

  @Field(() => Int)
  epochs!: number;

  @Field(() => Float, { description: '0..1' })
  progress!: number;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Float, {
    description: 'Increments on every change: events carry it, stale ones are dropped',
  })
  seq!: number;

  workspaceId!: string;
  modelId!: string;
  datasetId!: string;
  resultVersionId!: string | null;
  warmStartVersionId!: string | null;
}

@ObjectType()
export class TrainingJobEdge {
  @Field(() => TrainingJob)
  node!: TrainingJob;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class TrainingJobConnection {
  @Field(() => [TrainingJobEdge])
  edges!: TrainingJobEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType()
export class HyperparameterInfo {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'int, float, boolean, string or int[]' })
  type!: string;

  @Field(() => JSONScalar, { nullable: true })
  default!: unknown;

  @Field(() => String)
  description!: string;

  @Field(() => Float, { nullable: true })
  min!: number | null;

  @Field(() => Float, { nullable: true })
  max!: number | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Allowed values of a string hyperparameter',
  })
  values?: string[] | null;
}

@ObjectType()
export class AlgorithmInfo {
  @Field(() => AlgorithmEnum)
  algorithm!: AlgorithmName;

  @Field(() => [ModelTaskEnum])
  tasks!: ModelTask[];

  @Field(() => String)
  description!: string;

  @Field(() => [HyperparameterInfo])
  hyperparameters!: HyperparameterInfo[];
}

@InputType()
export class StartTrainingJobInput {
  @Field(() => ID)
  modelId!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => AlgorithmEnum)
  algorithm!: AlgorithmName;

  @Field(() => String, { description: 'The column to predict' })
  target!: string;

  @Field(() => [String], { nullable: true, description: 'Default: every other numeric column' })
  features?: string[] | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'e.g. {"epochs": 100, "learningRate": 0.01}',
  })
  hyperparameters?: unknown;

  @Field(() => ID, {
    nullable: true,
    description: "Model update: continue from this version's weights",
  })
  warmStartVersionId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A retry with the same key within 24 h returns the first job',
  })
  idempotencyKey?: string | null;
}
