import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what: every mutation of a tenant's state leaves one row. */
@Entity({ name: 'audit_events' })
@Index('idx_audit_events_workspace_created', ['workspaceId', 'createdAt'])
// The retention sweeper deletes by age alone.
@Index('idx_audit_events_created', ['createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  /** e.g. 'model.create', 'version.upload', 'alias.set', 'apiKey.revoke'. */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
