import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** How an audited attempt ended: done, refused by role, refused by a quota, or a failed sign-in. */
export const AUDIT_OUTCOMES = ['ok', 'forbidden', 'quota_exceeded', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Who did (or tried) what: every mutation of a tenant's state leaves one row, and so does every
 * refused attempt. Append-only: a trigger refuses UPDATE, and DELETE outside the retention sweep.
 */
@Entity({ name: 'audit_events' })
@Index('idx_audit_events_workspace_created', ['workspaceId', 'createdAt'])
// The retention sweeper deletes by age alone.
@Index('idx_audit_events_created', ['createdAt'])
// The `auditEvents` filters: by actor, by target, by action (each newest first).
@Index('idx_audit_events_key_created', ['apiKeyId', 'createdAt'])
@Index('idx_audit_events_target_created', ['targetId', 'createdAt'])
@Index('idx_audit_events_action_created', ['action', 'createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  /** The key that acted; null for the platform itself (e.g. a training worker, a rotation). */
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  /** The client address the API saw (HTTP or WebSocket); null for the platform. */
  @Column({ name: 'source_address', type: 'varchar', length: 64, nullable: true })
  sourceAddress!: string | null;

  /** e.g. 'model.create', 'version.upload', 'alias.set', 'apiKey.revoke'. */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  /** One of {@link AUDIT_OUTCOMES}. */
  @Column({ type: 'varchar', length: 16, default: 'ok' })
  outcome!: AuditOutcome;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  /** Milliseconds, like every other timestamp: a page cursor round-trips through a JS Date. */
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}
