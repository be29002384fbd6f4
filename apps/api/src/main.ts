import 'reflect-metadata';
import { runMigrations } from '@maas/db';
import { createLogger } from './common/logger';
import { loadConfig } from './env';
import { createApiServer } from './server';

// The API process: `node apps/api/dist/main.js` (the supervisor starts it with DATABASE_URL set).
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // Idempotent and under an advisory lock: a no-op when the supervisor already migrated.
  await runMigrations(config.DATABASE_URL);
  const server = await createApiServer({ config, logger });
  const address = await server.app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, port: config.PORT }, 'maas API listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server
      .close()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  // Configuration errors are for a person to read, not a stack trace.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
