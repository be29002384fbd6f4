import type { ArtifactStore } from '@maas/db';
import type { DataSource } from 'typeorm';
import type { ApiConfig } from './env';
import type { Logger } from './common/logger';
import type { AuthService } from './modules/auth/auth.service';
import type { DatasetsService } from './modules/datasets/datasets.service';
import type { DeploymentStatsService } from './modules/deployments/deployment-stats.service';
import type { DeploymentsService } from './modules/deployments/deployments.service';
import type { PredictionsService } from './modules/predictions/predictions.service';
import type { TrainingEventsService } from './modules/training/training-events.service';
import type { TrainingService } from './modules/training/training.service';
import type { ModelUploadService } from './modules/models/model-upload.service';
import type { ModelsService } from './modules/models/models.service';

/** Everything a request handler may use, built once per process in server.ts. */
export interface Services {
  config: ApiConfig;
  logger: Logger;
  db: DataSource;
  store: ArtifactStore;
  auth: AuthService;
  models: ModelsService;
  uploads: ModelUploadService;
  datasets: DatasetsService;
  deployments: DeploymentsService;
  deploymentStats: DeploymentStatsService;
  predictions: PredictionsService;
  training: TrainingService;
  trainingEvents: TrainingEventsService;
}
