import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { MODEL_TASKS, type ModelTask } from './column-types';
import { Workspace } from './workspace.entity';

@Entity({ name: 'models' })
@Index('uq_models_workspace_name', ['workspaceId', 'name'], { unique: true })
@Index('idx_models_workspace_created', ['workspaceId', 'createdAt', 'id'])
export class Model {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;

  @Column({ type: 'varchar', length: 63 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'enum', enum: MODEL_TASKS, enumName: 'model_task', default: 'OTHER' })
  task!: ModelTask;

  @Column({ type: 'jsonb', default: {} })
  tags!: Record<string, unknown>;

  /** The last version number handed out; never decremented, so numbers are never reused. */
  @Column({ name: 'version_counter', type: 'integer', default: 0 })
  versionCounter!: number;

  // Millisecond precision, so a JavaScript Date in a page cursor compares exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
