import type { ArtifactStore, EventBus } from '@maas/db';
import type { DataSource } from 'typeorm';
import type { Closers } from './common/closers';
import type { Logger } from './common/logger';
import { defaultQuotaOf, type ApiConfig } from './env';
import type { Infrastructure } from './infrastructure';
import { AuditService } from './modules/audit/audit.service';
import { createAuthService, type AuthService } from './modules/auth/auth.service';
import { SignInFailures } from './modules/auth/sign-in-failures';
import { datasetLimits, DatasetsService } from './modules/datasets/datasets.service';
import { DeploymentStatsService } from './modules/deployments/deployment-stats.service';
import { DeploymentsService } from './modules/deployments/deployments.service';
import { EvaluationService } from './modules/evaluation/evaluation.service';
import { EvaluationGate } from './modules/evaluation/promotion-gate';
import { ExplanationsService } from './modules/explanations/explanations.service';
import { ReferenceData } from './modules/explanations/reference-data';
import { FeedbackService } from './modules/feedback/feedback.service';
import { generationLimits } from './modules/language-models/generation-limits';
import { LanguageModelsService } from './modules/language-models/language-models.service';
import { ArtifactSweeper } from './modules/models/artifact-sweeper';
import { ModelUploadService } from './modules/models/model-upload.service';
import { ModelsService } from './modules/models/models.service';
import { MonitoringChecker } from './modules/monitoring/monitoring-checker';
import { MonitoringEventsService } from './modules/monitoring/monitoring-events.service';
import { MonitoringService } from './modules/monitoring/monitoring.service';
import { MonitoringTimelineSource } from './modules/monitoring/monitoring-timeline';
import { PromotionEventsService } from './modules/promotions/promotion-events.service';
import { PromotionTicker } from './modules/promotions/promotion-ticker';
import { PromotionsService } from './modules/promotions/promotions.service';
import { PredictionLogWriter } from './modules/predictions/prediction-log';
import { PredictionsService } from './modules/predictions/predictions.service';
import { ReplicaHeartbeat } from './modules/rate-limits/replica-heartbeat';
import { rateLimitSettings, RequestRateLimiter } from './modules/rate-limits/request-rate-limiter';
import { ServingStatsRecorder } from './modules/predictions/serving-stats';
import { createSharedTargetResolver } from './modules/predictions/target-resolver';
import { QuotasService } from './modules/quotas/quotas.service';
import { retentionRules, RetentionSweeper } from './modules/retention/retention-sweeper';
import { RetrainLoop } from './modules/retraining/retrain-loop';
import type { InputDriftReader } from './modules/retraining/retrain-ports';
import { RetrainPolicyService } from './modules/retraining/retrain-policy.service';
import { TimelineService } from './modules/retraining/timeline.service';
import { TrainingEventsService } from './modules/training/training-events.service';
import { TrainingService } from './modules/training/training.service';
import { UsageMeter } from './modules/usage/usage-meter';
import { UsageService } from './modules/usage/usage.service';

