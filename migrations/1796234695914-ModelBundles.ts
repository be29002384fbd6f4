import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model bundles: model_version_files (a bundle version's files, each a content-addressed artifact),
 * model_versions.graph_path and .language_model, and the TEXT_GENERATION and EMBEDDING tasks.
 * Generated from the entities.
 */
export class ModelBundles1796234695914 implements MigrationInterface {
  name = 'ModelBundles1796234695914';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "model_version_files" ("version_id" uuid NOT NULL, "path" character varying(512) NOT NULL, "sha256" character(64) NOT NULL, "size_bytes" bigint NOT NULL, CONSTRAINT "PK_9269b0e1f08ecd84267b8bc6a45" PRIMARY KEY ("version_id", "path"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_model_version_files_sha256" ON "model_version_files"  ("sha256") `,
    );
    await queryRunner.query(`ALTER TABLE "model_versions" ADD "graph_path" character varying(512)`);
    await queryRunner.query(`ALTER TABLE "model_versions" ADD "language_model" jsonb`);
    await queryRunner.query(`ALTER TYPE "public"."model_task" ADD VALUE 'TEXT_GENERATION'`);
    await queryRunner.query(`ALTER TYPE "public"."model_task" ADD VALUE 'EMBEDDING'`);
    await queryRunner.query(
      `ALTER TABLE "model_version_files" ADD CONSTRAINT "FK_c455ec55473da381e352db67e27" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_version_files" ADD CONSTRAINT "FK_6b186dc07ce3f1416fec0c84fed" FOREIGN KEY ("sha256") REFERENCES "artifacts"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "model_version_files" DROP CONSTRAINT "FK_6b186dc07ce3f1416fec0c84fed"`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_version_files" DROP CONSTRAINT "FK_c455ec55473da381e352db67e27"`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."model_task_old" AS ENUM('REGRESSION', 'BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION', 'OTHER')`,
    );
    await queryRunner.query(
      `ALTER TABLE "models" ALTER COLUMN "task" TYPE "public"."model_task_old" USING "task"::"text"::"public"."model_task_old"`,
    );
    await queryRunner.query(`DROP TYPE "public"."model_task"`);
    await queryRunner.query(`ALTER TYPE "public"."model_task_old" RENAME TO "model_task"`);
    await queryRunner.query(`ALTER TABLE "model_versions" DROP COLUMN "language_model"`);
    await queryRunner.query(`ALTER TABLE "model_versions" DROP COLUMN "graph_path"`);
    await queryRunner.query(`DROP INDEX "public"."idx_model_version_files_sha256"`);
    await queryRunner.query(`DROP TABLE "model_version_files"`);
  }
}
