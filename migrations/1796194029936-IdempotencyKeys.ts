import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * idempotency_keys: an `Idempotency-Key` (uploads) or `idempotencyKey` argument (createDataset,
 * startTrainingJob) with the hash of its first request and what that request created, so a retry
 * within 24 h returns the first result. Generated from the entities.
 */
export class IdempotencyKeys1796194029936 implements MigrationInterface {
  name = 'IdempotencyKeys1796194029936';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("workspace_id" uuid NOT NULL, "scope" character varying(32) NOT NULL, "key" character varying(255) NOT NULL, "request_sha256" character(64) NOT NULL, "result_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_56e97700fc3c733ad66a776dc50" PRIMARY KEY ("workspace_id", "scope", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_idempotency_keys_created" ON "idempotency_keys"  ("created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_idempotency_keys_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
