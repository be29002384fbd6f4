import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The live API replicas, each heartbeating its row: a key's request rate is shared among them. */
export class ApiReplicas1796193723273 implements MigrationInterface {
  name = 'ApiReplicas1796193723273';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_replicas" ("id" uuid NOT NULL, "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_20f83405fef96537876b210c27e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_api_replicas_heartbeat" ON "api_replicas"  ("heartbeat_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_api_replicas_heartbeat"`);
    await queryRunner.query(`DROP TABLE "api_replicas"`);
  }
}
