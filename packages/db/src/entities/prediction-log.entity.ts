import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A sampled prediction, for debugging and drift analysis. */
@Entity({ name: 'prediction_log' })
@Index('idx_prediction_log_workspace_created', ['workspaceId', 'createdAt'])
@Index('idx_prediction_log_version_created', ['versionId', 'createdAt'])
// Monitoring reads a deployment's most recent logged predictions.
@Index('idx_prediction_log_deployment_created', ['deploymentId', 'createdAt'])
// The retention sweeper deletes by age alone.
@Index('idx_prediction_log_created', ['createdAt'])
export class PredictionLogEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @Column({ name: 'deployment_id', type: 'uuid', nullable: true })
  deploymentId!: string | null;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  /** 'ok' or an error code. */
  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ name: 'latency_ms', type: 'double precision' })
  latencyMs!: number;

  @Column({ type: 'jsonb', nullable: true })
  inputs!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  outputs!: unknown;

  /** Records (batch rows) the prediction had: feedback names one of them; null before feedback. */
  @Column({ name: 'record_count', type: 'integer', nullable: true })
  recordCount!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
