import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guarded promotion (the closed loop, item 5): promotions (status, policy, rollout steps with
 * their measured figures; one in progress per deployment, a partial unique index) and
 * alias_moves (ModelAlias.history). Generated from the entities.
 */
export class Promotions1796300000400 implements MigrationInterface {
  name = 'Promotions1796300000400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "alias_moves" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "model_id" uuid NOT NULL, "alias" character varying(63) NOT NULL, "version_id" uuid NOT NULL, "previous_version_id" uuid, "api_key_id" uuid, "promotion_id" uuid, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_eb25b6fbaee6a20b42e3edc0f48" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_alias_moves_version" ON "alias_moves"  ("version_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_alias_moves_previous_version" ON "alias_moves"  ("previous_version_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_alias_moves_model_alias_at" ON "alias_moves"  ("model_id", "alias", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "promotions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "deployment_id" uuid NOT NULL, "model_id" uuid NOT NULL, "candidate_version_id" uuid NOT NULL, "champion_version_id" uuid, "status" character varying(32) NOT NULL, "policy" jsonb NOT NULL, "steps" jsonb NOT NULL, "current_step" integer NOT NULL DEFAULT '-1', "forced" boolean NOT NULL DEFAULT false, "evaluation_job_id" uuid, "reason" text, "api_key_id" uuid, "seq" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_380cecbbe3ac11f0e5a7c452c34" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_promotions_candidate" ON "promotions"  ("candidate_version_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_promotions_champion" ON "promotions"  ("champion_version_id") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_promotions_status" ON "promotions"  ("status") `);
    await queryRunner.query(
      `CREATE INDEX "idx_promotions_deployment_created" ON "promotions"  ("deployment_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_promotions_active_deployment" ON "promotions"  ("deployment_id") WHERE status IN ('EVALUATING', 'ROLLING_OUT', 'WAITING_FOR_APPROVAL')`,
    );
    await queryRunner.query(
      `ALTER TABLE "alias_moves" ADD CONSTRAINT "FK_a4d5966ab667a670b7f2c1039e8" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alias_moves" ADD CONSTRAINT "FK_6f014563093aa347b3be9f268e8" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alias_moves" ADD CONSTRAINT "FK_ab3700cc7e0e8749cb68a93adeb" FOREIGN KEY ("previous_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotions" ADD CONSTRAINT "FK_c50c642463f0ce27ac2e6393420" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotions" ADD CONSTRAINT "FK_95f94cb158ca2e5a307d6082047" FOREIGN KEY ("candidate_version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotions" ADD CONSTRAINT "FK_ea2ec635d6fdc44008b78cccf74" FOREIGN KEY ("champion_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "promotions" DROP CONSTRAINT "FK_ea2ec635d6fdc44008b78cccf74"`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotions" DROP CONSTRAINT "FK_95f94cb158ca2e5a307d6082047"`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotions" DROP CONSTRAINT "FK_c50c642463f0ce27ac2e6393420"`,
    );
    await queryRunner.query(
      `ALTER TABLE "alias_moves" DROP CONSTRAINT "FK_ab3700cc7e0e8749cb68a93adeb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "alias_moves" DROP CONSTRAINT "FK_6f014563093aa347b3be9f268e8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "alias_moves" DROP CONSTRAINT "FK_a4d5966ab667a670b7f2c1039e8"`,
    );
    await queryRunner.query(`DROP INDEX "public"."uq_promotions_active_deployment"`);
    await queryRunner.query(`DROP INDEX "public"."idx_promotions_deployment_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_promotions_status"`);
    await queryRunner.query(`DROP INDEX "public"."idx_promotions_champion"`);
    await queryRunner.query(`DROP INDEX "public"."idx_promotions_candidate"`);
    await queryRunner.query(`DROP TABLE "promotions"`);
    await queryRunner.query(`DROP INDEX "public"."idx_alias_moves_model_alias_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_alias_moves_previous_version"`);
    await queryRunner.query(`DROP INDEX "public"."idx_alias_moves_version"`);
    await queryRunner.query(`DROP TABLE "alias_moves"`);
  }
}
