import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes on age alone, for the API's retention sweeper (it deletes old rows in batches). */
export class RetentionIndexes1796164850016 implements MigrationInterface {
  name = 'RetentionIndexes1796164850016';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_prediction_log_created" ON "prediction_log" ("created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_deployment_stats_bucket" ON "deployment_stats" ("bucket_start") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_created" ON "audit_events" ("created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_deployment_stats_bucket"`);
    await queryRunner.query(`DROP INDEX "public"."idx_prediction_log_created"`);
  }
}
