import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fair training queue: `attempt_started_at` (when the current attempt took its lease; the
 * least-recently-served order and the attempt's training seconds), `started_by_key_id` (the key
 * metered for them), and the indexes the fair pick reads. Deployment: none (nullable columns).
 */
export class FairTrainingQueue1796193689755 implements MigrationInterface {
  name = 'FairTrainingQueue1796193689755';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "training_jobs" ADD "started_by_key_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD "attempt_started_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_training_jobs_workspace_attempt_start" ON "training_jobs"  ("workspace_id", "attempt_started_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_training_jobs_queued" ON "training_jobs"  ("workspace_id", "created_at", "id") WHERE status = 'QUEUED'`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD CONSTRAINT "FK_a44293bf9d39ffeae89a0d99401" FOREIGN KEY ("started_by_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "training_jobs" DROP CONSTRAINT "FK_a44293bf9d39ffeae89a0d99401"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_training_jobs_queued"`);
    await queryRunner.query(`DROP INDEX "public"."idx_training_jobs_workspace_attempt_start"`);
    await queryRunner.query(`ALTER TABLE "training_jobs" DROP COLUMN "attempt_started_at"`);
    await queryRunner.query(`ALTER TABLE "training_jobs" DROP COLUMN "started_by_key_id"`);
  }
}