/** Everything a request handler may use, built once per process by {@link buildServices}. */
export interface Services {
  config: ApiConfig;
  logger: Logger;
  db: DataSource;
  /** LISTEN/NOTIFY between replicas and workers; subscriptions listen on it. */
  bus: EventBus;
  store: ArtifactStore;
  auth: AuthService;
  /** Request rates per key and per address, in memory; shared among the live `replicas`. */
  rateLimits: RequestRateLimiter;
  replicas: ReplicaHeartbeat;
  /** Reads the audit log. */
  audit: AuditService;
  /** Failed sign-ins, recorded sampled in the audit log. */
  signInFailures: SignInFailures;
  models: ModelsService;
  uploads: ModelUploadService;
  datasets: DatasetsService;
  deployments: DeploymentsService;
  deploymentStats: DeploymentStatsService;
  predictions: PredictionsService;
  /** Ground truth for logged predictions: recordFeedback and POST /v1/feedback. */
  feedback: FeedbackService;
  /** Text generation and embeddings: the OpenAI routes and GraphQL generate / embed. */
  languageModels: LanguageModelsService;
  training: TrainingService;
  /** Evaluation jobs; other modules start them with `start(scope, request)` and read `get`. */
  evaluation: EvaluationService;
  quotas: QuotasService;
  trainingEvents: TrainingEventsService;
  /** In-memory usage counters and the daily quotas of the request path. */
  usageMeter: UsageMeter;
  usage: UsageService;
  /** Guarded promotions: promote, approve, cancel; advanced by the ticker on every replica. */
  promotions: PromotionsService;
  promotionEvents: PromotionEventsService;
  /** Runs a promotion tick now (tests); the ticker also runs one every PROMOTION_TICK_INTERVAL_MS. */
  promotionTicker: PromotionTicker;
  /** deploymentMonitoring, thresholds, reference datasets; retraining's InputDriftReader (maxInputDrift). */
  monitoring: MonitoringService;
  monitoringEvents: MonitoringEventsService;
  /** Runs a threshold check now (tests); the checker also runs one every MONITORING_CHECK_INTERVAL_MS. */
  monitoringChecker: MonitoringChecker;
  /** setRetrainPolicy / deleteRetrainPolicy / Model.retrainPolicy. */
  retrainPolicies: RetrainPolicyService;
  /** The trigger loop: fires policies and advances their runs (tick() for tests). */
  retrainLoop: RetrainLoop;
  /** Model.timeline. */
  timeline: TimelineService;
}

