import {
  ACTIVE_PROMOTION_STATUSES,
  Deployment as DeploymentRow,
  DeploymentRoute as RouteRow,
  ModelVersion,
  Promotion as PromotionRow,
  PROMOTION_EVENTS_CHANNEL,
  type EventBus,
  type PromotionStatusName,
  type PromotionStepRecord,
} from '@maas/db';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { audit, type AuditActor } from '../../common/audit';
import { badInput, conflict, isUniqueViolation, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import {
  replaceDeploymentRoutes,
  type RegistryChanged,
  type RouteArgs,
} from '../deployments/deployments.service';
import { moveAlias } from '../models/alias-moves';
import { quantile, readDeploymentStats } from '../predictions/serving-stats';
import type { CandidateEvaluator } from './candidate-evaluator';
import { checkPolicy, limitCrossed, type PromotionPolicyArgs } from './promotion-policy';
import type { Promotion } from './promotions.types';

/**
 * The online metrics of one version of a deployment from the feedback on its predictions logged
 * since `since` ({mae, rmse} or {accuracy, logLoss}), or null without feedback. Monitoring owns
 * them (its `onlineMetrics`); services.ts passes it in, so promotions does not import monitoring.
 */
export interface OnlineMetricsReader {
  onlineMetrics(
    workspaceId: string,
    deploymentId: string,
    versionId: string,
    since: Date,
  ): Promise<Record<string, number> | null>;
}

/** A reader that never has feedback: every step's onlineMetrics stays null. */
export const NO_ONLINE_METRICS: OnlineMetricsReader = {
  onlineMetrics: () => Promise.resolve(null),
};

/** The alias a completed promotion moves to its candidate. */
export const PRODUCTION_ALIAS = 'production';
/** Most promotions `promotions(deployment)` lists, newest first. */
export const PROMOTIONS_PAGE = 100;
/** Promotions one tick advances at most (the rest wait for the next tick). */
const TICK_BATCH = 100;

const ACTIVE: readonly PromotionStatusName[] = ACTIVE_PROMOTION_STATUSES;
const TICKED: readonly PromotionStatusName[] = ['EVALUATING', 'ROLLING_OUT'];

export function isFinalPromotion(status: PromotionStatusName): boolean {
  return !ACTIVE.includes(status);
}

export interface PromoteArgs {
  deployment: string;
  versionId: string;
  policy?: PromotionPolicyArgs | null;
  force?: boolean | null;
}

/** What a promotion event carries (ids only; subscribers re-read the row). */
export interface PromotionEvent {
  workspaceId: string;
  promotionId: string;
  seq: number;
}

function mapPromotion(row: PromotionRow): Promotion {
  return {
    id: row.id,
    status: row.status,
    steps: row.steps.map((s) => ({
      weight: s.weight,
      minRequests: s.minRequests,
      minSeconds: s.minSeconds,
      startedAt: s.startedAt ? new Date(s.startedAt) : null,
      endedAt: s.endedAt ? new Date(s.endedAt) : null,
      requests: s.requests,
      errors: s.errors,
      errorRate: s.errorRate,
      p99LatencyMs: s.p99LatencyMs,
      onlineMetrics: s.onlineMetrics,
      outcome: s.outcome,
    })),
    reason: row.reason,
    forced: row.forced,
    policy: { ...row.policy },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    workspaceId: row.workspaceId,
    deploymentId: row.deploymentId,
    candidateVersionId: row.candidateVersionId,
    championVersionId: row.championVersionId,
    evaluationJobId: row.evaluationJobId,
    seq: row.seq,
  };
}

/** What one tick did to a promotion: nothing, its row only, or its routes or alias too. */
type Advanced = 'unchanged' | 'measured' | 'rerouted';

const actorOf = (row: PromotionRow): AuditActor => ({ apiKeyId: row.apiKeyId });

/**
 * Guarded promotion (docs/api.md, "Promotion"): a candidate version replaces a deployment's
 * champion through an optional evaluation gate, an optional approval and rollout steps that move
 * the deployment's route weights, each judged on the candidate's own traffic during the step
 * (deployment_stats) and rolled back when it crosses the policy's limits.
 *
 * The state is the `promotions` row only. Mutations lock it (FOR UPDATE); the periodic
 * {@link tick} of every API replica advances what is due, each row under FOR UPDATE SKIP LOCKED,
 * so two replicas never judge the same step and a restarted API carries on where it stopped.
 */
export class PromotionsService {
  constructor(
    private readonly db: DataSource,
    private readonly bus: EventBus,
    private readonly evaluator: CandidateEvaluator,
    private readonly changed: RegistryChanged,
    private readonly logger: Logger,
    private readonly online: OnlineMetricsReader = NO_ONLINE_METRICS,
  ) {}

  async find(auth: AuthInfo, id: string): Promise<Promotion | null> {
    const row = await this.db
      .getRepository(PromotionRow)
      .findOne({ where: { id: assertId(id), workspaceId: auth.workspaceId } });
    return row ? mapPromotion(row) : null;
  }

  /** `promotions(deployment)`: newest first. */
  async list(auth: AuthInfo, deploymentName: string): Promise<Promotion[]> {
    const deployment = await this.db
      .getRepository(DeploymentRow)
      .findOne({ where: { workspaceId: auth.workspaceId, name: deploymentName } });
    if (!deployment) throw notFound(`Deployment "${deploymentName}" does not exist`);
    const rows = await this.db.getRepository(PromotionRow).find({
      where: { deploymentId: deployment.id, workspaceId: auth.workspaceId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: PROMOTIONS_PAGE,
    });
    return rows.map(mapPromotion);
  }

  /**
   * `promote`: EDITOR; `force` is ADMIN. The policy is checked before anything is read. The
   * champion is the deployment's heaviest route other than the candidate. Without an evaluation
   * or approval to wait for, the first step starts at once (its weights are live on return).
   */
  async promote(auth: AuthInfo, input: PromoteArgs): Promise<Promotion> {
    requireRole(auth, 'EDITOR');
    const force = input.force === true;
    if (force) requireRole(auth, 'ADMIN');
    const { policy, steps } = checkPolicy(input.policy);
    const versionId = assertId(input.versionId, 'versionId');
    let created: PromotionRow;
    try {
      created = await this.db.transaction(async (m) => {
        const deployment = await m.getRepository(DeploymentRow).findOne({
          where: { workspaceId: auth.workspaceId, name: input.deployment },
          lock: { mode: 'pessimistic_write' },
        });
        if (!deployment) throw notFound(`Deployment "${input.deployment}" does not exist`);
        const candidate = await m
          .getRepository(ModelVersion)
          .findOne({ where: { id: versionId, workspaceId: auth.workspaceId } });
        if (!candidate) throw notFound(`Model version ${input.versionId} does not exist`);
        if (candidate.modelId !== deployment.modelId)
          throw badInput(
            `Version ${candidate.version} belongs to another model than deployment "${deployment.name}" serves`,
            { field: 'versionId' },
          );
        const active = await m.getRepository(PromotionRow).findOne({
          where: { deploymentId: deployment.id, status: In([...ACTIVE]) },
        });
        if (active) throw this.alreadyActive(deployment.name, active);
        const routes = await m
          .getRepository(RouteRow)
          .find({ where: { deploymentId: deployment.id }, order: { weight: 'DESC' } });
        const champion = routes
          .filter((r) => r.versionId !== candidate.id)
          .sort((a, b) => b.weight - a.weight || a.versionId.localeCompare(b.versionId))[0];
        if (!champion)
          throw badInput(
            `Version ${candidate.version} already takes all of deployment "${deployment.name}"'s traffic: there is nothing to promote it over`,
            { field: 'versionId' },
          );
        const evaluate = policy.evaluationDatasetId !== null && !force;
        const row = await m.save(
          m.create(PromotionRow, {
            workspaceId: auth.workspaceId,
            deploymentId: deployment.id,
            modelId: deployment.modelId,
            candidateVersionId: candidate.id,
            championVersionId: champion.versionId,
            status: evaluate ? 'EVALUATING' : 'WAITING_FOR_APPROVAL',
            policy,
            steps,
            currentStep: -1,
            forced: force,
            evaluationJobId: null,
            reason: null,
            apiKeyId: auth.apiKeyId,
            seq: 1,
          }),
        );
        if (evaluate && policy.evaluationDatasetId) {
          const started = await this.evaluator.start(
            {
              workspaceId: auth.workspaceId,
              actor: auth,
              championVersionId: champion.versionId,
              candidateVersionId: candidate.id,
              datasetId: policy.evaluationDatasetId,
              target: policy.evaluationTarget,
              metric: policy.metric,
            },
            m,
          );
          // The policy records what the gate settled on (the defaults it filled in).
          row.evaluationJobId = started.jobId;
          row.policy = { ...row.policy, metric: started.metric, evaluationTarget: started.target };
        }
        await audit(m, auth, auth.workspaceId, 'promotion.start', 'promotion', row.id, {
          deployment: deployment.name,
          candidateVersion: candidate.version,
          championVersionId: champion.versionId,
          force,
          // What force skipped, so the log says it.
          ...(force ? { skipped: ['evaluation', 'limits'] } : {}),
          steps: steps.map((s) => s.weight),
        });
        if (!evaluate && !policy.requireApproval) await this.startStep(m, row, 0);
        await this.save(m, row);
        return row;
      });
    } catch (err) {
      // Two promotes at once on one deployment: the partial unique index lets one through.
      if (isUniqueViolation(err))
        throw conflict(`Deployment "${input.deployment}" already has a promotion in progress`);
      throw err;
    }
    if (created.status === 'ROLLING_OUT') this.changed(auth.workspaceId);
    return mapPromotion(created);
  }

  private alreadyActive(deploymentName: string, active: PromotionRow) {
    return conflict(
      `Deployment "${deploymentName}" already has promotion ${active.id} in progress (${active.status}): cancel it or let it finish first`,
    );
  }

  /** `approvePromotion`: EDITOR; only a promotion WAITING_FOR_APPROVAL; its first step starts. */
  async approve(auth: AuthInfo, id: string): Promise<Promotion> {
    requireRole(auth, 'EDITOR');
    const row = await this.db.transaction(async (m) => {
      const row = await this.lockOwn(m, auth, id);
      if (row.status !== 'WAITING_FOR_APPROVAL')
        throw conflict(`Promotion ${row.id} is ${row.status}, not WAITING_FOR_APPROVAL`);
      await audit(m, auth, auth.workspaceId, 'promotion.approve', 'promotion', row.id, null);
      await this.startStep(m, row, 0);
      await this.save(m, row);
      return row;
    });
    this.changed(auth.workspaceId);
    return mapPromotion(row);
  }

  /**
   * `cancelPromotion`: EDITOR; a promotion in progress ends CANCELLED and the champion gets all
   * the traffic back (the routes are only rewritten once the rollout had started).
   */
  async cancel(auth: AuthInfo, id: string): Promise<Promotion> {
    requireRole(auth, 'EDITOR');
    let rerouted = false;
    const row = await this.db.transaction(async (m) => {
      const row = await this.lockOwn(m, auth, id);
      if (isFinalPromotion(row.status))
        throw conflict(`Promotion ${row.id} is already ${row.status}`);
      await audit(m, auth, auth.workspaceId, 'promotion.cancel', 'promotion', row.id, {
        status: row.status,
        step: row.currentStep + 1,
      });
      rerouted = row.status === 'ROLLING_OUT';
      await this.end(m, row, 'CANCELLED', `Cancelled by key ${auth.keyName}`, 'cancelled');
      return row;
    });
    if (rerouted) this.changed(auth.workspaceId);
    return mapPromotion(row);
  }

  private async lockOwn(m: EntityManager, auth: AuthInfo, id: string): Promise<PromotionRow> {
    const row = await m.getRepository(PromotionRow).findOne({
      where: { id: assertId(id), workspaceId: auth.workspaceId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row) throw notFound(`Promotion ${id} does not exist`);
    return row;
  }

  /**
   * Advances every promotion that is due (an evaluation to read, a step to measure); called by
   * every replica's ticker. Resolves to how many it changed. One failing promotion does not stop
   * the others.
   */
  async tick(): Promise<number> {
    const due = await this.db.query<{ id: string }[]>(
      `SELECT id FROM promotions WHERE status = ANY($1) ORDER BY updated_at LIMIT ${TICK_BATCH}`,
      [[...TICKED]],
    );
    let changed = 0;
    for (const { id } of due) {
      try {
        if (await this.advance(id)) changed += 1;
      } catch (err) {
        this.logger.warn({ err, promotionId: id }, 'could not advance a promotion');
      }
    }
    return changed;
  }

  /** One promotion, under its row lock (skipped when another replica holds it). */
  private async advance(id: string): Promise<boolean> {
    let rerouted = false;
    let workspaceId: string | null = null;
    const changed = await this.db.transaction(async (m) => {
      const locked = await m.query<{ id: string }[]>(
        `SELECT id FROM promotions WHERE id = $1 AND status = ANY($2) FOR UPDATE SKIP LOCKED`,
        [id, [...TICKED]],
      );
      if (locked.length === 0) return false;
      const row = await m.getRepository(PromotionRow).findOneByOrFail({ id });
      workspaceId = row.workspaceId;
      const result =
        row.status === 'EVALUATING'
          ? await this.advanceEvaluation(m, row)
          : await this.advanceStep(m, row);
      rerouted = result === 'rerouted';
      return result !== 'unchanged';
    });
    if (rerouted && workspaceId) this.changed(workspaceId);
    return changed;
  }

  private async advanceEvaluation(m: EntityManager, row: PromotionRow): Promise<Advanced> {
    const { metric, maxRegression } = row.policy;
    if (!row.evaluationJobId || !metric) {
      await this.end(m, row, 'REFUSED', 'The evaluation was never started', null);
      return 'measured';
    }
    const margin = maxRegression ?? 0;
    const outcome = await this.evaluator.outcome(
      row.workspaceId,
      row.evaluationJobId,
      metric,
      margin,
    );
    if (outcome.state === 'pending') return 'unchanged';
    if (outcome.state === 'error') {
      await this.end(m, row, 'REFUSED', `The evaluation failed: ${outcome.reason}`, null);
      return 'measured';
    }
    const figures = {
      champion: outcome.champion,
      candidate: outcome.candidate,
      worseBy: outcome.worseBy,
    };
    if (outcome.state === 'failed') {
      await this.end(
        m,
        row,
        'REFUSED',
        `The candidate's ${metric} is ${fmt(outcome.candidate)} against the champion's ${fmt(outcome.champion)}: worse by ${fmt(outcome.worseBy)}, more than maxRegression ${margin}`,
        null,
        { evaluation: figures },
      );
      return 'measured';
    }
    await audit(m, actorOf(row), row.workspaceId, 'promotion.evaluated', 'promotion', row.id, {
      metric,
      ...figures,
      maxRegression: margin,
    });
    const approval = row.policy.requireApproval;
    if (approval) row.status = 'WAITING_FOR_APPROVAL';
    else await this.startStep(m, row, 0);
    await this.save(m, row);
    // The first step's routes are live: the registry is told after commit.
    return approval ? 'measured' : 'rerouted';
  }

  /** Measures the step in progress; judges it once held. */
  private async advanceStep(m: EntityManager, row: PromotionRow): Promise<Advanced> {
    const step = row.steps[row.currentStep];
    if (!step?.startedAt) return 'unchanged';
    const startedAt = new Date(step.startedAt);
    // Before the read: a passed step ends (and the next starts) where its samples were read.
    const measuredAt = new Date().toISOString();
    const stats = await readDeploymentStats(this.db, row.deploymentId, { since: startedAt });
    const mine = stats.byVersion.get(row.candidateVersionId);
    const requests = mine?.requests ?? 0;
    const errors = mine?.errors ?? 0;
    // The feedback on the candidate's predictions logged during the step, up to now.
    const onlineMetrics = await this.online.onlineMetrics(
      row.workspaceId,
      row.deploymentId,
      row.candidateVersionId,
      startedAt,
    );
    const measured: Pick<
      PromotionStepRecord,
      'requests' | 'errors' | 'errorRate' | 'p99LatencyMs' | 'onlineMetrics'
    > = {
      requests,
      errors,
      errorRate: requests > 0 ? errors / requests : null,
      p99LatencyMs: mine ? quantile(mine.histogram, 0.99) : null,
      onlineMetrics,
    };
    const moved =
      measured.requests !== step.requests ||
      measured.errors !== step.errors ||
      measured.p99LatencyMs !== step.p99LatencyMs ||
      JSON.stringify(measured.onlineMetrics) !== JSON.stringify(step.onlineMetrics ?? null);
    Object.assign(step, measured);
    const held =
      requests >= step.minRequests && Date.now() - startedAt.getTime() >= step.minSeconds * 1000;
    if (!held) {
      if (!moved) return 'unchanged';
      await this.save(m, row);
      return 'measured';
    }
    const crossed = row.forced ? null : limitCrossed(row.policy, step);
    if (crossed) {
      await this.end(m, row, 'ROLLED_BACK', crossed, 'rolled back');
      return 'rerouted';
    }
    step.outcome = 'passed';
    step.endedAt = measuredAt;
    await this.auditStep(m, row, 'passed');
    if (row.currentStep + 1 < row.steps.length) {
      await this.startStep(m, row, row.currentStep + 1, measuredAt);
      await this.save(m, row);
      return 'rerouted';
    }
    await this.complete(m, row);
    // The routes stay (the candidate has had all the traffic since the last step), the alias moved.
    return 'rerouted';
  }

  /** Starts step `index`: the candidate gets its weight, the champion the rest. */
  private async startStep(
    m: EntityManager,
    row: PromotionRow,
    index: number,
    at = new Date().toISOString(),
  ): Promise<void> {
    const step = row.steps[index];
    if (!step) throw new Error(`promotion ${row.id} has no step ${index + 1}`);
    step.startedAt = at;
    row.currentStep = index;
    row.status = 'ROLLING_OUT';
    await this.setWeights(m, row, step.weight);
    await this.auditStep(m, row, 'started');
  }

  private async setWeights(m: EntityManager, row: PromotionRow, candidateWeight: number) {
    const routes: RouteArgs[] = [];
    if (candidateWeight > 0)
      routes.push({ versionId: row.candidateVersionId, weight: candidateWeight });
    if (candidateWeight < 100 && row.championVersionId)
      routes.push({ versionId: row.championVersionId, weight: 100 - candidateWeight });
    if (routes.length === 0) return; // no champion left to give the traffic back to
    await replaceDeploymentRoutes(
      m,
      { id: row.deploymentId, workspaceId: row.workspaceId },
      routes,
    );
    await m.update(DeploymentRow, { id: row.deploymentId }, { updatedAt: new Date() });
  }

  private async auditStep(m: EntityManager, row: PromotionRow, event: string): Promise<void> {
    const step = row.steps[row.currentStep];
    if (!step) return;
    await audit(m, actorOf(row), row.workspaceId, 'promotion.step', 'promotion', row.id, {
      step: row.currentStep + 1,
      weight: step.weight,
      event,
      ...(event === 'started'
        ? {}
        : {
            requests: step.requests,
            errors: step.errors,
            errorRate: step.errorRate,
            p99LatencyMs: step.p99LatencyMs,
            onlineMetrics: step.onlineMetrics,
          }),
    });
  }

  /** The last step passed: the candidate keeps all traffic and the production alias moves to it. */
  private async complete(m: EntityManager, row: PromotionRow): Promise<void> {
    const candidate = await m
      .getRepository(ModelVersion)
      .findOneByOrFail({ id: row.candidateVersionId });
    const previous = await moveAlias(m, {
      workspaceId: row.workspaceId,
      modelId: row.modelId,
      alias: PRODUCTION_ALIAS,
      versionId: candidate.id,
      version: candidate.version,
      actor: actorOf(row),
      promotionId: row.id,
    });
    row.status = 'COMPLETED';
    row.reason = null;
    await audit(m, actorOf(row), row.workspaceId, 'promotion.complete', 'promotion', row.id, {
      candidateVersion: candidate.version,
      alias: PRODUCTION_ALIAS,
      previousVersionId: previous,
    });
    await this.save(m, row);
  }

  /**
   * Ends a promotion that did not complete: the champion gets all traffic back if the rollout had
   * started, the step in progress records `outcome` and its end.
   */
  private async end(
    m: EntityManager,
    row: PromotionRow,
    status: 'REFUSED' | 'ROLLED_BACK' | 'CANCELLED',
    reason: string,
    outcome: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const wasRollingOut = row.status === 'ROLLING_OUT';
    const step = row.steps[row.currentStep];
    if (wasRollingOut && step && outcome) {
      step.outcome = outcome;
      step.endedAt = new Date().toISOString();
      await this.auditStep(m, row, outcome);
    }
    if (wasRollingOut) await this.setWeights(m, row, 0);
    row.status = status;
    row.reason = reason;
    if (status !== 'CANCELLED') {
      const action = status === 'REFUSED' ? 'promotion.refuse' : 'promotion.rollback';
      await audit(m, actorOf(row), row.workspaceId, action, 'promotion', row.id, {
        reason,
        ...details,
      });
    }
    await this.save(m, row);
  }

  /** Writes the row with the next sequence number and tells subscribers (on commit). */
  private async save(m: EntityManager, row: PromotionRow): Promise<void> {
    row.seq += 1;
    row.updatedAt = new Date();
    await m.save(row);
    const event: PromotionEvent = {
      workspaceId: row.workspaceId,
      promotionId: row.id,
      seq: row.seq,
    };
    await this.bus.publish(PROMOTION_EVENTS_CHANNEL, event, m);
  }
}

const fmt = (x: number) => String(Math.round(x * 1e6) / 1e6);
