import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ALGORITHMS, type AlgorithmName } from './column-types';
import { Deployment } from './deployment.entity';
import { Model } from './model.entity';

/**
 * A model's retraining policy (at most one per model): when a trigger fires, the API builds a
 * dataset from the feedback on `deployment`'s predictions, warm-starts a training job from the
 * deployment's live version and hands the result to a guarded promotion there.
 */
@Entity({ name: 'retrain_policies' })
// The trigger loop visits the enabled policies least recently checked first.
@Index('idx_retrain_policies_checked', ['checkedAt'], { where: 'enabled' })
export class RetrainPolicy {
  @PrimaryColumn({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Index('idx_retrain_policies_workspace')
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Index('idx_retrain_policies_deployment')
  @Column({ name: 'deployment_id', type: 'uuid' })
  deploymentId!: string;

  // A policy goes with the deployment it promotes to.
  @ManyToOne(() => Deployment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deployment_id' })
  deployment?: Deployment;

  /** Fire when at least this many feedback rows arrived since the last run. */
  @Column({ name: 'min_feedback_rows', type: 'integer', nullable: true })
  minFeedbackRows!: number | null;

  /** Fire when an input feature's drift (PSI) is above this. */
  @Column({ name: 'max_input_drift', type: 'double precision', nullable: true })
  maxInputDrift!: number | null;

  /** Fire every this many seconds. */
  @Column({ name: 'every_seconds', type: 'integer', nullable: true })
  everySeconds!: number | null;

  /** null: the live version's algorithm. */
  @Column({
    type: 'enum',
    enum: ALGORITHMS,
    enumName: 'training_algorithm',
    nullable: true,
  })
  algorithm!: AlgorithmName | null;

  @Column({ type: 'jsonb', nullable: true })
  hyperparameters!: Record<string, unknown> | null;

  /** The promotion policy the result is promoted with (as given; the promotion checks it). */
  @Column({ type: 'jsonb', nullable: true })
  promotion!: Record<string, unknown> | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** The key that set the policy: runs act as it (and stop if it is revoked). */
  @Column({ name: 'set_by_key_id', type: 'uuid', nullable: true })
  setByKeyId!: string | null;

  /** Feedback recorded before this was used by an earlier run; null: none used yet. */
  @Column({ name: 'feedback_until', type: 'timestamptz', nullable: true })
  feedbackUntil!: Date | null;

  @Column({ name: 'last_triggered_at', type: 'timestamptz', nullable: true })
  lastTriggeredAt!: Date | null;

  /** When the trigger loop last looked at the policy. */
  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** What made a run start. */
export const RETRAIN_REASONS = ['feedback', 'drift', 'schedule'] as const;
export type RetrainReason = (typeof RETRAIN_REASONS)[number];

/**
 * Where a run is: building its dataset, training (starting the job, then following it),
 * promoting, or finished: `COMPLETED` when its promotion reached an end (whatever it was: the
 * message says), `TRAINED` when there was no promotion to hand the version to, `FAILED`.
 */
export const RETRAIN_RUN_STATUSES = [
  'BUILDING_DATASET',
  'TRAINING',
  'PROMOTING',
  'TRAINED',
  'COMPLETED',
  'FAILED',
] as const;
export type RetrainRunStatus = (typeof RETRAIN_RUN_STATUSES)[number];

/** What a run trains and promotes with: the policy's settings when it fired. */
export interface RetrainRunSettings {
  algorithm: AlgorithmName | null;
  hyperparameters: Record<string, unknown> | null;
  /** The promotion policy as set (PromotionPolicyInput's fields), or null for the defaults. */
  promotion: Record<string, unknown> | null;
}

/** One firing of a retraining policy, and how far it got. */
@Entity({ name: 'retrain_runs' })
@Index('idx_retrain_runs_model_created', ['modelId', 'createdAt'])
// The loop advances the runs that are not finished.
@Index('idx_retrain_runs_active', ['status', 'updatedAt'], {
  where: `status IN ('BUILDING_DATASET', 'TRAINING', 'PROMOTING')`,
})
export class RetrainRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Index('idx_retrain_runs_deployment')
  @Column({ name: 'deployment_id', type: 'uuid', nullable: true })
  deploymentId!: string | null;

  @ManyToOne(() => Deployment, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'deployment_id' })
  deployment?: Deployment | null;

  @Column({ type: 'varchar', length: 16 })
  reason!: RetrainReason;

  @Column({ type: 'varchar', length: 32 })
  status!: RetrainRunStatus;

  /** Why it fired, and what happened after (for the timeline). */
  @Column({ type: 'text' })
  message!: string;

  /** The live version it warm-starts from. */
  @Column({ name: 'parent_version_id', type: 'uuid', nullable: true })
  parentVersionId!: string | null;

  /** The feedback it uses: recorded after `feedbackFrom` (null: any time) and before `feedbackUntil`. */
  @Column({ name: 'feedback_from', type: 'timestamptz', nullable: true })
  feedbackFrom!: Date | null;

  @Column({ name: 'feedback_until', type: 'timestamptz' })
  feedbackUntil!: Date;

  @Column({ name: 'feedback_rows', type: 'integer' })
  feedbackRows!: number;

  @Column({ name: 'dataset_id', type: 'uuid', nullable: true })
  datasetId!: string | null;

  @Column({ name: 'training_job_id', type: 'uuid', nullable: true })
  trainingJobId!: string | null;

  @Column({ name: 'version_id', type: 'uuid', nullable: true })
  versionId!: string | null;

  @Column({ name: 'promotion_id', type: 'uuid', nullable: true })
  promotionId!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The key that set the policy when the run fired: the run acts as it. */
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  /** The policy's training and promotion settings when the run fired (a later change or delete leaves the run as it was). */
  @Column({ type: 'jsonb' })
  settings!: RetrainRunSettings;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
