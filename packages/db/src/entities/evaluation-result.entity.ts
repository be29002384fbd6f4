import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ModelVersion } from './model-version.entity';
import { TrainingJob } from './training-job.entity';

/**
 * One version of an evaluation job (a `training_jobs` row of kind EVALUATION), in the order the
 * job named them: inserted with the job (metrics null), filled in when the job succeeds. Goes
 * with the job, and with the version when that is deleted.
 */
@Entity({ name: 'evaluation_results' })
@Index('idx_evaluation_results_version', ['versionId'])
export class EvaluationResult {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @ManyToOne(() => TrainingJob, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: TrainingJob;

  /** 0 for the first version named (the baseline of the comparison). */
  @PrimaryColumn({ type: 'integer' })
  position!: number;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @ManyToOne(() => ModelVersion, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id' })
  version?: ModelVersion;

  /** Regression or classification metrics on the job's rows; null until the job succeeds. */
  @Column({ type: 'jsonb', nullable: true })
  metrics!: Record<string, unknown> | null;

  /** Confusion matrix or residual summary, rows, and the version's permutation importance. */
  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
