import { loadSupervisorConfig } from './env';
import { PlatformStartAborted, startPlatform, type Platform } from './platform';
import { createSupervisorLog } from './supervisor-log';

// `npm start` runs this: the whole platform in one supervised process tree.
async function main(): Promise<number> {
  const log = createSupervisorLog(process.stdout, process.stderr);
  let config;
  try {
    config = loadSupervisorConfig();
  } catch (err) {
    log.error((err as Error).message);
    return 1;
  }

  const startAbort = new AbortController();
  let platform: Platform | null = null;
  let resolveStopRequest: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (resolveStopRequest = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log.info(`${signal} received`);
      startAbort.abort();
      resolveStopRequest();
    } else {
      log.warn(`${signal} again: killing the children now`);
      void platform?.stop({ force: true });
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  try {
    platform = await startPlatform({ config, signal: startAbort.signal });
  } catch (err) {
    if (err instanceof PlatformStartAborted) {
      log.info(err.message);
      return 0;
    }
    log.error((err as Error).message);
    return 1;
  }

  const exitCode = await Promise.race([
    stopRequested.then(() => 0),
    platform.failure.then((error) => {
      log.error(`Stopping maas: ${error.message}`);
      return 1;
    }),
  ]);
  await platform.stop();
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
