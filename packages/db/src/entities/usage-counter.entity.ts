import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './column-types';

export const USAGE_GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type UsageGranularityName = (typeof USAGE_GRANULARITIES)[number];

/**
 * The id stored in a dimension column (`api_key_id`, `model_id`, `deployment_id`) that a counter
 * does not have (a training second has no deployment, say): the columns are part of the primary
 * key, so they cannot be NULL, and one sentinel keeps `ON CONFLICT` upserts simple.
 */
export const NO_USAGE_DIMENSION = '00000000-0000-0000-0000-000000000000';

/**
 * Metered usage of one workspace, per key, model and deployment, summed over one minute, hour or
 * (UTC) day bucket. Replicas add their in-memory counts to all three granularities with one
 * upsert per flush; there is never a row per request.
 */
@Entity({ name: 'usage_counters' })
// Retention and the "today" totals read by granularity, bucket and workspace.
@Index('idx_usage_counters_workspace', ['workspaceId', 'granularity', 'bucketStart'])
export class UsageCounter {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  granularity!: UsageGranularityName;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @PrimaryColumn({ name: 'api_key_id', type: 'uuid' })
  apiKeyId!: string;

  @PrimaryColumn({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @PrimaryColumn({ name: 'deployment_id', type: 'uuid' })
  deploymentId!: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  requests!: number;

  @Column({ name: 'prediction_rows', type: 'bigint', default: 0, transformer: bigintAsNumber })
  predictionRows!: number;

  @Column({ name: 'prompt_tokens', type: 'bigint', default: 0, transformer: bigintAsNumber })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'bigint', default: 0, transformer: bigintAsNumber })
  completionTokens!: number;

  @Column({ name: 'training_seconds', type: 'double precision', default: 0 })
  trainingSeconds!: number;

  /** Feedback rows recorded (new or changed ground truth). */
  @Column({ name: 'feedback_rows', type: 'bigint', default: 0, transformer: bigintAsNumber })
  feedbackRows!: number;
}
