import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { bigintAsNumber, type DatasetColumnRecord } from './column-types';
import { Workspace } from './workspace.entity';

/** An uploaded CSV: the original file and its typed columns, both in the artifact store. */
@Entity({ name: 'datasets' })
@Index('idx_datasets_workspace_created', ['workspaceId', 'createdAt', 'id'])
export class Dataset {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;

  @Column({ type: 'jsonb' })
  columns!: DatasetColumnRecord[];

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes!: number;

  /** sha256 of the original CSV file. */
  @Column({ name: 'source_sha256', type: 'char', length: 64 })
  sourceSha256!: string;

  /** sha256 of the encoded typed columns the trainer loads. */
  @Column({ name: 'columns_sha256', type: 'char', length: 64 })
  columnsSha256!: string;

  /** The first rows as {column: value}, for `preview` without reading the artifact. */
  @Column({ name: 'preview_rows', type: 'jsonb', default: [] })
  previewRows!: Record<string, unknown>[];

  // Millisecond precision, so a JavaScript Date in a page cursor compares exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  /** Soft delete, so old jobs keep their lineage. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
