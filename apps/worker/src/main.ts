// The training worker process: `node apps/worker/dist/main.js` with DATABASE_URL set (npm start
// runs one; more workers are more processes, on any host).
import { loadConfig } from './env';
import { createLogger } from './logger';
import { startTrainingWorker } from './training-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, config.workerId);
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
  const worker = await startTrainingWorker(config, logger);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, running: worker.runningJobs() },
      'shutting down: handing running jobs back',
    );
    worker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(`maas worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
