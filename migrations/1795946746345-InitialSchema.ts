import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Generated from the entities by `npm run migration:generate -w @maas/db -- InitialSchema`. */
export class InitialSchema1795946746345 implements MigrationInterface {
  name = 'InitialSchema1795946746345';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "workspaces" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_de659ece27e93d8fe29339d0a42" UNIQUE ("name"), CONSTRAINT "PK_098656ae401f3e1a4586f47fd8e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."api_key_role" AS ENUM('ADMIN', 'EDITOR', 'VIEWER')`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "name" character varying(128) NOT NULL, "role" "public"."api_key_role" NOT NULL, "is_root" boolean NOT NULL DEFAULT false, "secret_sha256" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_1838f08284a7a37a489440ce280" UNIQUE ("secret_sha256"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_api_keys_workspace_name" ON "api_keys"  ("workspace_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "artifacts" ("sha256" character(64) NOT NULL, "size_bytes" bigint NOT NULL, "storage" character varying(16) NOT NULL, "lo_oid" bigint, "ref_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_397689a166d04ea82118a1f666a" PRIMARY KEY ("sha256"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "datasets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "name" character varying(128) NOT NULL, "row_count" integer NOT NULL, "columns" jsonb NOT NULL, "size_bytes" bigint NOT NULL, "source_sha256" character(64) NOT NULL, "columns_sha256" character(64) NOT NULL, "preview_rows" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_datasets_workspace_created" ON "datasets"  ("workspace_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "workspace_id" uuid NOT NULL, "api_key_id" uuid, "action" character varying(64) NOT NULL, "target_type" character varying(32) NOT NULL, "target_id" character varying(64), "details" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_workspace_created" ON "audit_events"  ("workspace_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "deployment_stats" ("id" BIGSERIAL NOT NULL, "workspace_id" uuid NOT NULL, "deployment_id" uuid NOT NULL, "version_id" uuid NOT NULL, "replica_id" character varying(128) NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "bucket_seconds" integer NOT NULL, "requests" integer NOT NULL, "errors" integer NOT NULL, "latency_sum_ms" double precision NOT NULL, "latency_histogram" jsonb NOT NULL, CONSTRAINT "PK_3cab5f00e74c74ed57216337cd6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_deployment_stats_deployment_bucket" ON "deployment_stats"  ("deployment_id", "bucket_start") `,
    );
    await queryRunner.query(
      `CREATE TABLE "prediction_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "version_id" uuid NOT NULL, "deployment_id" uuid, "api_key_id" uuid, "status" character varying(32) NOT NULL, "latency_ms" double precision NOT NULL, "inputs" jsonb, "outputs" jsonb, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fc4dd346ceac5a3478d98a25ca7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_prediction_log_version_created" ON "prediction_log"  ("version_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_prediction_log_workspace_created" ON "prediction_log"  ("workspace_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."model_task" AS ENUM('REGRESSION', 'BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION', 'OTHER')`,
    );
    await queryRunner.query(
      `CREATE TABLE "models" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "name" character varying(63) NOT NULL, "description" text, "task" "public"."model_task" NOT NULL DEFAULT 'OTHER', "tags" jsonb NOT NULL DEFAULT '{}', "version_counter" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ef9ed7160ea69013636466bf2d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_models_workspace_created" ON "models"  ("workspace_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_models_workspace_name" ON "models"  ("workspace_id", "name") `,
    );
    await queryRunner.query(`CREATE TYPE "public"."version_source" AS ENUM('UPLOAD', 'TRAINING')`);
    await queryRunner.query(
      `CREATE TABLE "model_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "model_id" uuid NOT NULL, "version" integer NOT NULL, "source" "public"."version_source" NOT NULL, "signature" jsonb NOT NULL, "metrics" jsonb, "hyperparameters" jsonb, "sha256" character(64) NOT NULL, "size_bytes" bigint NOT NULL, "training_job_id" uuid, "parent_version_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_77c0256872dcc26394dba4b87ec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_model_versions_training_job" ON "model_versions"  ("training_job_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_model_versions_model_version" ON "model_versions"  ("model_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "deployments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "name" character varying(63) NOT NULL, "model_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1e5627acb3c950deb83fe98fc48" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_deployments_model" ON "deployments"  ("model_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_deployments_workspace_name" ON "deployments"  ("workspace_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "deployment_routes" ("deployment_id" uuid NOT NULL, "version_id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "weight" integer NOT NULL, CONSTRAINT "PK_d671b517b4a025f6803190a4593" PRIMARY KEY ("deployment_id", "version_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_deployment_routes_version" ON "deployment_routes"  ("version_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "model_aliases" ("model_id" uuid NOT NULL, "alias" character varying(63) NOT NULL, "workspace_id" uuid NOT NULL, "version_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1440efdfe2e08fdfc5db39a1d0f" PRIMARY KEY ("model_id", "alias"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_model_aliases_version" ON "model_aliases"  ("version_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."training_algorithm" AS ENUM('LINEAR_REGRESSION', 'LOGISTIC_REGRESSION', 'SOFTMAX_REGRESSION', 'MLP')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."job_status" AS ENUM('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "training_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "model_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "algorithm" "public"."training_algorithm" NOT NULL, "target" character varying(256) NOT NULL, "features" jsonb NOT NULL, "hyperparameters" jsonb NOT NULL, "status" "public"."job_status" NOT NULL DEFAULT 'QUEUED', "epoch" integer NOT NULL DEFAULT '0', "epochs" integer NOT NULL, "warm_start_version_id" uuid, "result_version_id" uuid, "attempt" integer NOT NULL DEFAULT '0', "lease_owner" character varying(128), "lease_expires_at" TIMESTAMP WITH TIME ZONE, "checkpoint" bytea, "checkpoint_epoch" integer, "cancel_requested_at" TIMESTAMP WITH TIME ZONE, "seq" bigint NOT NULL DEFAULT '0', "error" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_e97586cc31d40f915d45d7f9959" UNIQUE ("result_version_id"), CONSTRAINT "PK_8596b9a44ae04a393792936a05b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_training_jobs_status_lease" ON "training_jobs"  ("status", "lease_expires_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_training_jobs_workspace_created" ON "training_jobs"  ("workspace_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "training_epochs" ("job_id" uuid NOT NULL, "epoch" integer NOT NULL, "workspace_id" uuid NOT NULL, "loss" double precision NOT NULL, "validation_loss" double precision, "metrics" jsonb, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ef785b7ade27e14416eceff343a" PRIMARY KEY ("job_id", "epoch"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_deb68fe8625b21785d1c48283e4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "datasets" ADD CONSTRAINT "FK_c5fa6cebec6805b3e0cb3e9b3bb" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "models" ADD CONSTRAINT "FK_970d2728e6c1a13821142126eb4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" ADD CONSTRAINT "FK_e2cf53735529a1b57ce224c1467" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" ADD CONSTRAINT "FK_fead214f52c09e2c599ec3a8444" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" ADD CONSTRAINT "FK_b5752ebcbf494cf95f6787bfb4e" FOREIGN KEY ("sha256") REFERENCES "artifacts"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" ADD CONSTRAINT "FK_8b22a563ff9ed93fe49b0ad6b81" FOREIGN KEY ("parent_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" ADD CONSTRAINT "FK_2aa61ef61fc263b94a6b771ea3f" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" ADD CONSTRAINT "FK_bd5203f2814cb186dc9561d5f4a" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployment_routes" ADD CONSTRAINT "FK_431aa7671122a00d6b682bb50cf" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployment_routes" ADD CONSTRAINT "FK_8adc853031a34a8e3dc8b1a0098" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_aliases" ADD CONSTRAINT "FK_843c2cb6e9239cc3891eb3b0c31" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_aliases" ADD CONSTRAINT "FK_feadc423f5a522ccf1b7b262c98" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD CONSTRAINT "FK_8171dec62ec5655ade163a68e70" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD CONSTRAINT "FK_cec2df1f2754b36d9e2d0750dd8" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD CONSTRAINT "FK_3a88799101749ac9eb448309a6a" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD CONSTRAINT "FK_802a11c72e5eb3e9abf2a993e4a" FOREIGN KEY ("warm_start_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD CONSTRAINT "FK_e97586cc31d40f915d45d7f9959" FOREIGN KEY ("result_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_epochs" ADD CONSTRAINT "FK_6fb902d445ca813d3fd658f31bd" FOREIGN KEY ("job_id") REFERENCES "training_jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "training_epochs" DROP CONSTRAINT "FK_6fb902d445ca813d3fd658f31bd"`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" DROP CONSTRAINT "FK_e97586cc31d40f915d45d7f9959"`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" DROP CONSTRAINT "FK_802a11c72e5eb3e9abf2a993e4a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" DROP CONSTRAINT "FK_3a88799101749ac9eb448309a6a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" DROP CONSTRAINT "FK_cec2df1f2754b36d9e2d0750dd8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "training_jobs" DROP CONSTRAINT "FK_8171dec62ec5655ade163a68e70"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_aliases" DROP CONSTRAINT "FK_feadc423f5a522ccf1b7b262c98"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_aliases" DROP CONSTRAINT "FK_843c2cb6e9239cc3891eb3b0c31"`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployment_routes" DROP CONSTRAINT "FK_8adc853031a34a8e3dc8b1a0098"`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployment_routes" DROP CONSTRAINT "FK_431aa7671122a00d6b682bb50cf"`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" DROP CONSTRAINT "FK_bd5203f2814cb186dc9561d5f4a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" DROP CONSTRAINT "FK_2aa61ef61fc263b94a6b771ea3f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" DROP CONSTRAINT "FK_8b22a563ff9ed93fe49b0ad6b81"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" DROP CONSTRAINT "FK_b5752ebcbf494cf95f6787bfb4e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" DROP CONSTRAINT "FK_fead214f52c09e2c599ec3a8444"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_versions" DROP CONSTRAINT "FK_e2cf53735529a1b57ce224c1467"`,
    );
    await queryRunner.query(
      `ALTER TABLE "models" DROP CONSTRAINT "FK_970d2728e6c1a13821142126eb4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "datasets" DROP CONSTRAINT "FK_c5fa6cebec6805b3e0cb3e9b3bb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" DROP CONSTRAINT "FK_deb68fe8625b21785d1c48283e4"`,
    );
    await queryRunner.query(`DROP TABLE "training_epochs"`);
    await queryRunner.query(`DROP INDEX "public"."idx_training_jobs_workspace_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_training_jobs_status_lease"`);
    await queryRunner.query(`DROP TABLE "training_jobs"`);
    await queryRunner.query(`DROP TYPE "public"."job_status"`);
    await queryRunner.query(`DROP TYPE "public"."training_algorithm"`);
    await queryRunner.query(`DROP INDEX "public"."idx_model_aliases_version"`);
    await queryRunner.query(`DROP TABLE "model_aliases"`);
    await queryRunner.query(`DROP INDEX "public"."idx_deployment_routes_version"`);
    await queryRunner.query(`DROP TABLE "deployment_routes"`);
    await queryRunner.query(`DROP INDEX "public"."uq_deployments_workspace_name"`);
    await queryRunner.query(`DROP INDEX "public"."idx_deployments_model"`);
    await queryRunner.query(`DROP TABLE "deployments"`);
    await queryRunner.query(`DROP INDEX "public"."uq_model_versions_model_version"`);
    await queryRunner.query(`DROP INDEX "public"."idx_model_versions_training_job"`);
    await queryRunner.query(`DROP TABLE "model_versions"`);
    await queryRunner.query(`DROP TYPE "public"."version_source"`);
    await queryRunner.query(`DROP INDEX "public"."uq_models_workspace_name"`);
    await queryRunner.query(`DROP INDEX "public"."idx_models_workspace_created"`);
    await queryRunner.query(`DROP TABLE "models"`);
    await queryRunner.query(`DROP TYPE "public"."model_task"`);
    await queryRunner.query(`DROP INDEX "public"."idx_prediction_log_workspace_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_prediction_log_version_created"`);
    await queryRunner.query(`DROP TABLE "prediction_log"`);
    await queryRunner.query(`DROP INDEX "public"."idx_deployment_stats_deployment_bucket"`);
    await queryRunner.query(`DROP TABLE "deployment_stats"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_workspace_created"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."idx_datasets_workspace_created"`);
    await queryRunner.query(`DROP TABLE "datasets"`);
    await queryRunner.query(`DROP TABLE "artifacts"`);
    await queryRunner.query(`DROP INDEX "public"."idx_api_keys_workspace_name"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TYPE "public"."api_key_role"`);
    await queryRunner.query(`DROP TABLE "workspaces"`);
  }
}
