import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TrainingJob } from './training-job.entity';

/** One finished epoch of a training job (unique on job and epoch, so a resumed job cannot double-write). */
@Entity({ name: 'training_epochs' })
export class TrainingEpoch {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @PrimaryColumn({ type: 'integer' })
  epoch!: number;

  @ManyToOne(() => TrainingJob, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: TrainingJob;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'double precision' })
  loss!: number;

  @Column({ name: 'validation_loss', type: 'double precision', nullable: true })
  validationLoss!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  metrics!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
