import { loadSupervisorConfig } from './env';
import { PlatformStartAborted, startPlatform, type Platform } from './platform';
import { seedDemoOnce } from './seed-demo';
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
  let requests = 0;
  const requestStop = (reason: string) => {
    requests += 1;
    if (requests === 1) {
      log.info(`${reason}: stopping`);
      startAbort.abort();
      resolveStopRequest();
    } else {
      log.warn(`${reason} again: killing the children now`);
      void platform?.stop({ force: true });
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => requestStop(`${signal} received`));
  }
  if (config.stopWithParent) {
    // `kill <npm pid>` reaches npm's shell, not us: once it is gone we are re-parented.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      requestStop('npm exited');
    }, 500);
    watch.unref();
  }

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

  const started = platform;
  void started.ready.then(async (ok) => {
    if (!ok || !config.seedDemo) return;
    // The trained demo needs a worker; the language models only the API.
    const worker = started.children().some((child) => child.name === 'worker');
    try {
      await seedDemoOnce({
        databaseUrl: started.databaseUrl,
        apiUrl: `http://127.0.0.1:${config.apiPort}`,
        adminKey: started.adminKey.secret,
        parts: worker ? ['language-models', 'linear'] : ['language-models'],
        log,
      });
    } catch (err) {
      log.warn(`The demo could not be seeded: ${(err as Error).message}`);
    }
  });

  const exitCode = await Promise.race([
    stopRequested.then(() => 0),
    platform.failure.then((error) => {
      log.error(`Stopping maas: the ${error.childName} keeps crashing.`);
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
