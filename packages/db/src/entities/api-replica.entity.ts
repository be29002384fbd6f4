import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A running API process. Each replica upserts its row every RATE_LIMIT_REPLICA_HEARTBEAT_MS and
 * deletes it on a graceful shutdown; the replicas whose heartbeat is fresh are the live ones, and
 * each enforces its share (rate / live replicas) of a key's request rate. Rows whose heartbeat is
 * stale (a replica that died) are deleted by whichever replica beats next.
 */
@Entity({ name: 'api_replicas' })
@Index('idx_api_replicas_heartbeat', ['heartbeatAt'])
export class ApiReplica {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Written with the database's clock, so replicas with skewed clocks still agree. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz' })
  heartbeatAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;
}
