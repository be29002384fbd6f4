import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feedback (the closed loop, item 1): prediction_feedback (ground truth per record of a logged
 * prediction, removed with it), prediction_log.record_count, deployments.log_sample_rate and
 * usage_counters.feedback_rows. Generated from the entities.
 */
export class PredictionFeedback1796243302280 implements MigrationInterface {
  name = 'PredictionFeedback1796243302280';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "prediction_feedback" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "prediction_id" uuid NOT NULL, "record" integer NOT NULL, "actual" jsonb NOT NULL, "api_key_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e78421e20b2b2daa5780af70cd7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_prediction_feedback_workspace_created" ON "prediction_feedback"  ("workspace_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_prediction_feedback_prediction_record" ON "prediction_feedback"  ("prediction_id", "record") `,
    );
    await queryRunner.query(`ALTER TABLE "deployments" ADD "log_sample_rate" double precision`);
    await queryRunner.query(`ALTER TABLE "prediction_log" ADD "record_count" integer`);
    await queryRunner.query(
      `ALTER TABLE "usage_counters" ADD "feedback_rows" bigint NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "prediction_feedback" ADD CONSTRAINT "FK_cec7cf457440f4287d8dd751875" FOREIGN KEY ("prediction_id") REFERENCES "prediction_log"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "prediction_feedback" DROP CONSTRAINT "FK_cec7cf457440f4287d8dd751875"`,
    );
    await queryRunner.query(`ALTER TABLE "usage_counters" DROP COLUMN "feedback_rows"`);
    await queryRunner.query(`ALTER TABLE "prediction_log" DROP COLUMN "record_count"`);
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "log_sample_rate"`);
    await queryRunner.query(`DROP INDEX "public"."uq_prediction_feedback_prediction_record"`);
    await queryRunner.query(`DROP INDEX "public"."idx_prediction_feedback_workspace_created"`);
    await queryRunner.query(`DROP TABLE "prediction_feedback"`);
  }
}
