import {
  Deployment,
  DeploymentRoute,
  Model,
  ModelVersion,
  RetrainPolicy as PolicyRow,
  type AlgorithmName,
} from '@maas/db';
import { resolveWarmStart } from '@maas/training';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, notFound, UserError } from '../../common/errors';
import { NAME_PATTERN } from '../../common/names';
import { assertId, assertJsonObject } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import {
  findWarmStartVersion,
  trainingInputError,
  type WarmStartVersion,
} from '../training/warm-start-parent';
import { gateMetric } from '../evaluation/candidate-verdict';
import { checkPolicy, type PromotionPolicyArgs } from '../promotions/promotion-policy';
import type { RetrainPolicy } from './retraining.types';

/** A run needs at least this many feedback rows, whatever fired it: fewer teach a model nothing. */
export const MIN_RETRAIN_ROWS = 10;
/** Stands in for the feedback dataset when a promotion policy is checked before it exists. */
const FEEDBACK_DATASET_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';
/** The bounds of a trigger's conditions. */
export const TRIGGER_BOUNDS = {
  maxInputDrift: { min: 0.001, max: 10 },
  everySeconds: { min: 60, max: 31_536_000 },
} as const;

export interface RetrainTrigger {
  minFeedbackRows: number | null;
  maxInputDrift: number | null;
  everySeconds: number | null;
}

export interface RetrainPolicyArgs {
  trigger: {
    minFeedbackRows?: number | null;
    maxInputDrift?: number | null;
    everySeconds?: number | null;
  };
  algorithm?: AlgorithmName | null;
  hyperparameters?: unknown;
  deployment: string;
  promotion?: PromotionPolicyArgs | null;
}

/** The conditions that are set, as `RetrainPolicy.trigger` shows them. */
function setConditions(trigger: RetrainTrigger): Record<string, number> {
  return Object.fromEntries(
    Object.entries(trigger).filter((e): e is [string, number] => e[1] !== null),
  );
}

export function mapPolicy(row: PolicyRow): RetrainPolicy {
  return {
    modelId: row.modelId,
    deploymentId: row.deploymentId,
    trigger: setConditions(row),
    algorithm: row.algorithm,
    hyperparameters: row.hyperparameters,
    promotion: row.promotion,
    enabled: row.enabled,
    lastTriggeredAt: row.lastTriggeredAt,
  };
}

/** The trigger's conditions, checked: at least one, each within its bounds. */
export function checkTrigger(input: RetrainPolicyArgs['trigger'], maxRows: number): RetrainTrigger {
  const trigger: RetrainTrigger = {
    minFeedbackRows: input.minFeedbackRows ?? null,
    maxInputDrift: input.maxInputDrift ?? null,
    everySeconds: input.everySeconds ?? null,
  };
  if (
    trigger.minFeedbackRows === null &&
    trigger.maxInputDrift === null &&
    trigger.everySeconds === null
  )
    throw badInput(
      'A retraining trigger needs at least one of minFeedbackRows, maxInputDrift and everySeconds',
      { field: 'policy.trigger' },
    );
  const rows = trigger.minFeedbackRows;
  if (rows !== null && (!Number.isInteger(rows) || rows < 1 || rows > maxRows))
    throw badInput(
      `"minFeedbackRows" must be an integer from 1 to ${maxRows} (RETRAIN_MAX_DATASET_ROWS), got ${rows}`,
      { field: 'policy.trigger.minFeedbackRows' },
    );
  const drift = trigger.maxInputDrift;
  const { maxInputDrift: d, everySeconds: e } = TRIGGER_BOUNDS;
  if (drift !== null && (!Number.isFinite(drift) || drift < d.min || drift > d.max))
    throw badInput(
      `"maxInputDrift" is a population stability index above 0, from ${d.min} to ${d.max} (0.2 is a common alarm), got ${drift}`,
      { field: 'policy.trigger.maxInputDrift' },
    );
  const every = trigger.everySeconds;
  if (every !== null && (!Number.isInteger(every) || every < e.min || every > e.max))
    throw badInput(
      `"everySeconds" must be an integer from ${e.min} to ${e.max} (a year), got ${every}`,
      { field: 'policy.trigger.everySeconds' },
    );
  return trigger;
}

