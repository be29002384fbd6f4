import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PredictionLogEntry } from './prediction-log.entity';

/**
 * Ground truth for one record of a logged prediction: a number for regression, a label for
 * classification. At most one per (prediction, record); a later different value replaces it
 * (`updatedAt` says when). Goes with its prediction when the log row is removed by retention.
 */
@Entity({ name: 'prediction_feedback' })
@Index('uq_prediction_feedback_prediction_record', ['predictionId', 'record'], { unique: true })
// Monitoring and retraining read a workspace's feedback by time.
@Index('idx_prediction_feedback_workspace_created', ['workspaceId', 'createdAt'])
export class PredictionFeedback {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'prediction_id', type: 'uuid' })
  predictionId!: string;

  @ManyToOne(() => PredictionLogEntry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'prediction_id' })
  prediction?: PredictionLogEntry;

  /** The record's index in the prediction's batch (0 for a single-record prediction). */
  @Column({ type: 'integer' })
  record!: number;

  @Column({ type: 'jsonb' })
  actual!: unknown;

  /** The key that sent it last. */
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
