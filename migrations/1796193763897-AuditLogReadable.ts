import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log made readable and complete: each row's client address and outcome ('ok',
 * 'forbidden', 'quota_exceeded', 'failed'), millisecond timestamps (page cursors), indexes for the
 * `auditEvents` filters, and append-only rows: a trigger refuses every UPDATE, and every DELETE
 * outside a transaction that ran `SET LOCAL maas.retention = 'on'` (the retention sweeper's).
 */
export class AuditLogReadable1796193763897 implements MigrationInterface {
  name = 'AuditLogReadable1796193763897';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD "source_address" character varying(64)`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD "outcome" character varying(16) NOT NULL DEFAULT 'ok'`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_workspace_created"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ALTER COLUMN "created_at" TYPE TIMESTAMP(3) WITH TIME ZONE`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_action_created" ON "audit_events"  ("action", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_target_created" ON "audit_events"  ("target_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_key_created" ON "audit_events"  ("api_key_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_workspace_created" ON "audit_events"  ("workspace_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND current_setting('maas.retention', true) = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events"
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_events_append_only ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION audit_events_append_only()`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_workspace_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_key_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_target_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_action_created"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ALTER COLUMN "created_at" TYPE TIMESTAMP(6) WITH TIME ZONE`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_workspace_created" ON "audit_events" USING btree ("created_at", "workspace_id") `,
    );
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "outcome"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "source_address"`);
  }
}
