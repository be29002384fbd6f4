import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Artifact } from './artifact.entity';
import {
  bigintAsNumber,
  VERSION_SOURCES,
  type FeatureImportanceRecord,
  type LanguageModelRecord,
  type SignatureRecord,
  type VersionSource,
} from './column-types';
import { Model } from './model.entity';
import { Workspace } from './workspace.entity';

@Entity({ name: 'model_versions' })
@Index('uq_model_versions_model_version', ['modelId', 'version'], { unique: true })
export class ModelVersion {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'enum', enum: VERSION_SOURCES, enumName: 'version_source' })
  source!: VersionSource;

  @Column({ type: 'jsonb' })
  signature!: SignatureRecord;

  @Column({ type: 'jsonb', nullable: true })
  metrics!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  hyperparameters!: Record<string, unknown> | null;

  /**
   * Permutation importance of a tabular version's features, most important first: on the
   * validation split when training ended, or (a version without one) on the rows of the latest
   * evaluation job that scored it. Null until then.
   */
  @Column({ name: 'feature_importance', type: 'jsonb', nullable: true })
  featureImportance!: FeatureImportanceRecord[] | null;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @ManyToOne(() => Artifact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sha256' })
  artifact?: Artifact;

  /** The model file's size; for a bundle, the total of its files. */
  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes!: number;

  /**
   * A bundle's ONNX graph, one of its files (`model_version_files`), whose artifact is `sha256`;
   * null for a single-file version.
   */
  @Column({ name: 'graph_path', type: 'varchar', length: 512, nullable: true })
  graphPath!: string | null;

  /** A language-model bundle's config, as read at upload; null otherwise. */
  @Column({ name: 'language_model', type: 'jsonb', nullable: true })
  languageModel!: LanguageModelRecord | null;

  @Index('idx_model_versions_training_job')
  @Column({ name: 'training_job_id', type: 'uuid', nullable: true })
  trainingJobId!: string | null;

  @Column({ name: 'parent_version_id', type: 'uuid', nullable: true })
  parentVersionId!: string | null;

  @ManyToOne(() => ModelVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_version_id' })
  parentVersion?: ModelVersion | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
