import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';

/** One move of a model alias (setModelAlias, or a completed promotion): who moved it where, when. */
@Entity({ name: 'alias_moves' })
@Index('idx_alias_moves_model_alias_at', ['modelId', 'alias', 'at'])
export class AliasMove {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Column({ type: 'varchar', length: 63 })
  alias!: string;

  @Index('idx_alias_moves_version')
  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  // The moves to a deleted version go with it.
  @ManyToOne(() => ModelVersion, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id' })
  version?: ModelVersion;

  @Index('idx_alias_moves_previous_version')
  @Column({ name: 'previous_version_id', type: 'uuid', nullable: true })
  previousVersionId!: string | null;

  @ManyToOne(() => ModelVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'previous_version_id' })
  previousVersion?: ModelVersion;

  /** The key that moved it (a promotion: the key that started it); null: the platform. */
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  /** Set when a completed promotion moved it. */
  @Column({ name: 'promotion_id', type: 'uuid', nullable: true })
  promotionId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
