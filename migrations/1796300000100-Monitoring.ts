import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monitoring and drift (the closed loop, item 2): model_versions.training_profile (bins of the
 * training rows and predictions), the deployment reference dataset and its profile, monitoring
 * thresholds and the checker claim time on deployments, an index of prediction_log by deployment
 * and time (monitoring reads a deployment's recent predictions), and monitoring_alerts (one open alert per
 * deployment, kind and feature: a partial unique index). Generated from the entities.
 */
export class Monitoring1796300000100 implements MigrationInterface {
  name = 'Monitoring1796300000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "monitoring_alerts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "deployment_id" uuid NOT NULL, "version_id" uuid, "kind" character varying(32) NOT NULL, "feature" character varying(255) NOT NULL DEFAULT '', "message" text NOT NULL, "value" double precision NOT NULL, "threshold" double precision NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_94a1b64590f0e521e88f13a4a19" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_monitoring_alerts_deployment_at" ON "monitoring_alerts"  ("deployment_id", "at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_monitoring_alerts_open" ON "monitoring_alerts"  ("deployment_id", "kind", "feature") WHERE "resolved_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_prediction_log_deployment_created" ON "prediction_log"  ("deployment_id", "created_at") `,
    );
    await queryRunner.query(`ALTER TABLE "model_versions" ADD "training_profile" jsonb`);
    await queryRunner.query(`ALTER TABLE "deployments" ADD "reference_dataset_id" uuid`);
    await queryRunner.query(`ALTER TABLE "deployments" ADD "reference_profile" jsonb`);
    await queryRunner.query(`ALTER TABLE "deployments" ADD "monitoring_thresholds" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "deployments" ADD "monitoring_checked_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_deployments_reference_dataset" ON "deployments"  ("reference_dataset_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" ADD CONSTRAINT "FK_94133dd3a1dc111e6f9dd3892ca" FOREIGN KEY ("reference_dataset_id") REFERENCES "datasets"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "monitoring_alerts" ADD CONSTRAINT "FK_dd2a6fd6596b26069acbcf87e6d" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "monitoring_alerts" DROP CONSTRAINT "FK_dd2a6fd6596b26069acbcf87e6d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" DROP CONSTRAINT "FK_94133dd3a1dc111e6f9dd3892ca"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_deployments_reference_dataset"`);
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "monitoring_checked_at"`);
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "monitoring_thresholds"`);
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "reference_profile"`);
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "reference_dataset_id"`);
    await queryRunner.query(`ALTER TABLE "model_versions" DROP COLUMN "training_profile"`);
    await queryRunner.query(`DROP INDEX "public"."idx_prediction_log_deployment_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_monitoring_alerts_open"`);
    await queryRunner.query(`DROP INDEX "public"."idx_monitoring_alerts_deployment_at"`);
    await queryRunner.query(`DROP TABLE "monitoring_alerts"`);
  }
}
