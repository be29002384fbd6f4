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
import type { DataProfileRecord, MonitoringThresholdsRecord } from './column-types';
import { Dataset } from './dataset.entity';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';
import { Workspace } from './workspace.entity';

/** A named endpoint that routes a model's traffic to one or more of its versions by weight. */
@Entity({ name: 'deployments' })
@Index('uq_deployments_workspace_name', ['workspaceId', 'name'], { unique: true })
export class Deployment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Column({ type: 'varchar', length: 63 })
  name!: string;

  @Index('idx_deployments_model')
  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  // NO ACTION: a model a deployment routes to cannot be deleted.
  @ManyToOne(() => Model, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  /** Share (0..1) of successful predictions logged (and so open to feedback); null: the global rate. */
  @Column({ name: 'log_sample_rate', type: 'double precision', nullable: true })
  logSampleRate!: number | null;

  /**
   * The dataset drift is measured against for versions without a training profile (uploaded
   * ones), named with `setDeploymentReference`; its profile is computed once and kept here.
   */
  @Index('idx_deployments_reference_dataset')
  @Column({ name: 'reference_dataset_id', type: 'uuid', nullable: true })
  referenceDatasetId!: string | null;

  @ManyToOne(() => Dataset, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'reference_dataset_id' })
  referenceDataset?: Dataset | null;

  @Column({ name: 'reference_profile', type: 'jsonb', nullable: true })
  referenceProfile!: DataProfileRecord | null;

  /** Limits the monitoring checker compares the last window with; null: not checked. */
  @Column({ name: 'monitoring_thresholds', type: 'jsonb', nullable: true })
  monitoringThresholds!: MonitoringThresholdsRecord | null;

  /** When a checker last claimed this deployment (replicas skip one claimed within an interval). */
  @Column({ name: 'monitoring_checked_at', type: 'timestamptz', nullable: true })
  monitoringCheckedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'deployment_routes' })
export class DeploymentRoute {
  @PrimaryColumn({ name: 'deployment_id', type: 'uuid' })
  deploymentId!: string;

  @PrimaryColumn({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @ManyToOne(() => Deployment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deployment_id' })
  deployment?: Deployment;

  @Index('idx_deployment_routes_version')
  @ManyToOne(() => ModelVersion, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'version_id' })
  version?: ModelVersion;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  /** Percent of traffic; a deployment's weights add up to 100. */
  @Column({ type: 'integer' })
  weight!: number;
}
