// The standalone inference worker process: `node apps/inference-worker/dist/main.js` (root script
// `npm run inference-worker`), serving the Open Inference Protocol by version id on INFERENCE_PORT.
import { parseInferenceWorkerEnv } from './env';
import { runInferenceWorker } from './inference-worker';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const stop = await runInferenceWorker(parseInferenceWorkerEnv(process.env), createLogger());
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `inference worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
