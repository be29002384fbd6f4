import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from './column-types';

/**
 * A tenant. Its quota columns hold the workspace's hard limits; `null` is unlimited. They are
 * filled from the `QUOTA_DEFAULT_*` settings when the workspace is created (the `default`
 * workspace is unlimited) and changed by the root key with `setWorkspaceQuota`.
 */
@Entity({ name: 'workspaces' })
export class Workspace {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'max_models', type: 'integer', nullable: true })
  maxModels!: number | null;

  @Column({ name: 'max_versions_per_model', type: 'integer', nullable: true })
  maxVersionsPerModel!: number | null;

  /** Models and datasets, each distinct artifact counted once per workspace. */
  @Column({
    name: 'max_storage_bytes',
    type: 'bigint',
    nullable: true,
    transformer: bigintAsNumber,
  })
  maxStorageBytes!: number | null;

  @Column({
    name: 'max_dataset_bytes',
    type: 'bigint',
    nullable: true,
    transformer: bigintAsNumber,
  })
  maxDatasetBytes!: number | null;

  @Column({ name: 'max_concurrent_jobs', type: 'integer', nullable: true })
  maxConcurrentJobs!: number | null;

  @Column({ name: 'max_queued_jobs', type: 'integer', nullable: true })
  maxQueuedJobs!: number | null;

  @Column({
    name: 'max_predictions_per_day',
    type: 'bigint',
    nullable: true,
    transformer: bigintAsNumber,
  })
  maxPredictionsPerDay!: number | null;

  @Column({
    name: 'max_tokens_per_day',
    type: 'bigint',
    nullable: true,
    transformer: bigintAsNumber,
  })
  maxTokensPerDay!: number | null;

  /** Per API key of the workspace, across all replicas. */
  @Column({ name: 'requests_per_second', type: 'integer', nullable: true })
  requestsPerSecond!: number | null;
}