/** Builds the services on `infra`; the background writers are started and registered in `closers`. */
export async function buildServices(
  config: ApiConfig,
  logger: Logger,
  infra: Infrastructure,
  closers: Closers,
): Promise<Services> {
  const { db, bus, store, engine, metrics, queue } = infra;
  const auth = await createAuthService(
    db,
    logger,
    bus,
    config.ADMIN_API_KEY,
    () => metrics.authLookups.inc(),
    defaultQuotaOf(config),
  );
  const replicas = closers.start(
    'api-replica-heartbeat',
    new ReplicaHeartbeat(db, logger, config.RATE_LIMIT_REPLICA_HEARTBEAT_MS, (n) =>
      metrics.apiReplicas.set(n),
    ),
  );
  const rateLimits = new RequestRateLimiter(
    rateLimitSettings(config),
    () => replicas.liveReplicas,
    (bucket) => metrics.rateLimited.inc({ bucket }),
  );
  const { resolver, registryChanged } = await createSharedTargetResolver(db, bus, logger);
  const models = new ModelsService(db, store, registryChanged);
  const deployments = new DeploymentsService(
    db,
    registryChanged,
    config.PREDICTION_LOG_SAMPLE_RATE,
  );
  const predictionLog = closers.start(
    'prediction-log',
    new PredictionLogWriter(db, logger, config.PREDICTION_LOG_SAMPLE_RATE, (rows) =>
      metrics.predictionLogDropped.inc(rows),
    ),
  );
  closers.start('artifact-sweeper', new ArtifactSweeper(store, logger));
  const servingStats = closers.start('serving-stats', new ServingStatsRecorder(db, logger));
  const usageMeter = closers.start(
    'usage-meter',
    new UsageMeter(db, logger, {
      flushIntervalMs: config.USAGE_FLUSH_INTERVAL_MS,
      maxKeys: config.USAGE_MAX_PENDING_KEYS,
      hooks: {
        onPredictions: (workspaceId, _requests, rows) =>
          metrics.predictionRows.inc({ workspace: metrics.workspaceLabel(workspaceId) }, rows),
        onTokens: (workspaceId, prompt, completion) => {
          const workspace = metrics.workspaceLabel(workspaceId);
          metrics.tokens.inc({ workspace, kind: 'prompt' }, prompt);
          metrics.tokens.inc({ workspace, kind: 'completion' }, completion);
        },
        onDropped: (requests) => {
          metrics.usageDropped.inc(requests);
          logger.warn({ requests }, 'usage meter full: counts dropped');
        },
      },
    }),
  );
  closers.start(
    'retention-sweeper',
    new RetentionSweeper(
      db,
      logger,
      retentionRules(config),
      config.RETENTION_SWEEP_INTERVAL_MS,
      config.RETENTION_DELETE_BATCH,
      (table, rows) => metrics.retentionDeleted.inc({ table }, rows),
    ),
  );
  const training = new TrainingService(db, queue);
  const datasets = new DatasetsService(
    db,
    store,
    datasetLimits(config),
    config.DATASET_PARSE_CONCURRENCY,
  );
  const languageModels = new LanguageModelsService(
    db,
    resolver,
    infra.languageModels,
    usageMeter,
    servingStats,
    metrics,
    generationLimits(config),
  );
  closers.add('language-models', () => languageModels.close());
  const evaluation = new EvaluationService(db, queue);
  const monitoring = new MonitoringService(db, bus, store, deployments);
  // The evaluation gate runs evaluation jobs: the promotion only reads their verdict. A step's
  // online metrics are monitoring's (OnlineMetricsReader), read on the candidate's feedback.
  const promotions = new PromotionsService(
    db,
    bus,
    new EvaluationGate(evaluation),
    registryChanged,
    logger,
    monitoring,
  );
  const promotionTicker = closers.start(
    'promotion-ticker',
    new PromotionTicker(promotions, logger, config.PROMOTION_TICK_INTERVAL_MS),
  );
  const monitoringChecker = closers.start(
    'monitoring-checker',
    new MonitoringChecker(monitoring, logger, config.MONITORING_CHECK_INTERVAL_MS),
  );
  // Retraining's drift trigger reads monitoring's maxInputDrift(workspaceId, deploymentId, since).
  const retrainDrift: InputDriftReader = monitoring;
  const retrainLoop = closers.start(
    'retrain-loop',
    new RetrainLoop(
      db,
      logger,
      datasets,
      training,
      { everyMs: config.RETRAIN_CHECK_INTERVAL_MS, maxRows: config.RETRAIN_MAX_DATASET_ROWS },
      retrainDrift,
      // A run hands its trained version to promote, as the key that set the policy.
      promotions,
    ),
  );
  // Monitoring's alerts are timeline events too.
  const timeline = new TimelineService(db, {
    evaluation: (workspaceId, id) => evaluation.get(workspaceId, id),
    promotion: (auth, id) => promotions.find(auth, id),
  });
  timeline.addSource(new MonitoringTimelineSource(db));
  return {
    config,
    logger,
    db,
    bus,
    store,
    auth,
    rateLimits,
    replicas,
    audit: new AuditService(db),
    signInFailures: new SignInFailures(db, logger, config.AUDIT_FAILED_SIGNIN_PER_MINUTE),
    models,
    uploads: new ModelUploadService(
      db,
      models,
      store,
      engine,
      config.MAX_UPLOAD_BYTES,
      {
        maxEntries: config.MAX_MODEL_METADATA_ENTRIES,
        maxBytes: config.MAX_MODEL_METADATA_BYTES,
      },
      { maxBytes: config.MAX_BUNDLE_BYTES, maxFiles: config.MAX_BUNDLE_FILES },
    ),
    datasets,
    deployments,
    deploymentStats: new DeploymentStatsService(db, deployments, () =>
      metrics.deploymentStatsPolls.inc(),
    ),
    predictions: new PredictionsService(
      resolver,
      infra.backend,
      predictionLog,
      servingStats,
      metrics,
      usageMeter,
      config.PREDICT_TIMEOUT_MS,
      new ExplanationsService(new ReferenceData(db, store)),
    ),
    feedback: new FeedbackService(db, predictionLog, config.MAX_FEEDBACK_BATCH),
    languageModels,
    training,
    evaluation,
    quotas: new QuotasService(
      db,
      bus,
      (id) => usageMeter.unflushedCounts(id),
      (id) => auth.onQuotaChanged(id),
    ),
    trainingEvents: new TrainingEventsService(bus, training),
    usageMeter,
    usage: new UsageService(db, deployments),
    promotions,
    promotionEvents: new PromotionEventsService(bus, promotions),
    promotionTicker,
    monitoring,
    monitoringEvents: new MonitoringEventsService(bus, monitoring),
    monitoringChecker,
    retrainPolicies: new RetrainPolicyService(db, config.RETRAIN_MAX_DATASET_ROWS),
    retrainLoop,
    timeline,
  };
}
