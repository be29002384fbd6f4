import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './column-types';

/**
 * Content-addressed bytes (an ONNX file, a dataset's CSV or columns). Shared by every row that
 * holds the same sha256 and removed from the store when `refCount` drops to zero.
 */
@Entity({ name: 'artifacts' })
export class Artifact {
  @PrimaryColumn({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes!: number;

  /** 'pg' (a PostgreSQL large object) or 's3'. */
  @Column({ type: 'varchar', length: 16 })
  storage!: string;

  @Column({ name: 'lo_oid', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  loOid!: number | null;

  @Column({ name: 'ref_count', type: 'integer', default: 0 })
  refCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
