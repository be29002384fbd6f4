import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Language models in the serving stats: deployment_stats gains the prompt and generated tokens
 * and a time-to-first-token histogram of each sample. Generated from the entities.
 */
export class DeploymentStatsTokens1796245050578 implements MigrationInterface {
  name = 'DeploymentStatsTokens1796245050578';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "deployment_stats" ADD "prompt_tokens" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployment_stats" ADD "completion_tokens" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "deployment_stats" ADD "ttft_histogram" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployment_stats" DROP COLUMN "ttft_histogram"`);
    await queryRunner.query(`ALTER TABLE "deployment_stats" DROP COLUMN "completion_tokens"`);
    await queryRunner.query(`ALTER TABLE "deployment_stats" DROP COLUMN "prompt_tokens"`);
  }
}
