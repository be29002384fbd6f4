import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Serving statistics that one API replica saw for one deployment and version during one
 * short interval. Summed over replicas and intervals, they give the fleet's view.
 */
@Entity({ name: 'deployment_stats' })
@Index('idx_deployment_stats_deployment_bucket', ['deploymentId', 'bucketStart'])
// The retention sweeper deletes by age alone.
@Index('idx_deployment_stats_bucket', ['bucketStart'])
export class DeploymentStatsSample {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'deployment_id', type: 'uuid' })
  deploymentId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @Column({ name: 'replica_id', type: 'varchar', length: 128 })
  replicaId!: string;

  @Column({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @Column({ name: 'bucket_seconds', type: 'integer' })
  bucketSeconds!: number;

  @Column({ type: 'integer' })
  requests!: number;

  @Column({ type: 'integer' })
  errors!: number;

  @Column({ name: 'latency_sum_ms', type: 'double precision' })
  latencySumMs!: number;

  /** Latency histogram: counts per upper bound in ms, e.g. {"1": 10, "2.5": 3, "+Inf": 0}. */
  @Column({ name: 'latency_histogram', type: 'jsonb' })
  latencyHistogram!: Record<string, number>;

  /** Language models: tokens of the prompts, and tokens generated. */
  @Column({ name: 'prompt_tokens', type: 'integer', default: 0 })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'integer', default: 0 })
  completionTokens!: number;

  /**
   * Language models: time to first token histogram, as `latencyHistogram` (one count per
   * generation that produced a token); null when none did.
   */
  @Column({ name: 'ttft_histogram', type: 'jsonb', nullable: true })
  ttftHistogram!: Record<string, number> | null;
}
