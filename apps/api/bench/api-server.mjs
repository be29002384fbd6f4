// Benchmark setups (c), (d), (e): the real API (createApiServer from @maas/api: Fastify, auth,
// name resolution, Apollo, the engine in child processes, or threads with INFERENCE_ISOLATION=thread) against the benchmark's PostgreSQL.
// BENCH_BATCHING=off gives the engine `batching: false`, all else equal. Started by
// serving.bench.mjs; prints {"listening": url} once it listens.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createApiServer, engineIsolation, loadConfig } = require('@maas/api');
const { createArtifactStore } = require('@maas/db');
const { createArtifactLoader, createInferenceEngine } = require('@maas/inference');

const config = loadConfig({
  DATABASE_URL: process.env.BENCH_DATABASE_URL,
  ADMIN_API_KEY: process.env.BENCH_ADMIN_KEY,
  LOG_LEVEL: 'warn',
  ORT_EXECUTION_PROVIDERS: 'cpu',
  PREDICTION_LOG_SAMPLE_RATE: process.env.BENCH_PREDICTION_LOG_SAMPLE_RATE ?? '0.001',
  // INFERENCE_ISOLATION=thread|process measures the API with its models in worker threads, or in
  // a child inference worker over HTTP (default: `child`, supervised child processes over IPC).
  ...(process.env.INFERENCE_ISOLATION
    ? { INFERENCE_ISOLATION: process.env.INFERENCE_ISOLATION }
    : {}),
});

let engine;
let store;
if (process.env.BENCH_BATCHING === 'off') {
  // What createApiServer builds by default, with batching off.
  store = createArtifactStore({ databaseUrl: config.DATABASE_URL });
  engine = await createInferenceEngine({
    ...engineIsolation(config),
    executionProviders: config.ORT_EXECUTION_PROVIDERS,
    timeoutMs: config.PREDICT_TIMEOUT_MS,
    batching: false,
    loadArtifact: createArtifactLoader(store),
  });
}
const server = await createApiServer({ config, engine });

// BENCH_PROFILE_DIR: SIGUSR2 starts a CPU profile of this process, the next SIGUSR2 writes it
// there, so the profile covers only a measured cell (not start-up).
if (process.env.BENCH_PROFILE_DIR) {
  const { Session } = require('node:inspector');
  const { mkdirSync, writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const session = new Session();
  session.connect();
  const call = (method, params = {}) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await call('Profiler.enable');
  let running = false;
  let count = 0;
  process.on('SIGUSR2', () => {
    const next = running
      ? call('Profiler.stop').then(({ profile }) => {
          const file = join(
            process.env.BENCH_PROFILE_DIR,
            `${process.env.BENCH_PROFILE_NAME ?? 'api'}-${++count}.cpuprofile`,
          );
          mkdirSync(process.env.BENCH_PROFILE_DIR, { recursive: true });
          writeFileSync(file, JSON.stringify(profile));
          process.stdout.write(`${JSON.stringify({ profile: file })}\n`);
        })
      : call('Profiler.start');
    running = !running;
    next.catch((err) => process.stderr.write(`profiler: ${err}\n`));
  });
}
// BENCH_TAIL=1 (serving.bench.mjs --tail): SIGUSR2 starts recording, for the measured cell,
// - each HTTP request's time in this process (the server's `request` event to the answer's
//   `finish`), the CPU the process used meanwhile and the time its event loop was not idle,
// - each engine.infer call (the micro-batcher, the hop to the inference child, the run and back),
// - each `run` call to the engine's pool (the hop and the run) with the run's own time measured
//   in the child (RunResult.runMs),
// - V8's GC pauses on the main thread;
// the next SIGUSR2 prints {"tail": summary} (tail-summary.mjs) and stops recording.
if (process.env.BENCH_TAIL === '1') {
  const { PerformanceObserver, performance } = require('node:perf_hooks');
  const { InferenceEngine } = require('@maas/inference');
  const { summarizeTail } = await import('./tail-summary.mjs');
  let recording = false;
  let requests = [];
  let engineCalls = [];
  let runs = [];
  let pauses = [];
  const timePool = (pool) => {
    const call = pool.call;
    pool.call = function (index, request, ...rest) {
      const started = performance.now();
      const answer = call.call(this, index, request, ...rest);
      if (recording && request?.op === 'run')
        answer.then(
          (result) => runs.push([started, performance.now(), result?.runMs ?? NaN]),
          () => undefined,
        );
      return answer;
    };
  };
  const timed = new WeakSet();
  const infer = InferenceEngine.prototype.infer;
  InferenceEngine.prototype.infer = function (...args) {
    if (!timed.has(this) && this.pool) {
      timed.add(this);
      timePool(this.pool);
    }
    const started = performance.now();
    const answer = infer.apply(this, args);
    if (recording)
      answer.then(
        () => engineCalls.push([started, performance.now()]),
        () => undefined,
      );
    return answer;
  };
  // First of the listeners, so Fastify's own synchronous work is inside the request's time.
  server.app.server.prependListener('request', (_req, res) => {
    if (!recording) return;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    res.once('finish', () => {
      const used = process.cpuUsage(cpu);
      const { active } = performance.eventLoopUtilization(loop);
      requests.push([started, performance.now(), (used.user + used.system) / 1000, active]);
    });
  });
  new PerformanceObserver((list) => {
    if (!recording) return;
    for (const e of list.getEntries()) pauses.push([e.startTime, e.startTime + e.duration]);
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    if (!recording) {
      requests = [];
      engineCalls = [];
      runs = [];
      pauses = [];
      recording = true;
      return;
    }
    // GC entries are delivered after the pause: let the observer catch up first.
    setTimeout(() => {
      recording = false;
      const tail = summarizeTail({ requests, engineCalls, runs, pauses });
      process.stdout.write(`${JSON.stringify({ tail })}\n`);
    }, 20);
  });
}
// What-if experiment, never used for the published table: BENCH_RESOLVER_SINGLE_FLIGHT=1 makes
// concurrent name resolutions of one key share one load (the API's TargetResolver reloads an
// expired entry once per waiting request: at concurrency 64, 64 × 3 queries every 2 s).
if (process.env.BENCH_RESOLVER_SINGLE_FLIGHT === '1') {
  const resolver = server.services.predictions.resolver;
  const resolve = resolver.resolve.bind(resolver);
  const pending = new Map();
  resolver.resolve = (workspaceId, q) => {
    const key = `${workspaceId}|${q.name}|${q.version ?? ''}|${q.alias ?? ''}`;
    let load = pending.get(key);
    if (!load) {
      load = resolve(workspaceId, q).finally(() => pending.delete(key));
      pending.set(key, load);
    }
    return load;
  };
}

const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ listening: address })}\n`);
process.once('SIGTERM', () => {
  server
    .close()
    .then(() => store?.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
