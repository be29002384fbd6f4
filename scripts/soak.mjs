// `npm run soak`: the service under a steady mixed load for a while, to show it neither errs nor
// grows. Starts a scratch PostgreSQL, the real API and a training worker as processes, measures
// the API's capacity on the mixed workload for a few seconds (closed loop), then drives it at
// half that rate (open loop, requests scheduled on a clock) for `--minutes` (default 10):
// GraphQL predict, OIP infer, GraphQL reads, model uploads, one training job after another, and
// open subscriptions (a training job's progress, a deployment's live stats). Prints, per minute:
// requests, errors, p50/p99 latency; and the API's resident memory at the start and the end.
// Exits 1 when any request failed or RSS grew by 10% or more. Only 127.0.0.1 is contacted.
//   node scripts/soak.mjs [--minutes 10] [--capacity-seconds 5] [--share 0.5]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { getFreePort, startScratchPostgres, runMigrations } = require('@maas/db');
const { buildLinearModel } = require('@maas/onnx');
const { seedExampleCsv } = require('@maas/training');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const MINUTES = option('minutes', 10);
const CAPACITY_SECONDS = option('capacity-seconds', 5);
const SHARE = option('share', 0.5);
const MAX_IN_FLIGHT = 256;
const log = (...parts) => console.error(...parts);

const adminKey = `maas_soak_${randomBytes(18).toString('base64url')}`;
const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
const cleanups = [];

function startProcess(name, main, env) {
  const child = spawn(process.execPath, [path.join(root, main)], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited unexpectedly (${signal ?? code})`);
      process.exitCode = 1;
    }
  });
  cleanups.push(
    () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  );
  return child;
}

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function gql(url, query, variables = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (res.status !== 200 || body.errors)
    throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

// The mixed workload: each kind with its share of requests and how to check the answer.
const PREDICT = `query($input: PredictInput!) { predict(input: $input) { outputs } }`;
const READ = `{ models(first: 20) { totalCount edges { node { name latestVersion { version } aliases { alias } } } } }`;
function workload(url) {
  const x = () => Math.round(Math.random() * 1000) / 100;
  return [
    {
      name: 'predict',
      weight: 40,
      async send() {
        const a = x();
        const b = x();
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            query: PREDICT,
            variables: { input: { model: 'soak-linear', inputs: { input: [[a, b]] } } },
          }),
        });
        const body = await res.json();
        const y = body.data?.predict.outputs.output[0][0];
        return res.status === 200 && !body.errors && Math.abs(y - (2 * a - b + 0.5)) < 1e-3;
      },
    },
    {
      name: 'oip',
      weight: 30,
      async send() {
        const a = x();
        const b = x();
        const res = await fetch(`${url}/v2/models/soak-linear/infer`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 2], data: [a, b] }],
          }),
        });
        const body = await res.json();
        return res.status === 200 && Math.abs(body.outputs[0].data[0] - (2 * a - b + 0.5)) < 1e-3;
      },
    },
    {
      name: 'read',
      weight: 25,
      async send() {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ query: READ }),
        });
        const body = await res.json();
        return res.status === 200 && !body.errors && body.data.models.totalCount >= 2;
      },
    },
    {
      name: 'upload',
      weight: 1,
      async send() {
        const res = await fetch(`${url}/v1/models/soak-uploads/versions`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/octet-stream' },
          body: buildLinearModel({ weights: [[Math.random(), 1]], bias: [0] }),
        });
        await res.arrayBuffer();
        return res.status === 201;
      },
    },
  ];
}

function pick(kinds) {
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  let r = Math.random() * total;
  for (const kind of kinds) {
    r -= kind.weight;
    if (r < 0) return kind;
  }
  return kinds[kinds.length - 1];
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs one request and records it in `bucket`. */
async function record(kind, bucket) {
  const started = performance.now();
  let ok = false;
  try {
    ok = await kind.send();
  } catch {
    ok = false;
  }
  const ms = performance.now() - started;
  bucket.latencies.push(ms);
  (bucket.byKind[kind.name] ??= []).push(ms);
  bucket.requests += 1;
  if (!ok) {
    bucket.errors += 1;
    bucket.errorKinds[kind.name] = (bucket.errorKinds[kind.name] ?? 0) + 1;
  }
}

const newBucket = () => ({ requests: 0, errors: 0, latencies: [], errorKinds: {}, byKind: {} });

/** Closed loop: `concurrency` clients back to back for `seconds`; requests per second. */
async function measureCapacity(kinds, seconds, concurrency = 16) {
  const bucket = newBucket();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await record(pick(kinds), bucket);
    }),
  );
  if (bucket.errors > 0)
    throw new Error(`errors while measuring capacity: ${JSON.stringify(bucket.errorKinds)}`);
  return bucket.requests / seconds;
}

/** Keeps one training job running: when one ends, the next starts. Resolves when stopped. */
function keepTraining(url, ids, bucket, stopped) {
  return (async () => {
    let jobs = 0;
    while (!stopped.value) {
      const started = await gql(
        url,
        `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
        {
          i: {
            modelId: ids.trainedModel,
            datasetId: ids.dataset,
            algorithm: 'MLP',
            target: 'y',
            hyperparameters: { epochs: 200, hiddenLayers: [16, 16] },
          },
        },
      );
      const jobId = started.startTrainingJob.id;
      jobs += 1;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const { trainingJob } = await gql(
          url,
          `query($id: ID!) { trainingJob(id: $id) { status error } }`,
          {
            id: jobId,
          },
        );
        if (trainingJob.status === 'SUCCEEDED') break;
        if (['FAILED', 'CANCELLED'].includes(trainingJob.status)) {
          bucket.trainingFailures += 1;
          log(`training job ${jobId} ${trainingJob.status}: ${trainingJob.error}`);
          break;
        }
        if (stopped.value) return jobs;
      }
    }
    return jobs;
  })();
}

