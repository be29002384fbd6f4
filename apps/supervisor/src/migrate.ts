import { runMigrations } from '@maas/db';
import { loadMigrateConfig } from './env';
import { createSupervisorLog, redactUrl } from './supervisor-log';

// One-shot: applies the pending migrations to DATABASE_URL and exits (docker-compose's
// `migrate` service). Safe to run while other processes migrate: an advisory lock serialises them.
async function main(): Promise<number> {
  const log = createSupervisorLog(process.stdout, process.stderr);
  try {
    const { databaseUrl } = loadMigrateConfig();
    log.info(`Migrating ${redactUrl(databaseUrl)}`);
    const applied = await runMigrations(databaseUrl);
    log.info(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Schema is up to date');
    return 0;
  } catch (err) {
    log.error((err as Error).message);
    return 1;
  }
}

void main().then((code) => process.exit(code));