/**
 * The promotion policy of a retraining policy, checked by the promotion module's own rules (its
 * steps, limits and metric) and kept as given: `promote` fills in the defaults when a run hands
 * its version over. A policy that names no evaluation dataset is checked as if it named the
 * run's feedback dataset, which is what a run evaluates on then.
 */
export function checkPromotion(
  input: PromotionPolicyArgs | null | undefined,
): PromotionPolicyArgs | null {
  if (input == null) return null;
  try {
    checkPolicy({
      ...input,
      evaluationDatasetId: input.evaluationDatasetId ?? FEEDBACK_DATASET_PLACEHOLDER,
    });
  } catch (err) {
    // The promotion module names its fields `policy.*`; here they are `policy.promotion.*`.
    if (err instanceof UserError && typeof err.details.field === 'string')
      throw badInput(err.message, {
        ...err.details,
        field: err.details.field.replace(/^policy\./, 'policy.promotion.'),
      });
    throw err;
  }
  // Only the fields given, as plain JSON (the GraphQL input is a class instance).
  return JSON.parse(JSON.stringify(input)) as PromotionPolicyArgs;
}

/** The version a deployment serves most traffic to (its live version, the champion). */
export async function liveVersionId(
  m: Pick<EntityManager, 'getRepository'>,
  deploymentId: string,
): Promise<string | null> {
  const routes = await m.getRepository(DeploymentRoute).find({ where: { deploymentId } });
  routes.sort((a, b) => b.weight - a.weight || a.versionId.localeCompare(b.versionId));
  return routes[0]?.versionId ?? null;
}

/**
 * The live version of `deployment`, as a warm-start parent; BAD_USER_INPUT on `deployment` when
 * maas did not train it (an update continues only from a version maas trained).
 */
export async function liveParent(
  db: DataSource,
  auth: AuthInfo,
  model: Model,
  deployment: Deployment,
): Promise<WarmStartVersion> {
  const live = await liveVersionId(db.manager, deployment.id);
  if (!live)
    throw badInput(`Deployment "${deployment.name}" has no routes`, { field: 'policy.deployment' });
  try {
    return await findWarmStartVersion(db, auth, model, live);
  } catch (err) {
    if (err instanceof UserError && err.code === 'BAD_USER_INPUT')
      throw badInput(
        `Deployment "${deployment.name}" serves a version retraining cannot continue from: ${err.message}`,
        { field: 'policy.deployment' },
      );
    throw err;
  }
}

/** The policies of `modelIds` in the workspace, by model id (Model.retrainPolicy's loader). */
export async function policiesOfModels(
  db: DataSource,
  workspaceId: string,
  modelIds: readonly string[],
): Promise<Map<string, RetrainPolicy>> {
  const rows = await db
    .getRepository(PolicyRow)
    .find({ where: { modelId: In([...modelIds]), workspaceId } });
  return new Map(rows.map((r) => [r.modelId, mapPolicy(r)]));
}

/** Retraining policies: one per model, set and deleted by EDITOR keys, read by any. */
export class RetrainPolicyService {
  constructor(
    private readonly db: DataSource,
    /** RETRAIN_MAX_DATASET_ROWS: the most feedback rows one run trains on. */
    private readonly maxRows: number,
  ) {}

