import { AliasMove } from './alias-move.entity';
import { ApiKey } from './api-key.entity';
import { ApiReplica } from './api-replica.entity';
import { Artifact } from './artifact.entity';
import { Dataset } from './dataset.entity';
import { EvaluationResult } from './evaluation-result.entity';
import { AuditEvent } from './audit-event.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { DeploymentStatsSample } from './deployment-stats.entity';
import { MonitoringAlert } from './monitoring-alert.entity';
import { PredictionFeedback } from './prediction-feedback.entity';
import { PredictionLogEntry } from './prediction-log.entity';
import { Promotion } from './promotion.entity';
import { RetrainPolicy, RetrainRun } from './retrain-policy.entity';
import { Deployment, DeploymentRoute } from './deployment.entity';
import { ModelAlias } from './model-alias.entity';
import { ModelVersion } from './model-version.entity';
import { ModelVersionFile } from './model-version-file.entity';
import { Model } from './model.entity';
import { TrainingEpoch } from './training-epoch.entity';
import { TrainingJob } from './training-job.entity';
import { UsageCounter } from './usage-counter.entity';
import { Workspace } from './workspace.entity';

export * from './column-types';
export {
  ACTIVE_PROMOTION_STATUSES,
  PROMOTION_STATUSES,
  type PromotionPolicyRecord,
  type PromotionStatusName,
  type PromotionStepRecord,
} from './promotion.entity';
export {
  NO_USAGE_DIMENSION,
  USAGE_GRANULARITIES,
  type UsageGranularityName,
} from './usage-counter.entity';
export {
  RETRAIN_REASONS,
  RETRAIN_RUN_STATUSES,
  type RetrainReason,
  type RetrainRunSettings,
  type RetrainRunStatus,
} from './retrain-policy.entity';
export {
  AliasMove,
  ApiKey,
  ApiReplica,
  Artifact,
  AuditEvent,
  Dataset,
  Deployment,
  DeploymentRoute,
  DeploymentStatsSample,
  EvaluationResult,
  IdempotencyKey,
  Model,
  ModelAlias,
  ModelVersion,
  ModelVersionFile,
  MonitoringAlert,
  PredictionFeedback,
  PredictionLogEntry,
  Promotion,
  RetrainPolicy,
  RetrainRun,
  TrainingEpoch,
  TrainingJob,
  UsageCounter,
  Workspace,
};

/** Every entity, for the DataSource and the migration generator. */
export const ENTITIES = [
  Workspace,
  ApiKey,
  Artifact,
  Model,
  ModelVersion,
  ModelVersionFile,
  ModelAlias,
  Dataset,
  TrainingJob,
  TrainingEpoch,
  EvaluationResult,
  Deployment,
  DeploymentRoute,
  DeploymentStatsSample,
  PredictionLogEntry,
  PredictionFeedback,
  AuditEvent,
  UsageCounter,
  IdempotencyKey,
  ApiReplica,
  Promotion,
  AliasMove,
  MonitoringAlert,
  RetrainPolicy,
  RetrainRun,
];
