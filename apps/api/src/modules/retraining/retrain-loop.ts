import {
  ApiKey,
  Deployment,
  Model,
  ModelVersion,
  RetrainPolicy as PolicyRow,
  RetrainRun,
  TrainingJob,
  type RetrainReason,
} from '@maas/db';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { UserError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { PeriodicTask } from '../../common/periodic-task';
import type { AuthInfo } from '../auth/auth.service';
import type { DatasetsService } from '../datasets/datasets.service';
import type { PromotionPolicyArgs } from '../promotions/promotion-policy';
import type { TrainingService } from '../training/training.service';
import { findWarmStartVersion } from '../training/warm-start-parent';
import { buildFeedbackTable, countFeedback, type FeedbackWindow } from './feedback-dataset';
import { MIN_RETRAIN_ROWS, liveVersionId } from './retrain-policy.service';
import {
  FINAL_PROMOTION_STATUSES,
  type InputDriftReader,
  type PromotionState,
  type PromotionStarter,
} from './retrain-ports';

/** Feedback younger than this is left to the next run: its transaction may not have committed. */
const FEEDBACK_SETTLE_SECONDS = 1;
/** Policies looked at, and runs advanced, per tick at most. */
const BATCH = 50;
/** Steps one run takes in one tick at most (dataset, job start, promotion start). */
const STEPS_PER_TICK = 4;
export const ACTIVE_RUN_STATUSES = ['BUILDING_DATASET', 'TRAINING', 'PROMOTING'] as const;
const ROLE_RANK = { VIEWER: 1, EDITOR: 2, ADMIN: 3 } as const;

export interface RetrainLoopOptions {
  /** RETRAIN_CHECK_INTERVAL_MS */
  everyMs: number;
  /** RETRAIN_MAX_DATASET_ROWS */
  maxRows: number;
}

/** What one tick did, for tests and logs. */
export interface RetrainTick {
  fired: number;
  advanced: number;
}

/**
 * The retraining trigger loop, run by every API replica (docs/api.md, "Retraining policies").
 *
 * A tick (1) looks at the enabled policies under row locks taken with SKIP LOCKED, so two replicas
 * never look at one policy at once, and fires a policy by inserting its run and moving its
 * feedback mark in that transaction, so a trigger fires once; (2) advances each unfinished run one
 * step at a time, each step in a transaction holding the run's row lock (FOR UPDATE SKIP LOCKED):
 * another replica skips a run being advanced, and a replica that dies mid-step loses its lock with
 * its connection, so the next tick anywhere takes the run up again. A step that creates something
 * (the dataset, the training job) passes an idempotency key derived from the run, and a promotion
 * already started for the run's version is adopted, so a step repeated after a crash returns what
 * the first attempt made instead of making it twice.
 */
export class RetrainLoop extends PeriodicTask<RetrainTick> {
  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly datasets: DatasetsService,
    private readonly training: TrainingService,
    private readonly options: RetrainLoopOptions,
    private readonly drift: InputDriftReader,
    private readonly promotions: PromotionStarter | null,
  ) {
    super({
      logger,
      everyMs: options.everyMs,
      idle: () => ({ fired: 0, advanced: 0 }),
      failure: 'retraining tick failed',
    });
  }

  protected async pass(): Promise<RetrainTick> {
    const fired = await this.fire();
    const advanced = await this.advance();
    return { fired, advanced };
  }

  /** Fires the policies whose trigger holds; returns how many fired. */
  private fire(): Promise<number> {
    return this.db.transaction(async (m) => {
      const [clock] = await m.query<{ cutoff: Date; now: Date }[]>(
        `SELECT clock_timestamp() - make_interval(secs => $1) AS cutoff, clock_timestamp() AS now`,
        [FEEDBACK_SETTLE_SECONDS],
      );
      if (!clock) return 0;
      const policies = await m
        .getRepository(PolicyRow)
        .createQueryBuilder('p')
        .where('p.enabled')
        .orderBy('p.checkedAt', 'ASC', 'NULLS FIRST')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      let fired = 0;
      for (const policy of policies) {
        if (await this.fireOne(m, policy, new Date(clock.cutoff), new Date(clock.now))) fired++;
      }
      if (policies.length > 0)
        await m.update(
          PolicyRow,
          { modelId: In(policies.map((p) => p.modelId)) },
          { checkedAt: new Date(clock.now) },
        );
      return fired;
    });
  }

  private async fireOne(
    m: EntityManager,
    policy: PolicyRow,
    cutoff: Date,
    now: Date,
  ): Promise<boolean> {
    // One run at a time per model: the next waits until this one is finished.
    const busy = await m
      .getRepository(RetrainRun)
      .exists({ where: { modelId: policy.modelId, status: In([...ACTIVE_RUN_STATUSES]) } });
    if (busy) return false;
    const window: FeedbackWindow = {
      workspaceId: policy.workspaceId,
      deploymentId: policy.deploymentId,
      from: policy.feedbackUntil,
      until: cutoff,
    };
    const need = Math.max(MIN_RETRAIN_ROWS, policy.minFeedbackRows ?? MIN_RETRAIN_ROWS);
    const rows = await countFeedback(m, window, need);
    // Whatever the trigger, a run needs feedback to train on.
    if (rows < MIN_RETRAIN_ROWS) return false;
    const fired = await this.triggerReason(policy, rows, now);
    if (!fired) return false;
    const parentVersionId = await liveVersionId(m, policy.deploymentId);
    const parent = parentVersionId
      ? await m.getRepository(ModelVersion).findOne({ where: { id: parentVersionId } })
      : null;
    const run = await m.save(
      m.create(RetrainRun, {
        workspaceId: policy.workspaceId,
        modelId: policy.modelId,
        deploymentId: policy.deploymentId,
        reason: fired.reason,
        status: 'BUILDING_DATASET',
        message: `${fired.message}: retraining from version ${parent?.version ?? '?'}`,
        parentVersionId: parent?.id ?? null,
        feedbackFrom: policy.feedbackUntil,
        feedbackUntil: cutoff,
        feedbackRows: rows,
        apiKeyId: policy.setByKeyId,
        settings: {
          algorithm: policy.algorithm,
          hyperparameters: policy.hyperparameters,
          promotion: policy.promotion,
        },
      }),
    );
    await m.update(
      PolicyRow,
      { modelId: policy.modelId },
      { feedbackUntil: cutoff, lastTriggeredAt: now },
    );
    await audit(
      m,
      policy.setByKeyId ? { apiKeyId: policy.setByKeyId } : null,
      policy.workspaceId,
      'retrain.trigger',
      'model',
      policy.modelId,
      { run: run.id, reason: fired.reason, feedbackRows: rows },
    );
    return true;
  }

  private async triggerReason(
    policy: PolicyRow,
    rows: number,
    now: Date,
  ): Promise<{ reason: RetrainReason; message: string } | null> {
    if (policy.minFeedbackRows !== null && rows >= policy.minFeedbackRows)
      return {
        reason: 'feedback',
        message: `${rows} new feedback rows (trigger: ${policy.minFeedbackRows})`,
      };
    if (policy.maxInputDrift !== null) {
      const drift = await this.drift.maxInputDrift(
        policy.workspaceId,
        policy.deploymentId,
        policy.lastTriggeredAt,
      );
      if (drift !== null && drift > policy.maxInputDrift)
        return {
          reason: 'drift',
          message: `input drift ${drift.toFixed(3)} above ${policy.maxInputDrift}`,
        };
    }
    if (policy.everySeconds !== null) {
      const since = policy.lastTriggeredAt ?? policy.createdAt;
      if (now.getTime() - since.getTime() >= policy.everySeconds * 1000)
        return { reason: 'schedule', message: `scheduled every ${policy.everySeconds} s` };
    }
    return null;
  }

  /** Advances the unfinished runs; returns how many steps it took. */
  private async advance(): Promise<number> {
    const due = await this.db.query<{ id: string }[]>(
      `SELECT id FROM retrain_runs WHERE status = ANY($1::text[]) ORDER BY updated_at LIMIT $2`,
      [[...ACTIVE_RUN_STATUSES], BATCH],
    );
    let steps = 0;
    for (const { id } of due) {
      for (let i = 0; i < STEPS_PER_TICK && !this.stopping; i++) {
        if (!(await this.advanceOne(id))) break;
        steps++;
      }
    }
    return steps;
  }

  /**
   * One step of one run under its row lock; false when another replica holds it, it is finished,
   * or it waits (for its training job or its promotion).
   */
  private advanceOne(id: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const locked = await m.query<{ id: string }[]>(
        `SELECT id FROM retrain_runs WHERE id = $1 AND status = ANY($2::text[])
          FOR UPDATE SKIP LOCKED`,
        [id, [...ACTIVE_RUN_STATUSES]],
      );
      if (locked.length === 0) return false;
      const run = await m.getRepository(RetrainRun).findOneByOrFail({ id });
      const before = `${run.status} ${run.trainingJobId} ${run.promotionId}`;
      try {
        await this.step(run);
      } catch (err) {
        run.status = 'FAILED';
        if (err instanceof UserError) run.error = err.message;
        else {
          this.logger.warn({ err, run: run.id }, 'retraining run failed');
          run.error = 'an internal error stopped the run (the API log has it)';
        }
        run.message = `${run.message}; failed: ${run.error}`;
      }
      if (`${run.status} ${run.trainingJobId} ${run.promotionId}` === before) return false;
      await m.save(run);
      return true;
    });
  }

  /** One step of a run, changing `run` in memory; a refusal throws the UserError it is. */
  private async step(run: RetrainRun): Promise<void> {
    const auth = await this.runActor(run);
    if (run.status === 'BUILDING_DATASET') await this.buildDataset(run, auth);
    else if (run.status === 'TRAINING' && !run.trainingJobId) await this.startJob(run, auth);
    else if (run.status === 'TRAINING') await this.followTraining(run, auth);
    else if (run.status === 'PROMOTING') await this.followPromotion(run, auth);
  }

  /**
   * The key that set the policy, as the run acts: its role and revocation are read now, so a
   * revoked key's run stops (and its policy is switched off) instead of acting for it.
   */
  private async runActor(run: RetrainRun): Promise<AuthInfo> {
    const key = run.apiKeyId
      ? await this.db.getRepository(ApiKey).findOne({ where: { id: run.apiKeyId } })
      : null;
    if (!key || key.revokedAt || ROLE_RANK[key.role] < ROLE_RANK.EDITOR) {
      await this.db
        .getRepository(PolicyRow)
        .update({ modelId: run.modelId, setByKeyId: run.apiKeyId ?? IsNull() }, { enabled: false });
      throw new UserError(
        'FORBIDDEN',
        !key || key.revokedAt
          ? 'the key that set the retraining policy was revoked: set the policy again with a live key'
          : 'the key that set the retraining policy no longer has the EDITOR role: set the policy again',
      );
    }
    return {
      apiKeyId: key.id,
      keyName: key.name,
      workspaceId: run.workspaceId,
      role: key.role,
      isRoot: key.isRoot,
      limits: { requestsPerSecond: null, maxPredictionsPerDay: null, maxTokensPerDay: null },
      sourceAddress: null,
    };
  }

  /** The feedback of the run's window as a Dataset, through the datasets module's own ingest. */
  private async buildDataset(run: RetrainRun, auth: AuthInfo): Promise<void> {
    const model = await this.db.getRepository(Model).findOneOrFail({ where: { id: run.modelId } });
    if (!run.parentVersionId || !run.deploymentId)
      throw new UserError('NOT_FOUND', 'the deployment has no live version to continue from');
    const parent = await findWarmStartVersion(this.db, auth, model, run.parentVersionId);
    const table = await buildFeedbackTable(
      this.db.manager,
      {
        workspaceId: run.workspaceId,
        deploymentId: run.deploymentId,
        from: run.feedbackFrom,
        until: run.feedbackUntil,
      },
      { features: parent.spec.features.map((f) => f.name), target: parent.spec.target },
      this.options.maxRows,
    );
    run.feedbackRows = table.rows;
    const leftOut = table.skipped > 0 ? ` (${table.skipped} left out: not a table row)` : '';
    if (table.rows < MIN_RETRAIN_ROWS)
      throw new UserError(
        'BAD_USER_INPUT',
        `only ${table.rows} feedback rows have logged inputs${leftOut}; a run needs ${MIN_RETRAIN_ROWS}`,
      );
    const stamp = run.feedbackUntil.toISOString().slice(0, 19).replace('T', ' ');
    const dataset = await this.datasets.createInline(
      auth,
      `${model.name} feedback until ${stamp}`.slice(0, 128),
      table.csv,
      `retrain:${run.id}:dataset`,
    );
    run.datasetId = dataset.id;
    run.status = 'TRAINING';
    run.message = `${run.message}; dataset "${dataset.name}" (${table.rows} rows${leftOut})`;
  }

  /** The warm-start job from the live version, through the training service. */
  private async startJob(run: RetrainRun, auth: AuthInfo): Promise<void> {
    if (!run.parentVersionId || !run.datasetId)
      throw new UserError('NOT_FOUND', 'the run lost its dataset or its parent version');
    const model = await this.db.getRepository(Model).findOneOrFail({ where: { id: run.modelId } });
    const parent = await findWarmStartVersion(this.db, auth, model, run.parentVersionId);
    const job = await this.training.start(auth, {
      modelId: model.id,
      datasetId: run.datasetId,
      algorithm: run.settings.algorithm ?? parent.spec.algorithm,
      target: parent.spec.target,
      hyperparameters: run.settings.hyperparameters ?? undefined,
      warmStartVersionId: parent.id,
      idempotencyKey: `retrain:${run.id}:job`,
    });
    run.trainingJobId = job.id;
    run.message = `${run.message}; warm-start job started from version ${parent.version}`;
  }

  private async followTraining(run: RetrainRun, auth: AuthInfo): Promise<void> {
    const job = run.trainingJobId
      ? await this.db.getRepository(TrainingJob).findOne({ where: { id: run.trainingJobId } })
      : null;
    if (!job) throw new UserError('NOT_FOUND', 'the training job was deleted');
    if (job.status === 'FAILED' || job.status === 'CANCELLED')
      throw new UserError(
        'CONFLICT',
        `the training job ${job.status}${job.error ? `: ${job.error}` : ''}`,
      );
    if (job.status !== 'SUCCEEDED' || !job.resultVersionId) return;
    const version = await this.db
      .getRepository(ModelVersion)
      .findOneOrFail({ where: { id: job.resultVersionId } });
    run.versionId = version.id;
    const deployment = run.deploymentId
      ? await this.db.getRepository(Deployment).findOne({ where: { id: run.deploymentId } })
      : null;
    if (!this.promotions || !deployment) {
      run.status = 'TRAINED';
      run.message = `${run.message}; version ${version.version} trained: ${
        deployment ? 'no promotion service to hand it to' : 'its deployment was deleted'
      }, promote it by hand`;
      return;
    }
    const promotion =
      (await this.adopted(run, auth, deployment.name, version.id)) ??
      (await this.promotions.promote(auth, {
        deployment: deployment.name,
        versionId: version.id,
        policy: promotionPolicy(run),
      }));
    run.promotionId = promotion.id;
    run.status = FINAL_PROMOTION_STATUSES.includes(promotion.status) ? 'COMPLETED' : 'PROMOTING';
    run.message = `${run.message}; version ${version.version} trained, promotion ${promotion.status}${
      promotion.reason && run.status === 'COMPLETED' ? `: ${promotion.reason}` : ''
    }`;
  }

  /** The promotion an earlier attempt of this step started (before a crash), if any. */
  private async adopted(
    run: RetrainRun,
    auth: AuthInfo,
    deployment: string,
    versionId: string,
  ): Promise<PromotionState | null> {
    if (!this.promotions) return null;
    const recent = await this.promotions.list(auth, deployment);
    return (
      recent.find(
        (p) =>
          p.candidateVersionId === versionId && p.createdAt.getTime() >= run.createdAt.getTime(),
      ) ?? null
    );
  }

  private async followPromotion(run: RetrainRun, auth: AuthInfo): Promise<void> {
    if (!this.promotions || !run.promotionId) return;
    const state = await this.promotions.find(auth, run.promotionId);
    if (!state) throw new UserError('NOT_FOUND', 'the promotion is gone');
    if (!FINAL_PROMOTION_STATUSES.includes(state.status)) return;
    run.status = 'COMPLETED';
    run.message = `${run.message}; promotion ${state.status}${state.reason ? `: ${state.reason}` : ''}`;
  }
}

/**
 * The promotion policy a run hands over: the policy's own, evaluated on the run's feedback
 * dataset when it names no evaluation dataset (the candidate against the champion on the new data).
 */
export function promotionPolicy(
  run: Pick<RetrainRun, 'settings' | 'datasetId'>,
): PromotionPolicyArgs {
  const policy = (run.settings.promotion ?? {}) as PromotionPolicyArgs;
  return { ...policy, evaluationDatasetId: policy.evaluationDatasetId ?? run.datasetId };
}
