import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retraining policies (the closed loop, item 6): retrain_policies (one per model: trigger,
 * training and promotion settings, the feedback mark) and retrain_runs (one firing each, and how
 * far it got). Generated from the entities.
 */
export class RetrainPolicies1796300000500 implements MigrationInterface {
  name = 'RetrainPolicies1796300000500';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "retrain_policies" ("model_id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "deployment_id" uuid NOT NULL, "min_feedback_rows" integer, "max_input_drift" double precision, "every_seconds" integer, "algorithm" "public"."training_algorithm", "hyperparameters" jsonb, "promotion" jsonb, "enabled" boolean NOT NULL DEFAULT true, "set_by_key_id" uuid, "feedback_until" TIMESTAMP WITH TIME ZONE, "last_triggered_at" TIMESTAMP WITH TIME ZONE, "checked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6b99ea7072b87736885d2f1787b" PRIMARY KEY ("model_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retrain_policies_workspace" ON "retrain_policies"  ("workspace_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retrain_policies_deployment" ON "retrain_policies"  ("deployment_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retrain_policies_checked" ON "retrain_policies"  ("checked_at") WHERE enabled`,
    );
    await queryRunner.query(
      `CREATE TABLE "retrain_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "model_id" uuid NOT NULL, "deployment_id" uuid, "reason" character varying(16) NOT NULL, "status" character varying(32) NOT NULL, "message" text NOT NULL, "parent_version_id" uuid, "feedback_from" TIMESTAMP WITH TIME ZONE, "feedback_until" TIMESTAMP WITH TIME ZONE NOT NULL, "feedback_rows" integer NOT NULL, "dataset_id" uuid, "training_job_id" uuid, "version_id" uuid, "promotion_id" uuid, "error" text, "api_key_id" uuid, "settings" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_831a110ac13001443811d4970a5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retrain_runs_active" ON "retrain_runs"  ("status", "updated_at") WHERE status IN ('BUILDING_DATASET', 'TRAINING', 'PROMOTING')`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retrain_runs_deployment" ON "retrain_runs"  ("deployment_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retrain_runs_model_created" ON "retrain_runs"  ("model_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_policies" ADD CONSTRAINT "FK_6b99ea7072b87736885d2f1787b" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_policies" ADD CONSTRAINT "FK_788b82385d3033e1fc94bd89f0a" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_runs" ADD CONSTRAINT "FK_f84d04768328f46467d860f2401" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_runs" ADD CONSTRAINT "FK_7dda13bb8599abe594aa9dee8fc" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "retrain_runs" DROP CONSTRAINT "FK_7dda13bb8599abe594aa9dee8fc"`,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_runs" DROP CONSTRAINT "FK_f84d04768328f46467d860f2401"`,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_policies" DROP CONSTRAINT "FK_788b82385d3033e1fc94bd89f0a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "retrain_policies" DROP CONSTRAINT "FK_6b99ea7072b87736885d2f1787b"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_retrain_runs_model_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_retrain_runs_deployment"`);
    await queryRunner.query(`DROP INDEX "public"."idx_retrain_runs_active"`);
    await queryRunner.query(`DROP TABLE "retrain_runs"`);
    await queryRunner.query(`DROP INDEX "public"."idx_retrain_policies_checked"`);
    await queryRunner.query(`DROP INDEX "public"."idx_retrain_policies_deployment"`);
    await queryRunner.query(`DROP INDEX "public"."idx_retrain_policies_workspace"`);
    await queryRunner.query(`DROP TABLE "retrain_policies"`);
  }
}