  async set(auth: AuthInfo, modelId: string, input: RetrainPolicyArgs): Promise<RetrainPolicy> {
    requireRole(auth, 'EDITOR');
    // The cheap refusals first: nothing here needs the database.
    const id = assertId(modelId, 'modelId');
    const trigger = checkTrigger(input.trigger, this.maxRows);
    const hyperparameters =
      input.hyperparameters == null
        ? null
        : assertJsonObject(input.hyperparameters, 'hyperparameters');
    if (typeof input.deployment !== 'string' || !NAME_PATTERN.test(input.deployment))
      throw badInput(
        `"deployment" must be a deployment name (1 to 63 characters of a-z, 0-9, '-', '_' or '.')`,
        { field: 'policy.deployment' },
      );
    const model = await this.db
      .getRepository(Model)
      .findOne({ where: { id, workspaceId: auth.workspaceId } });
    if (!model) throw notFound(`Model ${modelId} does not exist`);
    const deployment = await this.db
      .getRepository(Deployment)
      .findOne({ where: { name: input.deployment, workspaceId: auth.workspaceId } });
    if (!deployment) throw notFound(`Deployment "${input.deployment}" does not exist`);
    if (deployment.modelId !== model.id)
      throw badInput(
        `Deployment "${deployment.name}" serves another model than "${model.name}": a policy retrains the model the deployment serves`,
        { field: 'policy.deployment' },
      );
    // The warm start the runs will ask for, checked now as startTrainingJob will check it.
    const parent = await liveParent(this.db, auth, model, deployment);
    const algorithm = input.algorithm ?? null;
    try {
      resolveWarmStart(parent.spec, {
        algorithm: algorithm ?? parent.spec.algorithm,
        target: parent.spec.target,
        hyperparameters,
        columns: parent.spec.features.map((f) => ({ name: f.name, type: f.type })),
      });
    } catch (err) {
      throw trainingInputError(err, parent);
    }
    const promotion = checkPromotion(input.promotion);
    if (promotion?.metric != null) {
      // The candidate is a warm start of the live version: its task, so the gate's metric rule.
      const live = await this.db.getRepository(ModelVersion).findOneByOrFail({ id: parent.id });
      gateMetric(
        promotion.metric,
        (live.signature.labels?.length ?? 0) > 0,
        'policy.promotion.metric',
      );
    }
    if (promotion?.evaluationDatasetId) {
      const found = await this.db.query<{ id: string }[]>(
        'SELECT id FROM datasets WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL',
        [promotion.evaluationDatasetId, auth.workspaceId],
      );
      if (found.length === 0)
        throw notFound(`Dataset ${promotion.evaluationDatasetId} does not exist`);
    }
    const row = await this.db.transaction(async (m) => {
      // A policy set again keeps its history: the feedback used and when it last fired.
      await m.query(
        `INSERT INTO retrain_policies AS p (model_id, workspace_id, deployment_id, min_feedback_rows,
           max_input_drift, every_seconds, algorithm, hyperparameters, promotion, enabled, set_by_key_id,
           feedback_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10, now())
         ON CONFLICT (model_id) DO UPDATE SET deployment_id = EXCLUDED.deployment_id,
           min_feedback_rows = EXCLUDED.min_feedback_rows, max_input_drift = EXCLUDED.max_input_drift,
           every_seconds = EXCLUDED.every_seconds, algorithm = EXCLUDED.algorithm,
           hyperparameters = EXCLUDED.hyperparameters, promotion = EXCLUDED.promotion,
           enabled = true, set_by_key_id = EXCLUDED.set_by_key_id, updated_at = now(),
           -- Feedback counts from when the policy was set on its deployment: on another
           -- deployment, from now.
           feedback_until = CASE WHEN p.deployment_id = EXCLUDED.deployment_id
             THEN p.feedback_until ELSE now() END`,
        [
          model.id,
          auth.workspaceId,
          deployment.id,
          trigger.minFeedbackRows,
          trigger.maxInputDrift,
          trigger.everySeconds,
          algorithm,
          hyperparameters === null ? null : JSON.stringify(hyperparameters),
          promotion === null ? null : JSON.stringify(promotion),
          auth.apiKeyId,
        ],
      );
      await audit(m, auth, auth.workspaceId, 'retrainPolicy.set', 'model', model.id, {
        model: model.name,
        deployment: deployment.name,
        trigger: setConditions(trigger),
      });
      return m.getRepository(PolicyRow).findOneOrFail({ where: { modelId: model.id } });
    });
    return mapPolicy(row);
  }

  async delete(auth: AuthInfo, modelId: string): Promise<boolean> {
    requireRole(auth, 'EDITOR');
    const id = assertId(modelId, 'modelId');
    return this.db.transaction(async (m) => {
      const model = await m
        .getRepository(Model)
        .findOne({ where: { id, workspaceId: auth.workspaceId } });
      if (!model) throw notFound(`Model ${modelId} does not exist`);
      const result = await m.delete(PolicyRow, { modelId: model.id });
      if (!result.affected) throw notFound(`Model "${model.name}" has no retraining policy`);
      await audit(m, auth, auth.workspaceId, 'retrainPolicy.delete', 'model', model.id, {
        model: model.name,
      });
      return true;
    });
  }
}
