import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evaluation jobs (the closed loop, item 4) and feature importance: training_jobs.kind (an
 * evaluation job is a job of the training queue, with no algorithm), evaluation_results (one row
 * per version of an evaluation job) and model_versions.feature_importance. Generated from the
 * entities by `npm run migration:generate -w @maas/db -- EvaluationJobs`.
 */
export class EvaluationJobs1796300000300 implements MigrationInterface {
  name = 'EvaluationJobs1796300000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "evaluation_results" ("job_id" uuid NOT NULL, "position" integer NOT NULL, "workspace_id" uuid NOT NULL, "version_id" uuid NOT NULL, "metrics" jsonb, "details" jsonb, CONSTRAINT "PK_0a1606c06dd4f5bdcef9dc34a85" PRIMARY KEY ("job_id", "position"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_evaluation_results_version" ON "evaluation_results"  ("version_id") `,
    );
    await queryRunner.query(`ALTER TABLE "model_versions" ADD "feature_importance" jsonb`);
    await queryRunner.query(`CREATE TYPE "public"."job_kind" AS ENUM('TRAINING', 'EVALUATION')`);
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD "kind" "public"."job_kind" NOT NULL DEFAULT 'TRAINING'`,
    );
    await queryRunner.query(`ALTER TABLE "training_jobs" ALTER COLUMN "algorithm" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" ADD CONSTRAINT "FK_fa8f43665b8490e84d2dc14825d" FOREIGN KEY ("job_id") REFERENCES "training_jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" ADD CONSTRAINT "FK_bc0fe597bff3be63a37ab4ba851" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" DROP CONSTRAINT "FK_bc0fe597bff3be63a37ab4ba851"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" DROP CONSTRAINT "FK_fa8f43665b8490e84d2dc14825d"`,
    );
    await queryRunner.query(`ALTER TABLE "training_jobs" ALTER COLUMN "algorithm" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "training_jobs" DROP COLUMN "kind"`);
    await queryRunner.query(`DROP TYPE "public"."job_kind"`);
    await queryRunner.query(`ALTER TABLE "model_versions" DROP COLUMN "feature_importance"`);
    await queryRunner.query(`DROP INDEX "public"."idx_evaluation_results_version"`);
    await queryRunner.query(`DROP TABLE "evaluation_results"`);
  }
}
