import { ApiKey } from './api-key.entity';
import { Artifact } from './artifact.entity';
import { Dataset } from './dataset.entity';
import { AuditEvent } from './audit-event.entity';
import { DeploymentStatsSample } from './deployment-stats.entity';
import { PredictionLogEntry } from './prediction-log.entity';
import { Deployment, DeploymentRoute } from './deployment.entity';
import { ModelAlias } from './model-alias.entity';
import { ModelVersion } from './model-version.entity';
import { Model } from './model.entity';
import { TrainingEpoch } from './training-epoch.entity';
import { TrainingJob } from './training-job.entity';
import { Workspace } from './workspace.entity';

export * from './column-types';
export {
  ApiKey,
  Artifact,
  AuditEvent,
  Dataset,
  Deployment,
  DeploymentRoute,
  DeploymentStatsSample,
  Model,
  ModelAlias,
  ModelVersion,
  PredictionLogEntry,
  TrainingEpoch,
  TrainingJob,
  Workspace,
};

/** Every entity, for the DataSource and the migration generator. */
export const ENTITIES = [
  Workspace,
  ApiKey,
  Artifact,
  Model,
  ModelVersion,
  ModelAlias,
  Dataset,
  TrainingJob,
  TrainingEpoch,
  Deployment,
  DeploymentRoute,
  DeploymentStatsSample,
  PredictionLogEntry,
  AuditEvent,
];
