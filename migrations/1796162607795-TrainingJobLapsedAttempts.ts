import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Generated from the entities by `npm run migration:generate -w @maas/db -- TrainingJobLapsedAttempts`. */
export class TrainingJobLapsedAttempts1796162607795 implements MigrationInterface {
  name = 'TrainingJobLapsedAttempts1796162607795';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "training_jobs" ADD "lapsed_attempts" integer NOT NULL DEFAULT '0'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "training_jobs" DROP COLUMN "lapsed_attempts"`);
  }
}
