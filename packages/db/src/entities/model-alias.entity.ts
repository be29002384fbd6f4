import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';

/** A movable name ("production", "staging") for one version of a model. */
@Entity({ name: 'model_aliases' })
export class ModelAlias {
  @PrimaryColumn({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @PrimaryColumn({ type: 'varchar', length: 63 })
  alias!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Index('idx_model_aliases_version')
  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  // NO ACTION (checked at statement end): a version an alias names cannot be deleted alone,
  // while deleting the whole model cascades to both.
  @ManyToOne(() => ModelVersion, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'version_id' })
  version?: ModelVersion;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
