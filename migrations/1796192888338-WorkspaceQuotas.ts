import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Quota columns on workspaces (null: unlimited); existing workspaces stay unlimited. */
export class WorkspaceQuotas1796192888338 implements MigrationInterface {
  name = 'WorkspaceQuotas1796192888338';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_models" integer`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_versions_per_model" integer`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_storage_bytes" bigint`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_dataset_bytes" bigint`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_concurrent_jobs" integer`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_queued_jobs" integer`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_predictions_per_day" bigint`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "max_tokens_per_day" bigint`);
    await queryRunner.query(`ALTER TABLE "workspaces" ADD "requests_per_second" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "requests_per_second"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_tokens_per_day"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_predictions_per_day"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_queued_jobs"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_concurrent_jobs"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_dataset_bytes"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_storage_bytes"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_versions_per_model"`);
    await queryRunner.query(`ALTER TABLE "workspaces" DROP COLUMN "max_models"`);
  }
}
