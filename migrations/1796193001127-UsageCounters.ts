import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Metered usage per workspace, key, model and deployment, in minute, hour and day buckets. */
export class UsageCounters1796193001127 implements MigrationInterface {
  name = 'UsageCounters1796193001127';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "usage_counters" ("granularity" character varying(8) NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "workspace_id" uuid NOT NULL, "api_key_id" uuid NOT NULL, "model_id" uuid NOT NULL, "deployment_id" uuid NOT NULL, "requests" bigint NOT NULL DEFAULT '0', "prediction_rows" bigint NOT NULL DEFAULT '0', "prompt_tokens" bigint NOT NULL DEFAULT '0', "completion_tokens" bigint NOT NULL DEFAULT '0', "training_seconds" double precision NOT NULL DEFAULT '0', CONSTRAINT "PK_d9780ab98d9edf189c6792f33ca" PRIMARY KEY ("granularity", "bucket_start", "workspace_id", "api_key_id", "model_id", "deployment_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_usage_counters_workspace" ON "usage_counters"  ("workspace_id", "granularity", "bucket_start") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_usage_counters_workspace"`);
    await queryRunner.query(`DROP TABLE "usage_counters"`);
  }
}
