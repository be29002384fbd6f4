import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Deployment } from './deployment.entity';
import { ModelVersion } from './model-version.entity';

export const PROMOTION_STATUSES = [
  'EVALUATING',
  'ROLLING_OUT',
  'WAITING_FOR_APPROVAL',
  'COMPLETED',
  'ROLLED_BACK',
  'REFUSED',
  'CANCELLED',
] as const;
export type PromotionStatusName = (typeof PROMOTION_STATUSES)[number];
/** The statuses of a promotion still in progress: at most one per deployment. */
export const ACTIVE_PROMOTION_STATUSES: readonly PromotionStatusName[] = [
  'EVALUATING',
  'ROLLING_OUT',
  'WAITING_FOR_APPROVAL',
];

/** One rollout step as stored in promotions.steps: its hold, then what was measured. */
export interface PromotionStepRecord {
  weight: number;
  minRequests: number;
  minSeconds: number;
  startedAt: string | null;
  endedAt: string | null;
  requests: number;
  errors: number;
  errorRate: number | null;
  p99LatencyMs: number | null;
  onlineMetrics: Record<string, number> | null;
  /** null while pending or running; "passed", "rolled back", "cancelled". */
  outcome: string | null;
}

/** What promotions.policy holds: the checked policy with its defaults filled in. */
export interface PromotionPolicyRecord {
  evaluationDatasetId: string | null;
  evaluationTarget: string | null;
  metric: string | null;
  maxRegression: number | null;
  maxErrorRate: number | null;
  maxP99LatencyMs: number | null;
  /** Online-metric limits (absent in rows written before they existed: no limit). */
  maxOnlineMae?: number | null;
  maxOnlineRmse?: number | null;
  minOnlineAccuracy?: number | null;
  maxOnlineLogLoss?: number | null;
  requireApproval: boolean;
}

/**
 * A guarded promotion of a candidate version on a deployment: evaluation gate, approval, rollout
 * steps that move the deployment's route weights, and the figures each step measured. The state
 * lives here only, so any API replica continues it (the periodic tick locks the row).
 */
@Entity({ name: 'promotions' })
// One promotion in progress per deployment, enforced by the database.
@Index('uq_promotions_active_deployment', ['deploymentId'], {
  unique: true,
  where: `status IN ('EVALUATING', 'ROLLING_OUT', 'WAITING_FOR_APPROVAL')`,
})
@Index('idx_promotions_deployment_created', ['deploymentId', 'createdAt'])
@Index('idx_promotions_status', ['status'])
export class Promotion {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'deployment_id', type: 'uuid' })
  deploymentId!: string;

  @ManyToOne(() => Deployment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deployment_id' })
  deployment?: Deployment;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Index('idx_promotions_candidate')
  @Column({ name: 'candidate_version_id', type: 'uuid' })
  candidateVersionId!: string;

  // A promotion's history goes with its candidate version.
  @ManyToOne(() => ModelVersion, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'candidate_version_id' })
  candidate?: ModelVersion;

  @Index('idx_promotions_champion')
  @Column({ name: 'champion_version_id', type: 'uuid', nullable: true })
  championVersionId!: string | null;

  @ManyToOne(() => ModelVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'champion_version_id' })
  champion?: ModelVersion;

  @Column({ type: 'varchar', length: 32 })
  status!: PromotionStatusName;

  @Column({ type: 'jsonb' })
  policy!: PromotionPolicyRecord;

  @Column({ type: 'jsonb' })
  steps!: PromotionStepRecord[];

  /** The step in progress (index into steps); -1 before the rollout. */
  @Column({ name: 'current_step', type: 'integer', default: -1 })
  currentStep!: number;

  /** ADMIN `force`: no evaluation gate, no rollback limits. */
  @Column({ type: 'boolean', default: false })
  forced!: boolean;

  @Column({ name: 'evaluation_job_id', type: 'uuid', nullable: true })
  evaluationJobId!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** The key that started it: the actor of the platform's audit rows and alias move. */
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  /** Bumped on every change, so subscriptions drop stale events. */
  @Column({ type: 'integer', default: 1 })
  seq!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
