import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A client's `Idempotency-Key` (or `idempotencyKey` argument) and what its first request created:
 * a retry with the same key and the same request returns `resultId` instead of creating again.
 * Written in the creating transaction; removed by the retention sweep after a day.
 */
@Entity({ name: 'idempotency_keys' })
// The retention sweeper deletes by age alone.
@Index('idx_idempotency_keys_created', ['createdAt'])
export class IdempotencyKey {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  /** What the key was used for: 'version.upload', 'dataset.create', 'trainingJob.start', ... */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  scope!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** sha256 of the request (its arguments or body): the same key with another request is refused. */
  @Column({ name: 'request_sha256', type: 'char', length: 64 })
  requestSha256!: string;

  /** The id of the version, dataset or job the first request created (set before commit). */
  @Column({ name: 'result_id', type: 'uuid', nullable: true })
  resultId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
