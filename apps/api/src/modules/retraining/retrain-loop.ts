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
import { In, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { UserError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { AuthInfo } from '../auth/auth.service';
import type { DatasetsService } from '../datasets/datasets.service';
import type { TrainingService } from '../training/training.service';
import { findWarmStartVersion } from '../training/warm-start-parent';
import { buildFeedbackTable, countFeedback, type FeedbackWindow } from './feedback-dataset';
import { MIN_RETRAIN_ROWS, liveVersionId } from './retrain-policy.service';
import {
  FINAL_PROMOTION_STATUSES,
  type InputDriftReader,
  type PromotionStarter,
} from './retrain-ports';

/** Feedback younger than this is left to the next run: its transaction may not have committed. */
const FEEDBACK_SETTLE_SECONDS = 1;
/** Policies looked at, and runs advanced, per tick at most. */
const BATCH = 50;
/** How long a replica holds a run it advances before another may take it over. */
const RUN_LEASE_SECONDS = 300;
const ACTIVE_STATUSES = ['BUILDING_DATASET', 'TRAINING', 'PROMOTING'] as const;
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
 * The retraining trigger loop, run by every API replica. A tick (1) looks at the enabled policies
 * under row locks taken with SKIP LOCKED, so two replicas never look at one policy at once, and
 * fires a policy by inserting its run and moving its feedback mark in the same transaction, so a
 * trigger fires once; (2) advances the unfinished runs, each under a lease: builds the feedback
 * dataset, starts the warm-start job, hands the trained version to the promotion and follows it.
 * Each step that creates something passes an idempotency key derived from the run, so a step
 * retried after a crash or a lapsed lease returns what the first attempt made.
 */
export class RetrainLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetrainTick> = Promise.resolve({ fired: 0, advanced: 0 });
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly datasets: DatasetsService,
    private readonly training: TrainingService,
    private readonly options: RetrainLoopOptions,
    private drift: InputDriftReader,
    private promotions: PromotionStarter | null,
  ) {}

  /** Where the promotion service and monitoring's drift plug in once they exist. */
  connect(ports: { drift?: InputDriftReader; promotions?: PromotionStarter }): void {
    if (ports.drift) this.drift = ports.drift;
    if (ports.promotions) this.promotions = ports.promotions;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.everyMs);
    this.timer.unref();
  }

  /** One tick (after the one in progress, if any). */
  tick(): Promise<RetrainTick> {
    this.running = this.running.then(async () => {
      if (this.stopping) return { fired: 0, advanced: 0 };
      try {
        const fired = await this.fire();
        const advanced = await this.advance();
        return { fired, advanced };
      } catch (err) {
        this.logger.warn({ err }, 'retraining tick failed');
        return { fired: 0, advanced: 0 };
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
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
      .exists({ where: { modelId: policy.modelId, status: In([...ACTIVE_STATUSES]) } });
    if (busy) return false;
    const window: FeedbackWindow = {
      workspaceId: policy.workspaceId,
      deploymentId: policy.deploymentId,
      from: policy.feedbackUntil,
      until: cutoff,
    };
    const need = Math.max(MIN_RETRAIN_ROWS, policy.minFeedbackRows ?? MIN_RETRAIN_ROWS);
    const rows = await countFeedback(m, window, need);
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
        claimedUntil: null,
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
      { run: run.id, reason: fired.reason },
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
        policy.feedbackUntil,
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

  /** Advances the unfinished runs no other replica holds; returns how many it looked at. */
  private async advance(): Promise<number> {
    const claimed = await this.db.query<{ id: string }[]>(
      `UPDATE retrain_runs SET claimed_until = clock_timestamp() + make_interval(secs => $1)
        WHERE id IN (SELECT id FROM retrain_runs
                      WHERE status = ANY($2::text[])
                        AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
                      ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [RUN_LEASE_SECONDS, [...ACTIVE_STATUSES], BATCH],
    );
    // An UPDATE ... RETURNING answers [rows, count] through TypeORM's postgres driver.
    const ids = (Array.isArray(claimed[0]) ? (claimed[0] as { id: string }[]) : claimed).map(
      (r) => r.id,
    );
    for (const id of ids) {
      if (this.stopping) break;
      await this.advanceOne(id);
    }
    return ids.length;
  }

  private async advanceOne(id: string): Promise<void> {
    const repo = this.db.getRepository(RetrainRun);
    const run = await repo.findOne({ where: { id } });
    if (!run) return;
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
    run.claimedUntil = null;
    await repo.save(run);
  }

  /** One step of a run, changing `run` in memory; a refusal throws the UserError it is. */
  private async step(run: RetrainRun): Promise<void> {
    const policy = await this.db
      .getRepository(PolicyRow)
      .findOne({ where: { modelId: run.modelId } });
    if (!policy) throw new UserError('NOT_FOUND', 'the retraining policy was deleted');
    const auth = await this.policyActor(policy);
    if (run.status === 'BUILDING_DATASET') await this.buildAndTrain(run, policy, auth);
    else if (run.status === 'TRAINING') await this.followTraining(run, policy, auth);
    else if (run.status === 'PROMOTING') await this.followPromotion(run, auth);
  }

  /**
   * The key that set the policy, as runs act: its role and revocation are read now, so a revoked
   * key's policy stops (and is switched off) instead of acting for it.
   */
  private async policyActor(policy: PolicyRow): Promise<AuthInfo> {
    const key = policy.setByKeyId
      ? await this.db.getRepository(ApiKey).findOne({ where: { id: policy.setByKeyId } })
      : null;
    const refusal = !key || key.revokedAt
      ? 'the key that set the retraining policy was revoked: set the policy again with a live key'
      : ROLE_RANK[key.role] < ROLE_RANK.EDITOR
        ? 'the key that set the retraining policy no longer has the EDITOR role: set the policy again'
        : null;
    if (refusal || !key) {
      await this.db.getRepository(PolicyRow).update({ modelId: policy.modelId }, { enabled: false });
      throw new UserError('FORBIDDEN', refusal ?? 'no key');
    }
    return {
      apiKeyId: key.id,
      keyName: key.name,
      workspaceId: policy.workspaceId,
      role: key.role,
      isRoot: key.isRoot,
      limits: { requestsPerSecond: null, maxPredictionsPerDay: null, maxTokensPerDay: null },
      sourceAddress: null,
    };
  }

  private async buildAndTrain(run: RetrainRun, policy: PolicyRow, auth: AuthInfo): Promise<void> {
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
      `${model.name} feedback until ${stamp}`,
      table.csv,
      `retrain:${run.id}:dataset`,
    );
    const job = await this.training.start(auth, {
      modelId: model.id,
      datasetId: dataset.id,
      algorithm: policy.algorithm ?? parent.spec.algorithm,
      target: parent.spec.target,
      hyperparameters: policy.hyperparameters ?? undefined,
      warmStartVersionId: parent.id,
      idempotencyKey: `retrain:${run.id}:job`,
    });
    run.datasetId = dataset.id;
    run.trainingJobId = job.id;
    run.status = 'TRAINING';
    run.message = `${run.message}; dataset "${dataset.name}" (${table.rows} rows${leftOut}), warm-start job started`;
  }

  private async followTraining(run: RetrainRun, policy: PolicyRow, auth: AuthInfo): Promise<void> {
    const job = run.trainingJobId
      ? await this.db.getRepository(TrainingJob).findOne({ where: { id: run.trainingJobId } })
      : null;
    if (!job) throw new UserError('NOT_FOUND', 'the training job was deleted');
    if (job.status === 'FAILED' || job.status === 'CANCELLED')
      throw new UserError('CONFLICT', `the training job ${job.status}${job.error ? `: ${job.error}` : ''}`);
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
    const promotion = await this.promotions.startPromotion(
      auth,
      deployment.name,
      version.id,
      policy.promotion,
    );
    run.promotionId = promotion.id;
    run.status = FINAL_PROMOTION_STATUSES.includes(promotion.status) ? 'COMPLETED' : 'PROMOTING';
    run.message = `${run.message}; version ${version.version} trained, promotion ${promotion.status}`;
  }

  private async followPromotion(run: RetrainRun, auth: AuthInfo): Promise<void> {
    if (!this.promotions || !run.promotionId) return;
    const state = await this.promotions.promotionState(auth, run.promotionId);
    if (!state) throw new UserError('NOT_FOUND', 'the promotion is gone');
    if (!FINAL_PROMOTION_STATUSES.includes(state.status)) return;
    run.status = 'COMPLETED';
    run.message = `${run.message}; promotion ${state.status}${state.reason ? `: ${state.reason}` : ''}`;
  }
}
