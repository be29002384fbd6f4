import { EVALUATION_FINISH_ACTION, VERSION_TRAIN_ACTION } from '@maas/db';

/**
 * The audit log's action names, in one home: each GraphQL mutation and each REST write with the
 * action (`<object>.<verb>`) and target type its rows carry, and the actions the platform writes on
 * its own. A new mutation must be added to {@link MUTATION_AUDIT_ACTIONS} (the completeness test,
 * apps/api/test/audit-completeness.int.spec.ts, walks the schema and fails otherwise); docs/api.md
 * ("Audit log") lists them all.
 */
export interface AuditedAction {
  action: string;
  targetType: string;
}

/** Mutation field name → the action its rows carry (refused attempts included). */
export const MUTATION_AUDIT_ACTIONS: Readonly<Record<string, AuditedAction>> = {
  createApiKey: { action: 'apiKey.create', targetType: 'api_key' },
  revokeApiKey: { action: 'apiKey.revoke', targetType: 'api_key' },
  createWorkspace: { action: 'workspace.create', targetType: 'workspace' },
  setWorkspaceQuota: { action: 'quota.set', targetType: 'workspace' },
  createDataset: { action: 'dataset.create', targetType: 'dataset' },
  deleteDataset: { action: 'dataset.delete', targetType: 'dataset' },
  createDeployment: { action: 'deployment.create', targetType: 'deployment' },
  updateDeploymentRoutes: { action: 'deployment.routes', targetType: 'deployment' },
  updateDeploymentLogging: { action: 'deployment.logging', targetType: 'deployment' },
  deleteDeployment: { action: 'deployment.delete', targetType: 'deployment' },
  setMonitoringThresholds: { action: 'deployment.monitoring', targetType: 'deployment' },
  clearMonitoringThresholds: { action: 'deployment.monitoring', targetType: 'deployment' },
  setDeploymentReference: { action: 'deployment.reference', targetType: 'deployment' },
  recordFeedback: { action: 'feedback.record', targetType: 'prediction' },
  startTrainingJob: { action: 'trainingJob.start', targetType: 'training_job' },
  cancelTrainingJob: { action: 'trainingJob.cancel', targetType: 'training_job' },
  retryTrainingJob: { action: 'trainingJob.retry', targetType: 'training_job' },
  startEvaluationJob: { action: 'evaluationJob.start', targetType: 'evaluation_job' },
  cancelEvaluationJob: { action: 'evaluationJob.cancel', targetType: 'evaluation_job' },
  createModel: { action: 'model.create', targetType: 'model' },
  updateModel: { action: 'model.update', targetType: 'model' },
  deleteModel: { action: 'model.delete', targetType: 'model' },
  setModelAlias: { action: 'alias.set', targetType: 'model' },
  deleteModelAlias: { action: 'alias.delete', targetType: 'model' },
  deleteModelVersion: { action: 'version.delete', targetType: 'model_version' },
  promote: { action: 'promotion.start', targetType: 'promotion' },
  approvePromotion: { action: 'promotion.approve', targetType: 'promotion' },
  cancelPromotion: { action: 'promotion.cancel', targetType: 'promotion' },
  setRetrainPolicy: { action: 'retrainPolicy.set', targetType: 'model' },
  deleteRetrainPolicy: { action: 'retrainPolicy.delete', targetType: 'model' },
};

/** REST writes, by `METHOD route` as Fastify names the route. */
export const REST_AUDIT_ACTIONS: Readonly<Record<string, AuditedAction>> = {
  'POST /v1/models/:name/versions': { action: 'version.upload', targetType: 'model_version' },
  'POST /v1/datasets': { action: 'dataset.create', targetType: 'dataset' },
  'POST /v1/feedback': { action: 'feedback.record', targetType: 'prediction' },
};

/** What the platform records on its own (no mutation behind it). */
export const PLATFORM_AUDIT_ACTIONS = {
  /** A training job committed its version (actor: the key that started the job, if known). */
  versionTrain: { action: VERSION_TRAIN_ACTION, targetType: 'model_version' },
  /** An evaluation job's scores were committed (actor: the key that started the job, if known). */
  evaluationFinish: { action: EVALUATION_FINISH_ACTION, targetType: 'evaluation_job' },
  /** A changed ADMIN_API_KEY rotated the root key at start-up (actor: the platform). */
  rootKeyRotate: { action: 'apiKey.rotate', targetType: 'api_key' },
  /** A request with a missing, unknown or revoked key (sampled; outcome `failed`). */
  signIn: { action: 'auth.signIn', targetType: 'api_key' },
  // A promotion's own progress (actor: the key that started it).
  /** A rollout step started, passed, was rolled back or cancelled (details: step, weight, figures). */
  promotionStep: { action: 'promotion.step', targetType: 'promotion' },
  /** The evaluation gate passed (details: metric, champion, candidate, worseBy). */
  promotionEvaluated: { action: 'promotion.evaluated', targetType: 'promotion' },
  /** The evaluation gate refused the candidate. */
  promotionRefuse: { action: 'promotion.refuse', targetType: 'promotion' },
  /** A step crossed a limit: the champion has all traffic back. */
  promotionRollback: { action: 'promotion.rollback', targetType: 'promotion' },
  /** The last step passed; the production alias moved (its own `alias.set` row). */
  promotionComplete: { action: 'promotion.complete', targetType: 'promotion' },
  /** A retraining policy fired (actor: the key that set the policy). */
  retrainTrigger: { action: 'retrain.trigger', targetType: 'model' },
} as const satisfies Record<string, AuditedAction>;

/** Error codes whose refusals are audited, and the outcome each records. */
export const REFUSED_OUTCOMES = {
  FORBIDDEN: 'forbidden',
  QUOTA_EXCEEDED: 'quota_exceeded',
} as const;

export function refusedOutcome(code: unknown): 'forbidden' | 'quota_exceeded' | null {
  return code === 'FORBIDDEN' || code === 'QUOTA_EXCEEDED' ? REFUSED_OUTCOMES[code] : null;
}
