import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Artifact } from './artifact.entity';
import { bigintAsNumber } from './column-types';
import { ModelVersion } from './model-version.entity';

/**
 * One file of a bundle version (a language model's config, tokenizer, graph, external data):
 * its path in the bundle and the content-addressed artifact holding its bytes. Single-file
 * versions have none.
 */
@Entity({ name: 'model_version_files' })
@Index('idx_model_version_files_sha256', ['sha256'])
export class ModelVersionFile {
  @PrimaryColumn({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @ManyToOne(() => ModelVersion, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id' })
  version?: ModelVersion;

  /** Relative to the bundle's root, `/`-separated. */
  @PrimaryColumn({ type: 'varchar', length: 512 })
  path!: string;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @ManyToOne(() => Artifact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sha256' })
  artifact?: Artifact;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes!: number;
}
