import { JOB_STATUSES, type JobStatus } from '@maas/db';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';

export const EvaluationStatusEnum = Object.fromEntries(JOB_STATUSES.map((s) => [s, s])) as Record<
  JobStatus,
  JobStatus
>;
registerEnumType(EvaluationStatusEnum, { name: 'EvaluationStatus' });

@InputType({ description: 'Versions to score on the same rows of a dataset' })
export class StartEvaluationJobInput {
  @Field(() => [ID], {
    description:
      'Versions of one model, tabular, with the same features (and labels); the first is the comparison baseline',
  })
  versionIds!: string[];

  @Field(() => ID)
  datasetId!: string;

  @Field(() => String, { description: 'The column holding the actual values' })
  target!: string;
}

@ObjectType({ description: "One version's scores on the evaluation rows" })
export class VersionEvaluation {
  @Field(() => JSONScalar, {
    description:
      'Regression: mse, rmse, mae, r2; classification: accuracy, precision, recall, f1, logLoss',
  })
  metrics!: Record<string, unknown>;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'rows; regression: residuals {mean, std, min, p05, p25, p50, p75, p95, max} of prediction − actual; classification: labels and confusionMatrix [actual][predicted]; featureImportance on these rows',
  })
  details!: Record<string, unknown> | null;

  versionId!: string;
}

@ObjectType({ description: 'Versions scored on the same rows of a dataset, on the training queue' })
export class EvaluationJob {
  @Field(() => ID)
  id!: string;

  @Field(() => EvaluationStatusEnum)
  status!: JobStatus;

  @Field(() => String)
  target!: string;

  @Field(() => [String], { description: 'The features the versions share' })
  features!: string[];

  @Field(() => [VersionEvaluation], {
    description: 'One per version, in the order given, once SUCCEEDED (empty before)',
  })
  results!: VersionEvaluation[];

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      "Once SUCCEEDED: baselineVersionId (the first version), per version its metrics minus the baseline's (delta) and how much worse it is (worseBy: positive is worse), and best: metric → the best version id",
  })
  comparison!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  workspaceId!: string;
  modelId!: string;
  datasetId!: string;
  versionIds!: string[];
}