function openSubscriptions(url, ids, counters) {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: auth.authorization },
    retryAttempts: 0,
  });
  const subscribe = (query, variables) =>
    client.subscribe(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) counters.subscriptionErrors += 1;
          else counters.subscriptionEvents += 1;
        },
        error: () => {
          counters.subscriptionErrors += 1;
        },
        complete: () => {},
      },
    );
  for (let i = 0; i < 4; i++)
    subscribe(`subscription { trainingJobsUpdated { id status epoch } }`, {});
  for (let i = 0; i < 4; i++)
    subscribe(
      `subscription($name: String!) { deploymentStatsUpdated(name: $name, windowSeconds: 60) { requests } }`,
      { name: 'soak' },
    );
  return client;
}

let stopping = false;
async function main() {
  log('soak: starting a scratch PostgreSQL…');
  const pg = await startScratchPostgres();
  cleanups.push(() => pg.stop());
  await runMigrations(pg.url);
  const port = await getFreePort();
  const url = `http://127.0.0.1:${port}`;
  const api = startProcess('api', 'apps/api/dist/main.js', {
    DATABASE_URL: pg.url,
    ADMIN_API_KEY: adminKey,
    PORT: String(port),
    HOST: '127.0.0.1',
    ORT_EXECUTION_PROVIDERS: 'cpu',
  });
  startProcess('worker', 'apps/worker/dist/main.js', { DATABASE_URL: pg.url });
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('the API did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Models, a deployment, a dataset.
  const ids = {};
  for (const name of ['soak-linear', 'soak-uploads', 'soak-trained']) {
    const data = await gql(
      url,
      `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
      {
        n: name,
      },
    );
    ids[name] = data.createModel.id;
  }
  ids.trainedModel = ids['soak-trained'];
  const up = await fetch(`${url}/v1/models/soak-linear/versions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: buildLinearModel({ weights: [[2, -1]], bias: [0.5] }),
  });
  if (up.status !== 201) throw new Error(`upload failed: ${up.status}`);
  const version = await up.json();
  await gql(url, `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
    i: {
      name: 'soak',
      modelId: ids['soak-linear'],
      routes: [{ versionId: version.id, weight: 100 }],
    },
  });
  const dataset = await gql(
    url,
    `mutation($csv: String!) { createDataset(name: "soak", csv: $csv) { id } }`,
    {
      csv: seedExampleCsv(2000, 7),
    },
  );
  ids.dataset = dataset.createDataset.id;

  const kinds = workload(url);
  log(`soak: measuring capacity for ${CAPACITY_SECONDS} s (16 clients, mixed workload)…`);
  await measureCapacity(kinds, 1); // warm-up
  const capacity = await measureCapacity(kinds, CAPACITY_SECONDS);
  const rate = capacity * SHARE;
  log(
    `soak: capacity ≈ ${capacity.toFixed(0)} req/s; running at ${rate.toFixed(0)} req/s for ${MINUTES} min`,
  );

  const counters = { subscriptionEvents: 0, subscriptionErrors: 0, trainingFailures: 0 };
  const ws = openSubscriptions(url, ids, counters);
  const stopped = { value: false };
  const training = keepTraining(url, ids, counters, stopped);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rssStart = rssBytes(api.pid);

  const minutes = [];
  let bucket = newBucket();
  let inFlight = 0;
  let skipped = 0;
  const inflight = new Set();
  const startedAt = performance.now();
  const endAt = startedAt + MINUTES * 60_000;
  let nextMinute = startedAt + 60_000;
  let sent = 0;
  // Open loop: every 5 ms, send what the clock says is due.
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((now - startedAt) / 1000) * rate) - sent;
      for (let i = 0; i < due; i++) {
        sent += 1;
        if (inFlight >= MAX_IN_FLIGHT) {
          // The service fell behind by more than MAX_IN_FLIGHT requests: counted as errors.
          skipped += 1;
          bucket.requests += 1;
          bucket.errors += 1;
          bucket.errorKinds.overload = (bucket.errorKinds.overload ?? 0) + 1;
          continue;
        }
        inFlight += 1;
        const p = record(pick(kinds), bucket).finally(() => {
          inFlight -= 1;
          inflight.delete(p);
        });
        inflight.add(p);
      }
      if (now >= nextMinute || now >= endAt) {
        minutes.push({ ...bucket, rss: rssBytes(api.pid) });
        bucket = newBucket();
        nextMinute += 60_000;
        log(
          `soak: minute ${minutes.length}: ${minutes.at(-1).requests} requests, ${minutes.at(-1).errors} errors`,
        );
      }
      if (now >= endAt) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(inflight);
  stopped.value = true;
  const jobs = await training;
  const rssEnd = rssBytes(api.pid);
  await ws.dispose();

  const rows = minutes.map((m, i) => {
    const sorted = [...m.latencies].sort((a, b) => a - b);
    return `| ${i + 1} | ${m.requests} | ${m.errors} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${(m.rss / 2 ** 20).toFixed(0)} |`;
  });
  const kindRows = kinds.map((kind) => {
    const all = minutes.flatMap((m) => m.byKind[kind.name] ?? []).sort((a, b) => a - b);
    return `| ${kind.name} | ${all.length} | ${percentile(all, 50).toFixed(2)} | ${percentile(all, 99).toFixed(2)} |`;
  });
  const total = minutes.reduce((s, m) => s + m.requests, 0);
  const errors = minutes.reduce((s, m) => s + m.errors, 0);
  const growth = rssEnd / rssStart - 1;
  console.log(
    [
      `Soak: ${MINUTES} min at ${rate.toFixed(0)} req/s (${(SHARE * 100).toFixed(0)}% of the measured ${capacity.toFixed(0)} req/s), mixed: 40% GraphQL predict, 30% OIP infer, 25% GraphQL reads, 1% uploads; one training job after another; 8 open subscriptions.`,
      '',
      '| minute | requests | errors | p50 ms | p99 ms | API RSS MiB |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      '| kind | requests | p50 ms | p99 ms |',
      '| --- | --- | --- | --- |',
      ...kindRows,
      '',
      `requests: ${total}, errors: ${errors}${skipped ? ` (${skipped} not sent: over ${MAX_IN_FLIGHT} in flight)` : ''}`,
      `training jobs finished: ${jobs} (${counters.trainingFailures} failed); subscription events: ${counters.subscriptionEvents}, subscription errors: ${counters.subscriptionErrors}`,
      `API RSS: ${(rssStart / 2 ** 20).toFixed(0)} MiB at start, ${(rssEnd / 2 ** 20).toFixed(0)} MiB at end (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%)`,
    ].join('\n'),
  );
  if (
    errors > 0 ||
    counters.trainingFailures > 0 ||
    counters.subscriptionErrors > 0 ||
    growth >= 0.1
  )
    process.exitCode = 1;
}

async function cleanup() {
  stopping = true;
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
}

process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
main()
  .catch((err) => {
    log(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => void cleanup());
