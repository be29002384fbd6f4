import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import {
  ALGORITHMS,
  JOB_KINDS,
  JOB_STATUSES,
  bigintAsNumber,
  type AlgorithmName,
  type JobKind,
  type JobStatus,
} from './column-types';
import { Dataset } from './dataset.entity';
import { Model } from './model.entity';
import { ApiKey } from './api-key.entity';
import { ModelVersion } from './model-version.entity';
import { Workspace } from './workspace.entity';

/**
 * A job on the training queue: a training job (`kind` TRAINING), or an evaluation job (EVALUATION:
 * `algorithm` null, `features` the versions' shared features, results in `evaluation_results`).
 * The worker that runs it holds a lease (`leaseExpiresAt`) that it renews; every
 * write it makes is fenced by `attempt`, so a stale worker cannot overwrite a newer one.
 */
@Entity({ name: 'training_jobs' })
@Index('idx_training_jobs_workspace_created', ['workspaceId', 'createdAt', 'id'])
@Index('idx_training_jobs_status_lease', ['status', 'leaseExpiresAt'])
// The fair claim: a workspace's waiting jobs oldest first, and when it was last served.
@Index('idx_training_jobs_queued', ['workspaceId', 'createdAt', 'id'], {
  where: `status = 'QUEUED'`,
})
@Index('idx_training_jobs_workspace_attempt_start', ['workspaceId', 'attemptStartedAt'])
export class TrainingJob {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId!: string;

  @ManyToOne(() => Dataset, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'dataset_id' })
  dataset?: Dataset;

  @Column({ type: 'enum', enum: JOB_KINDS, enumName: 'job_kind', default: 'TRAINING' })
  kind!: JobKind;

  /** Null for an evaluation job. */
  @Column({ type: 'enum', enum: ALGORITHMS, enumName: 'training_algorithm', nullable: true })
  algorithm!: AlgorithmName | null;

  @Column({ type: 'varchar', length: 256 })
  target!: string;

  @Column({ type: 'jsonb' })
  features!: string[];

  /** Resolved values, defaults filled in. */
  @Column({ type: 'jsonb' })
  hyperparameters!: Record<string, unknown>;

  @Column({ type: 'enum', enum: JOB_STATUSES, enumName: 'job_status', default: 'QUEUED' })
  status!: JobStatus;

  /** Epochs finished so far. */
  @Column({ type: 'integer', default: 0 })
  epoch!: number;

  @Column({ type: 'integer' })
  epochs!: number;

  @Column({ name: 'warm_start_version_id', type: 'uuid', nullable: true })
  warmStartVersionId!: string | null;

  @ManyToOne(() => ModelVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'warm_start_version_id' })
  warmStartVersion?: ModelVersion | null;

  @Column({ name: 'result_version_id', type: 'uuid', nullable: true, unique: true })
  resultVersionId!: string | null;

  @ManyToOne(() => ModelVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'result_version_id' })
  resultVersion?: ModelVersion | null;

  /** How many times a worker has started this job (1 on the first run). */
  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  /**
   * Attempts that ended without a word from their worker (it crashed, was killed, ran out of
   * memory or hung past its lease). At `MAAS_MAX_ATTEMPTS` the job is FAILED instead of re-queued,
   * so a poison job cannot loop forever. Graceful hand-backs do not count.
   */
  @Column({ name: 'lapsed_attempts', type: 'integer', default: 0 })
  lapsedAttempts!: number;

  @Column({ name: 'lease_owner', type: 'varchar', length: 128, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** Trainer state (weights, optimizer, random generator) every few epochs, for resumption. */
  @Column({ type: 'bytea', nullable: true, select: false })
  checkpoint!: Buffer | null;

  @Column({ name: 'checkpoint_epoch', type: 'integer', nullable: true })
  checkpointEpoch!: number | null;

  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt!: Date | null;

  /** Incremented on every change, so subscribers can drop stale or repeated events. */
  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  seq!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  // Millisecond precision, so a JavaScript Date in a page cursor compares exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  /** The key that started the job (its training seconds are metered against it); null if deleted. */
  @Column({ name: 'started_by_key_id', type: 'uuid', nullable: true })
  startedByKeyId!: string | null;

  @ManyToOne(() => ApiKey, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'started_by_key_id' })
  startedByKey?: ApiKey | null;

  /**
   * When the current (or last) attempt took its lease: the fair queue serves first the workspace
   * whose newest attempt start is oldest, and an attempt's training seconds are counted from here.
   */
  @Column({ name: 'attempt_started_at', type: 'timestamptz', nullable: true })
  attemptStartedAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
