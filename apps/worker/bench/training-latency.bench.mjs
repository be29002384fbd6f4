// Training-job latency benchmark (issue 4, item 8): job pickup (enqueue commit → RUNNING seen by a
// subscriber) over 50 jobs, and event latency (epoch end in the training thread → subscriber) for
// slow and fast epochs. Real worker process, real PostgreSQL (DATABASE_URL's server, or a scratch
// embedded one). Run after a build:
//   node apps/worker/bench/training-latency.bench.mjs [--jobs 50] [--json]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const db = require('@maas/db');
const jobs = require('@maas/jobs');
const training = require('@maas/training');

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_MAIN = path.join(here, '..', 'dist', 'main.js');
const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const JOBS = Number(args[args.indexOf('--jobs') + 1]) || 50;
const log = (...parts) => !JSON_OUT && console.error(...parts);

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '-');

async function main() {
  const external = process.env.DATABASE_URL?.trim();
  const server = external ? null : await db.startScratchPostgres();
  const adminUrl = external ?? server.url;
  const dbName = `maas_bench_${Date.now().toString(36)}`;
  const url = await db.ensureDatabase(adminUrl, dbName);
  let worker;
  const cleanups = [];
  try {
    await db.runMigrations(url, { logging: ['error'] });
    const ds = db.createDataSource(url, { poolSize: 4, logging: ['error'] });
    await ds.initialize();
    cleanups.push(() => ds.destroy());
    const store = db.createArtifactStore({ databaseUrl: url });
    cleanups.push(() => store.close());
    const queue = jobs.createJobQueue({ databaseUrl: url, supervise: false });
    await queue.start();
    cleanups.push(() => queue.stop({ graceful: false }));
    const bus = new db.EventBus({ url });
    cleanups.push(() => bus.close());

    // Subscriber: arrival time of every event, by job.
    const arrivals = new Map();
    await jobs.subscribeTrainingJobEvents(bus, (event) => {
      const at = Date.now();
      if (!arrivals.has(event.jobId)) arrivals.set(event.jobId, []);
      arrivals.get(event.jobId).push({ ...event, at });
    });

    const [{ id: workspaceId }] = await ds.query(
      `INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`,
    );
    const [{ id: modelId }] = await ds.query(
      `INSERT INTO models (workspace_id, name, task) VALUES ($1, 'bench', 'REGRESSION') RETURNING id`,
      [workspaceId],
    );
    const insertDataset = async (dataset, name) => {
      const stored = await store.put(Readable.from([training.encodeColumns(dataset)]));
      return ds.transaction(async (m) => {
        await db.acquireArtifact(m, stored.sha256);
        const [row] = await m.query(
          `INSERT INTO datasets (workspace_id, name, row_count, columns, size_bytes, source_sha256, columns_sha256)
           VALUES ($1, $2, $3, '[]', $4, $5, $5) RETURNING id`,
          [workspaceId, name, dataset.rowCount, stored.sizeBytes, stored.sha256],
        );
        return row.id;
      });
    };
    const tiny = await insertDataset(training.seedExample(200, 1), 'tiny');
    const medium = await insertDataset(training.seedExample(5000, 2), 'medium');

    const startJob = (datasetId, algorithm, hyperparameters) =>
      ds
        .transaction((m) =>
          jobs.insertTrainingJob(m, queue, {
            workspaceId,
            modelId,
            datasetId,
            algorithm,
            target: 'y',
            features: ['x'],
            hyperparameters,
            epochs: hyperparameters.epochs,
            warmStartVersionId: null,
          }),
        )
        .then((job) => job.id);
    const waitFinal = async (jobId, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const final = (arrivals.get(jobId) ?? []).find((e) =>
          ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(e.status),
        );
        if (final) return final;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    // One worker with its production settings (5 s fallback poll, 15 s lease).
    worker = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // Ready once it claims a warm-up job.
    await waitFinal(await startJob(tiny, 'LINEAR_REGRESSION', { epochs: 1 }), 60_000);

    // 1. Pickup latency, an idle worker each time.
    log(`pickup latency: ${JOBS} jobs...`);
    const pickups = [];
    for (let i = 0; i < JOBS; i++) {
      const jobId = await startJob(tiny, 'LINEAR_REGRESSION', { epochs: 1 });
      const committed = Date.now();
      const final = await waitFinal(jobId);
      if (final.status !== 'SUCCEEDED')
        throw new Error(`pickup job ${jobId} ended ${final.status}`);
      const started = arrivals.get(jobId).find((e) => e.change === 'started');
      pickups.push(started.at - committed);
      // Let the worker go idle (back to waiting) before the next one.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // 2. Event latency: epoch end in the thread (training_epochs.at) → event at the subscriber.
    const eventLatency = async (label, datasetId, algorithm, hyperparameters) => {
      log(`event latency: ${label}...`);
      const jobId = await startJob(datasetId, algorithm, hyperparameters);
      const final = await waitFinal(jobId);
      if (final.status !== 'SUCCEEDED') throw new Error(`${label} job ended ${final.status}`);
      const rows = await ds.query(
        `SELECT epoch, extract(epoch FROM at) * 1000 AS at_ms FROM training_epochs WHERE job_id = $1`,
        [jobId],
      );
      const endedAt = new Map(rows.map((r) => [r.epoch, Number(r.at_ms)]));
      const latencies = arrivals
        .get(jobId)
        .filter((e) => e.change === 'epoch')
        .map((e) => e.at - endedAt.get(e.epoch));
      const epochMs =
        (Math.max(...endedAt.values()) - Math.min(...endedAt.values())) /
        Math.max(1, rows.length - 1);
      return {
        label,
        epochs: latencies.length,
        epochMs,
        p50: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        max: Math.max(...latencies),
      };
    };
    const events = [
      await eventLatency('MLP [32,32], 5,000 rows', medium, 'MLP', {
        epochs: 60,
        hiddenLayers: [32, 32],
        seed: 1,
      }),
      await eventLatency('linear, 200 rows (sub-ms epochs)', tiny, 'LINEAR_REGRESSION', {
        epochs: 300,
        seed: 1,
      }),
    ];

    const result = {
      pickup: {
        jobs: JOBS,
        p50: quantile(pickups, 0.5),
        p95: quantile(pickups, 0.95),
        max: Math.max(...pickups),
        target: 100,
      },
      events: events.map((e) => ({ ...e, target: 250 })),
    };
    if (JSON_OUT) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log('\nTraining jobs: latency (one worker, PostgreSQL LISTEN/NOTIFY)\n');
      console.log('| measure | n | p50 ms | p95 ms | max ms | target p95 |');
      console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
      const p = result.pickup;
      console.log(
        `| job pickup (enqueue commit → RUNNING event) | ${p.jobs} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.max)} | ≤ ${p.target} ms |`,
      );
      for (const e of result.events) {
        console.log(
          `| epoch end → subscriber: ${e.label}, ${ms(e.epochMs)} ms/epoch | ${e.epochs} | ${ms(e.p50)} | ${ms(e.p95)} | ${ms(e.max)} | ≤ ${e.target} ms |`,
        );
      }
    }
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await db.dropDatabase(adminUrl, dbName).catch(() => undefined);
    await server?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
