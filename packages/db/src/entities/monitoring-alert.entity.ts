import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Deployment } from './deployment.entity';

/**
 * A monitoring threshold a deployment crossed. An alert stays open (resolved_at null) while the
 * figure stays across its limit; the partial unique index keeps one open alert per deployment,
 * kind and feature, so checkers on several replicas never raise the same one twice.
 */
@Entity({ name: 'monitoring_alerts' })
@Index('uq_monitoring_alerts_open', ['deploymentId', 'kind', 'feature'], {
  unique: true,
  where: '"resolved_at" IS NULL',
})
@Index('idx_monitoring_alerts_deployment_at', ['deploymentId', 'at'])
export class MonitoringAlert {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'deployment_id', type: 'uuid' })
  deploymentId!: string;

  @ManyToOne(() => Deployment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deployment_id' })
  deployment?: Deployment;

  /** The version whose figure crossed the limit (no foreign key: it may since have been deleted). */
  @Column({ name: 'version_id', type: 'uuid', nullable: true })
  versionId!: string | null;

  /** inputDrift, predictionDrift, errorRate, p99LatencyMs, onlineMae, onlineRmse, onlineAccuracy, onlineLogLoss. */
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /** The input feature of an inputDrift alert; '' for the others. */
  @Column({ type: 'varchar', length: 255, default: '' })
  feature!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'double precision' })
  value!: number;

  @Column({ type: 'double precision' })
  threshold!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  /** When a check found the figure back within its limit; null while it is still crossed. */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}
