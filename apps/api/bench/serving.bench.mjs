// Serving benchmark (issue 3, item 7): one model, one run, the same client concurrencies, five ways:
//   (a) raw session.run in this process (no HTTP): the floor
//   (b) a bare node:http server doing JSON → session.run → JSON (bare-server.mjs)
//   (c) our OIP endpoint on the real API, (d) our GraphQL predict, (e) (c) with batching off,
//   and on request (--only …,f,g) (f) and (g): (c) and (d) on an API with INFERENCE_ISOLATION=thread
//   (models in its own worker threads), to price the default isolation (child processes) in one run,
//   (h) (c) with the tensor as OIP binary data both ways, and (a8) (a32) raw session.run on
//   batches of 8 and 32 samples (their "req/s" column counts samples per second)
// --model mlp (default: MLP 10 → 64 → 64 → 1, 13 µs a call) or --model cnn (@maas/onnx
//   buildCnnModel: 1×28×28 → 10, 29 M multiply-accumulates, ~0.7 ms a sample): the same setups on a
//   compute-bound model; its table goes to its own section of BENCHMARKS.md with --write
// Load: autocannon (closed loop, one request in flight per connection) against 127.0.0.1; the
// servers run in child processes so the load generator does not share their event loop.
// Latencies are recorded per response with sub-millisecond precision (autocannon's own histogram
// rounds to whole milliseconds). Run after a build (`npm run bench:inference`):
//   node apps/api/bench/serving.bench.mjs [--rounds 3] [--seconds 3] [--warmup 0.5]
//     [--only a,b,c,d,e] [--concurrency 1,16,64] [--write] [--profile DIR] [--rate-limit RPS]
//     [--model mlp|cnn] [--baseline DIR] [--tail]
// Each cell is measured in `rounds` rounds interleaved with the other setups (all servers stay up
// for the whole run), and the median round is reported: on a shared machine, load from elsewhere
// then hits every setup alike instead of whichever one ran at the time.
// --write replaces the generated section of BENCHMARKS.md; --profile DIR writes a CPU profile of
// the API process for each measured API cell into DIR (summarize-cpu-profile.mjs reads them).
// --baseline DIR (an A/B in one run): DIR is another built checkout of this repository (e.g. a
// worktree of main); its bench/api-server.mjs runs as a further API against the same PostgreSQL,
// measured as (c0) and (d0) beside (c) and (d), so a change's before and after share every round.
// --tail (not with --profile) records, in every measured API cell, each request's time inside the
// API, its engine call and the API's GC pauses (api-server.mjs, tail-summary.mjs), and prints a
// second table: where the slow requests (over 1 ms in the API) spend their time.
// --rate-limit RPS gives the benchmark key's workspace a request rate (set it above what the run
// reaches) and a daily prediction quota of 10^12 rows, so every API request pays its token-bucket
// check and its in-memory daily-quota admission.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuModel,
  median,
  percentile,
  processCpuSplit,
  startServerChild,
  threadCpuSeconds,
} from '@maas/testing/bench-stats';
import { PARTS, SLOW_MS } from './tail-summary.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const ort = require('onnxruntime-node');
const { buildCnnModel, buildMlpModel } = require('@maas/onnx');

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const MODEL = option('model', 'mlp');
if (MODEL !== 'mlp' && MODEL !== 'cnn') throw new Error('--model is mlp or cnn');
const SECONDS = Number(option('seconds', process.env.BENCH_SECONDS ?? 3));
const ROUNDS = Number(option('rounds', process.env.BENCH_ROUNDS ?? 3));
const WARMUP = Number(option('warmup', 0.5));
const ONLY = new Set(
  option('only', MODEL === 'cnn' ? 'a,a8,a32,b,c,d,e,h' : 'a,b,c,d,e').split(','),
);
const CONCURRENCY = option('concurrency', '1,16,64').split(',').map(Number);
const PROFILE_DIR = option('profile', undefined);
const WRITE = args.includes('--write');
const RATE_LIMIT = option('rate-limit', undefined);
const BASELINE = option('baseline', undefined);
const TAIL = args.includes('--tail');
// Node options for this checkout's API processes ((c)-(h)), not the --baseline one: e.g.
// `--api-node-args=--max-semi-space-size=16` with `--baseline .` measures a V8 setting A/B.
const API_NODE_ARGS = (args.find((a) => a.startsWith('--api-node-args='))?.slice(16) ?? '')
  .split(' ')
  .filter(Boolean);
if (TAIL && PROFILE_DIR) throw new Error('--tail and --profile measure different things: pick one');

const log = (...parts) => console.error(...parts);

const SETUPS = {
  a: '(a) raw session.run, one process, no HTTP',
  a8: '(a8) raw session.run, batches of 8 (samples/s)',
  a32: '(a32) raw session.run, batches of 32 (samples/s)',
  b: '(b) bare node:http, JSON → session.run → JSON',
  c: '(c) OIP infer on the API',
  c0: '(c0) OIP infer on the --baseline API',
  d: '(d) GraphQL predict on the API',
  d0: '(d0) GraphQL predict on the --baseline API',
  e: '(e) OIP infer, batching off',
  f: '(f) OIP infer, INFERENCE_ISOLATION=thread',
  g: '(g) GraphQL predict, INFERENCE_ISOLATION=thread',
  h: '(h) OIP infer, binary tensor data both ways',
};

// The benchmark model, one sample per request: MLP 10 → 64 → 64 → 1, or the CNN (1×28×28 → 10).
const MODELS = {
  mlp: () => {
    const built = buildMlpModel({ inputSize: 10, hiddenLayers: [64, 64], outputSize: 1, seed: 1 });
    const row = Array.from({ length: 10 }, (_, i) => Math.fround(((i * 37) % 11) / 11 - 0.4));
    return {
      bytes: built.bytes,
      task: 'REGRESSION',
      shape: [1, 10],
      sample: row,
      nested: [row],
      expected: built.forward([row])[0][0],
      describe: 'MLP 10 → 64 → 64 → 1 (@maas/onnx buildMlpModel)',
    };
  },
  cnn: () => {
    const built = buildCnnModel();
    const sample = Array.from({ length: 784 }, (_, i) => Math.fround(((i * 37) % 29) / 29 - 0.5));
    const image = Array.from({ length: 28 }, (_, y) => sample.slice(y * 28, y * 28 + 28));
    return {
      bytes: built.bytes,
      task: 'OTHER',
      shape: [1, 1, 28, 28],
      sample,
      nested: [[image]],
      expected: built.forward([Float32Array.from(sample)])[0][0],
      describe: `CNN 1×28×28 → 10 (@maas/onnx buildCnnModel: 32 channels, 2 residual blocks, ${(built.macsPerSample / 1e6).toFixed(0)} M multiply-accumulates a sample)`,
    };
  },
};
const model = MODELS[MODEL]();
const row = model.sample;
const expected = model.expected;
const oipBody = JSON.stringify({
  inputs: [{ name: 'input', datatype: 'FP32', shape: model.shape, data: row }],
});
const graphqlBody = JSON.stringify({
  query: 'query($input: PredictInput!) { predict(input: $input) { outputs } }',
  variables: { input: { model: 'bench', inputs: { input: model.nested } } },
});
// (h): the OIP binary tensor extension: a JSON header, then the input's float32 bytes; the
// output asked for in binary too.
const binaryHeader = Buffer.from(
  JSON.stringify({
    inputs: [
      {
        name: 'input',
        datatype: 'FP32',
        shape: model.shape,
        parameters: { binary_data_size: row.length * 4 },
      },
    ],
    parameters: { binary_data_output: true },
  }),
);
const binaryBody = Buffer.concat([binaryHeader, Buffer.from(Float32Array.from(row).buffer)]);

/** The first output value of a binary OIP answer (header length in its response header). */
function firstBinaryOutput(bytes, headerLength) {
  const header = JSON.parse(bytes.subarray(0, headerLength).toString('utf8'));
  if (!header.outputs?.[0]?.parameters?.binary_data_size) throw new Error('no binary output');
  return bytes.readFloatLE(headerLength);
}

/** `cpuSeconds`: CPU the serving process used during the cell, for µs of server CPU per request. */
// `ownSeconds`: the part of `cpuSeconds` spent in the server process itself (the rest in its
// inference children), when known.
function summarize(latencies, seconds, errors, cpuSeconds, ownSeconds) {
  latencies.sort((x, y) => x - y);
  const per = (s) => (s !== undefined && latencies.length > 0 ? (s * 1e6) / latencies.length : NaN);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    p999: percentile(latencies, 0.999),
    overOneMs: latencies.length ? latencies.filter((l) => l > 1).length / latencies.length : NaN,
    errors,
    cpuMicros: per(cpuSeconds),
    ownCpuMicros: per(ownSeconds),
  };
}

function checkOutput(value, what) {
  if (
    typeof value !== 'number' ||
    Math.abs(value - expected) > 1e-4 * Math.max(1, Math.abs(expected))
  ) {
    throw new Error(`${what} answered ${JSON.stringify(value)}, expected ${expected}`);
  }
}

// (a): closed-loop callers awaiting session.run directly, with the engine's session settings.
async function measureRaw(concurrency, seconds, batch = 1) {
  const session = (measureRaw.session ??= await ort.InferenceSession.create(model.bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  }));
  const batched = new Float32Array(row.length * batch);
  for (let i = 0; i < batch; i++) batched.set(row, i * row.length);
  const feeds = () => ({
    input: new ort.Tensor('float32', batched.slice(), [batch, ...model.shape.slice(1)]),
  });
  checkOutput((await session.run(feeds())).output.data[0], 'session.run');
  const loop = async (until, latencies) => {
    while (performance.now() < until) {
      const started = performance.now();
      await session.run(feeds());
      latencies?.push(performance.now() - started);
    }
  };
  const warm = performance.now() + WARMUP * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => loop(warm)));
  const latencies = [];
  const cpuBefore = process.cpuUsage();
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => loop(until, latencies)));
  const cpu = process.cpuUsage(cpuBefore);
  // Per sample: a batch of `batch` counts as that many answers.
  const perSample = latencies.flatMap((l) => Array.from({ length: batch }, () => l));
  return summarize(perSample, seconds, 0, (cpu.user + cpu.system) / 1e6);
}

function runAutocannon(options, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ ...options, pipelining: 1, timeout: 10 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
    if (onResponse) instance.on('response', onResponse);
  });
}

// (b)-(e): autocannon with `concurrency` connections, one request in flight on each.
// `profile`: profile the server during this cell (with --profile).
async function measureHttp({ request, server }, concurrency, seconds, profile) {
  const base = { ...request, connections: concurrency };
  await runAutocannon({ ...base, duration: WARMUP });
  const latencies = [];
  let failed = 0;
  const profiled = PROFILE_DIR && profile && server.profile ? server : undefined;
  if (profiled) await profiled.profile();
  const traced = TAIL && server.profile ? server : undefined;
  if (traced) await traced.profile();
  const cpuBefore = processCpuSplit(server.pid);
  const threadsBefore = threadCpuSeconds(server.pid);
  const result = await runAutocannon(
    { ...base, duration: seconds },
    (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else failed++;
    },
  );
  const cpuAfter = processCpuSplit(server.pid);
  const threadsAfter = threadCpuSeconds(server.pid);
  if (profiled) await profiled.profile();
  const tail = traced ? await traced.profile() : undefined;
  const known = cpuBefore !== undefined && cpuAfter !== undefined;
  const own = known ? cpuAfter.own - cpuBefore.own : undefined;
  const cpu = known ? own + cpuAfter.children - cpuBefore.children : undefined;
  const cell = summarize(latencies, seconds, failed + result.errors + result.timeouts, cpu, own);
  // The server process's CPU per request on its main thread and on its other threads.
  if (threadsBefore && threadsAfter && latencies.length > 0)
    cell.threads = Object.fromEntries(
      Object.keys(threadsAfter).map((k) => [
        k,
        ((threadsAfter[k] - (threadsBefore[k] ?? 0)) * 1e6) / latencies.length,
      ]),
    );
  return tail ? { ...cell, tail } : cell;
}

/** Starts a server script in a child process; resolves with its URL, pid and a stop function. */
async function startChild(script, env, { profiler = false, nodeArgs = [] } = {}) {
  let profileWritten;
  const server = await startServerChild(path.resolve(here, script), {
    env,
    nodeArgs,
    log,
    onMessage: (message) => {
      if (message.profile) {
        log(`[${script}] CPU profile: ${message.profile}`);
        profileWritten?.();
      } else if (message.tail) {
        profileWritten?.(message.tail);
      } else {
        log(`[${script}] ${JSON.stringify(message)}`);
      }
    },
  });
  let profiling = false;
  return {
    ...server,
    // Toggles the child's profiler or tail recorder (api-server.mjs only: SIGUSR2 would kill
    // another child); resolves once a stopped profile is written, or with the tail.
    profile: profiler
      ? () =>
          new Promise((done) => {
            profiling = !profiling;
            if (profiling) setTimeout(done, 50);
            else profileWritten = done;
            server.child.kill('SIGUSR2');
          })
      : undefined,
  };
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

const results = {}; // results[setup][concurrency] = { rps, p50, p99, errors, rounds }

function machine() {
  const model = cpuModel();
  const ortVersion = require('onnxruntime-node/package.json').version;
  return `${model}, ${availableParallelism()} cores, Node ${process.versions.node}, onnxruntime-node ${ortVersion} (CPU)`;
}

function table() {
  const lines = [
    '| setup | c | req/s [range] | p50 ms | p99 ms | × (b) req/s | server CPU µs/req | × (b) CPU-normalised |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const key of Object.keys(SETUPS)) {
    for (const c of CONCURRENCY) {
      const r = results[key]?.[c];
      if (!r) continue;
      const b = results.b?.[c];
      const ratio = b ? `${(r.rps / b.rps).toFixed(2)}×` : 'n/a';
      const errors = r.errors ? `, ${r.errors} errors` : '';
      const spread =
        r.spread[0] !== r.spread[1]
          ? ` [${Math.round(r.spread[0])}–${Math.round(r.spread[1])}${errors}]`
          : errors;
      const cpu = Number.isFinite(r.cpuMicros) ? Math.round(r.cpuMicros) : 'n/a';
      const cpuRatio =
        b && Number.isFinite(r.cpuMicros) && Number.isFinite(b.cpuMicros)
          ? `${(b.cpuMicros / r.cpuMicros).toFixed(2)}×`
          : 'n/a';
      lines.push(
        `| ${SETUPS[key]} | ${c} | ${Math.round(r.rps)}${spread} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${ratio} | ${cpu} | ${cpuRatio} |`,
      );
    }
  }
  return lines.join('\n');
}

/** --tail: the client's latencies beside the API's own record of the same cells (medians of rounds). */
function tailTables() {
  const ms = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : 'n/a');
  const cells = [];
  for (const key of Object.keys(SETUPS))
    for (const c of CONCURRENCY) if (results[key]?.[c]?.tails?.length) cells.push([key, c]);
  const m = (r, pick) => median(r.tails.map(pick));
  const sum = (r, pick) => r.tails.reduce((n, t) => n + (pick(t) ?? 0), 0);
  const pair = (r, part) => `${ms(m(r, (t) => t[part].p50))} / ${ms(m(r, (t) => t[part].p99))}`;
  const distributions = [
    '| setup | c | client p50 / p99 / p99.9 ms (share > 1 ms) | in the API p50 / p99 / p99.9 ms | engine.infer p50 / p99 ms | pool call p50 / p99 ms | run in the child p50 / p99 ms | API GC pauses: n, max ms, share of wall | API process CPU µs/req: main thread / other threads |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...cells.map(([key, c]) => {
      const r = results[key][c];
      return (
        `| ${SETUPS[key]} | ${c} | ${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.p999)} (${pct(r.overOneMs)}) | ` +
        `${ms(m(r, (t) => t.request.p50))} / ${ms(m(r, (t) => t.request.p99))} / ${ms(m(r, (t) => t.request.p999))} | ` +
        `${pair(r, 'engine')} | ${pair(r, 'poolCall')} | ${pair(r, 'run')} | ` +
        `${Math.round(m(r, (t) => t.gc.n))}, ${ms(m(r, (t) => t.gc.max))}, ${pct(m(r, (t) => t.gc.shareOfWall))} | ` +
        `${r.threads ? ['main', 'other'].map((k) => Math.round(r.threads[k])).join(' / ') : 'n/a'} |`
      );
    }),
  ];
  const sequential = cells.filter(([key, c]) => results[key][c].tails[0].parts);
  const parts = (medians) => PARTS.map((p) => ms(medians[p])).join(' / ');
  const counts = (r, group) => PARTS.map((p) => sum(r, (t) => t[group].byCause[p])).join(' / ');
  const attribution = [
    `| setup | c | parts of the median request, ms: ${PARTS.join(' / ')} | API process CPU / its main thread busy per request, p50 ms | requests over ${SLOW_MS} ms in the API: share; largest part ${PARTS.join(' / ')} | slowest 1 %: n; median wall / process CPU / main thread busy ms | slowest 1 %: median parts ms | slowest 1 %: largest part ${PARTS.join(' / ')} |`,
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
    ...sequential.map(([key, c]) => {
      const r = results[key][c];
      const medians = Object.fromEntries(PARTS.map((p) => [p, m(r, (t) => t.parts[p].p50)]));
      const top = Object.fromEntries(PARTS.map((p) => [p, m(r, (t) => t.top1.medianMs[p])]));
      return (
        `| ${SETUPS[key]} | ${c} | ${parts(medians)} | ${ms(m(r, (t) => t.cpu.p50))} / ${ms(m(r, (t) => t.mainBusy.p50))} | ` +
        `${pct(m(r, (t) => t.slow.share))}; ${counts(r, 'slow')} | ` +
        `${sum(r, (t) => t.top1.n)}; ${ms(m(r, (t) => t.top1.medianMs.total))} / ${ms(m(r, (t) => t.top1.medianMs.cpu))} / ${ms(m(r, (t) => t.top1.medianMs.mainBusy))} | ` +
        `${parts(top)} | ${counts(r, 'top1')} |`
      );
    }),
  ];
  return [distributions.join('\n'), '', attribution.join('\n')].join('\n');
}

function targets() {
  const at = (key, c) => results[key]?.[c];
  const check = (label, value, goal, cmp, unit) => {
    if (value === undefined || Number.isNaN(value)) return `- ${label}: not measured`;
    const met = cmp === '>=' ? value >= goal : value <= goal;
    return `- ${label}: ${value.toFixed(2)}${unit} (target ${cmp === '>=' ? '≥' : '≤'} ${goal}${unit}): **${met ? 'met' : 'missed'}**`;
  };
  const ratio = (x, y) => (x && y ? x.rps / y.rps : undefined);
  if (MODEL === 'cnn')
    return [
      check('batching: (c) vs (e) at c=64', ratio(at('c', 64), at('e', 64)), 2, '>=', '×'),
      ...CONCURRENCY.map((c) =>
        check(
          `(h) OIP binary vs (a) raw, one sample, c=${c}`,
          ratio(at('h', c), at('a', c)),
          0.8,
          '>=',
          '×',
        ),
      ),
      // At c=64 the engine forms batches of up to 32 rows from one-sample requests: the raw
      // run it is compared with is session.run on batches of 32, one at a time.
      check(
        '(h) OIP binary at c=64 vs (a32) raw batches of 32 at c=1',
        ratio(at('h', 64), at('a32', 1)),
        0.8,
        '>=',
        '×',
      ),
      check('(c) OIP vs (b) at c=64', ratio(at('c', 64), at('b', 64)), 0.8, '>=', '×'),
    ].join('\n');
  // Issue 13's targets (serving speed).
  return [
    check('(c) OIP vs (b) at c=64', ratio(at('c', 64), at('b', 64)), 0.8, '>=', '×'),
    check('(c) OIP vs (b) at c=1', ratio(at('c', 1), at('b', 1)), 0.7, '>=', '×'),
    check('(d) GraphQL vs (b) at c=64', ratio(at('d', 64), at('b', 64)), 0.6, '>=', '×'),
    check('batching: (c) vs (e) at c=64', ratio(at('c', 64), at('e', 64)), 2, '>=', '×'),
    check('(d) GraphQL p99 at c=1', at('d', 1)?.p99, 1, '<=', ' ms'),
    // The default isolation (child processes) against models in the API's threads, within 10 %.
    ...(results.f || results.g ? CONCURRENCY : []).flatMap((c) => [
      check(`isolation: (c) vs (f) at c=${c}`, ratio(at('c', c), at('f', c)), 0.9, '>=', '×'),
      check(`isolation: (d) vs (g) at c=${c}`, ratio(at('d', c), at('g', c)), 0.9, '>=', '×'),
    ]),
  ].join('\n');
}

/**
 * Sets the `default` workspace's requests_per_second (the benchmark's root key lives there) and
 * announces it as setWorkspaceQuota does, so running APIs reload the key's limits.
 */
async function setDefaultWorkspaceRate(url, requestsPerSecond) {
  const { Client } = require('pg');
  const { WORKSPACE_QUOTA_CHANNEL } = require('@maas/db');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      "UPDATE workspaces SET requests_per_second = $1, max_predictions_per_day = 1e12 WHERE name = 'default'",
      [requestsPerSecond],
    );
    await client.query('SELECT pg_notify($1, $2)', [WORKSPACE_QUOTA_CHANNEL, '{}']);
  } finally {
    await client.end();
  }
  log(`default workspace limited to ${requestsPerSecond} requests per second, 10^12 rows a day`);
}

/** Starts PostgreSQL and the two API processes, uploads the model; resolves with what (c)-(e) need. */
async function startApis(stack) {
  const { startScratchPostgres, runMigrations } = require('@maas/db');
  log('starting a scratch PostgreSQL…');
  const pg = await startScratchPostgres();
  stack.push(() => pg.stop());
  await runMigrations(pg.url);
  log('migrated; starting the API (batching on)…');
  const adminKey = `maas_bench_${randomBytes(18).toString('base64url')}`;
  const env = { BENCH_DATABASE_URL: pg.url, BENCH_ADMIN_KEY: adminKey };
  const profileEnv = (name) =>
    PROFILE_DIR
      ? { BENCH_PROFILE_DIR: path.resolve(PROFILE_DIR), BENCH_PROFILE_NAME: name }
      : TAIL
        ? { BENCH_TAIL: '1' }
        : {};
  const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const api = await startChild(
    'api-server.mjs',
    { ...env, ...profileEnv('api-batching-on') },
    { profiler: Boolean(PROFILE_DIR) || TAIL, nodeArgs: API_NODE_ARGS },
  );
  stack.push(() => api.stop());
  await post(
    `${api.url}/graphql`,
    JSON.stringify({
      query: `mutation { createModel(input: { name: "bench", task: ${model.task} }) { id } }`,
    }),
    auth,
  );
  const upload = await fetch(`${api.url}/v1/models/bench/versions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: model.bytes,
  });
  if (upload.status !== 201)
    throw new Error(`upload: HTTP ${upload.status} ${await upload.text()}`);
  if ((await upload.json()).sha256 !== createHash('sha256').update(model.bytes).digest('hex'))
    throw new Error('upload: sha256 mismatch');
  if (RATE_LIMIT !== undefined) await setDefaultWorkspaceRate(pg.url, Number(RATE_LIMIT));
  log(`API at ${api.url}; model uploaded; starting the API with batching off…`);
  const unbatched = await startChild(
    'api-server.mjs',
    { ...env, BENCH_BATCHING: 'off', ...profileEnv('api-batching-off') },
    { profiler: Boolean(PROFILE_DIR) || TAIL, nodeArgs: API_NODE_ARGS },
  );
  stack.push(() => unbatched.stop());
  const oip = (server) => ({
    request: {
      url: `${server.url}/v2/models/bench/infer`,
      method: 'POST',
      headers: auth,
      body: oipBody,
    },
    server,
  });
  const setups = {
    c: oip(api),
    d: {
      request: { url: `${api.url}/graphql`, method: 'POST', headers: auth, body: graphqlBody },
      server: api,
    },
    e: oip(unbatched),
    h: {
      request: {
        url: `${api.url}/v2/models/bench/infer`,
        method: 'POST',
        headers: {
          authorization: auth.authorization,
          'content-type': 'application/octet-stream',
          'inference-header-content-length': String(binaryHeader.length),
        },
        body: binaryBody,
      },
      server: api,
    },
  };
  if (BASELINE) {
    log(`starting the baseline API from ${BASELINE}…`);
    const baseline = await startChild(
      path.resolve(BASELINE, 'apps/api/bench/api-server.mjs'),
      { ...env, ...profileEnv('api-baseline') },
      { profiler: Boolean(PROFILE_DIR) || TAIL },
    );
    stack.push(() => baseline.stop());
    setups.c0 = oip(baseline);
    setups.d0 = {
      request: { url: `${baseline.url}/graphql`, method: 'POST', headers: auth, body: graphqlBody },
      server: baseline,
    };
    checkOutput((await post(setups.c0.request.url, oipBody, auth)).outputs[0].data[0], '(c0)');
  }
  if (ONLY.has('f') || ONLY.has('g')) {
    log('starting the API with INFERENCE_ISOLATION=thread…');
    const threaded = await startChild(
      'api-server.mjs',
      { ...env, INFERENCE_ISOLATION: 'thread', ...profileEnv('api-thread') },
      { profiler: Boolean(PROFILE_DIR) || TAIL, nodeArgs: API_NODE_ARGS },
    );
    stack.push(() => threaded.stop());
    setups.f = oip(threaded);
    setups.g = {
      request: { url: `${threaded.url}/graphql`, method: 'POST', headers: auth, body: graphqlBody },
      server: threaded,
    };
    checkOutput((await post(setups.f.request.url, oipBody, auth)).outputs[0].data[0], '(f)');
  }
  checkOutput((await post(setups.c.request.url, oipBody, auth)).outputs[0].data[0], '(c)');
  checkOutput(
    (await post(setups.d.request.url, graphqlBody, auth)).data?.predict?.outputs?.output?.[0]?.[0],
    '(d)',
  );
  checkOutput((await post(setups.e.request.url, oipBody, auth)).outputs[0].data[0], '(e)');
  if (ONLY.has('h')) {
    const res = await fetch(setups.h.request.url, {
      method: 'POST',
      headers: setups.h.request.headers,
      body: binaryBody,
    });
    if (!res.ok) throw new Error(`(h): HTTP ${res.status} ${await res.text()}`);
    const headerLength = Number(res.headers.get('inference-header-content-length'));
    checkOutput(firstBinaryOutput(Buffer.from(await res.arrayBuffer()), headerLength), '(h)');
  }
  return setups;
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg();
  log(`machine: ${machine()}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  log(
    `${ROUNDS} rounds × ${SECONDS} s per cell (after ${WARMUP} s of warm-up each); concurrency ${CONCURRENCY.join(', ')}`,
  );
  const stack = []; // stop functions, run in reverse
  // Ctrl-C or a timeout must not leave servers or a PostgreSQL behind.
  const interrupted = (signal) => {
    log(`${signal}: stopping the servers…`);
    const stops = stack.splice(0).reverse();
    (async () => {
      for (const stop of stops) await stop();
    })().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const scratch = mkdtempSync(path.join(tmpdir(), 'maas-bench-'));
  stack.push(() => rmSync(scratch, { recursive: true, force: true }));
  try {
    // Every server runs (idle when not measured) for the whole run, so the rounds can interleave.
    const setups = { a: { raw: 1 }, a8: { raw: 8 }, a32: { raw: 32 } };
    if (ONLY.has('b')) {
      const modelPath = path.join(scratch, `${MODEL}.onnx`);
      writeFileSync(modelPath, model.bytes);
      const bare = await startChild('bare-server.mjs', { BENCH_MODEL_PATH: modelPath });
      stack.push(() => bare.stop());
      setups.b = {
        request: {
          url: `${bare.url}/v2/models/bench/infer`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: oipBody,
        },
        server: bare,
      };
      checkOutput((await post(setups.b.request.url, oipBody)).outputs[0].data[0], '(b)');
    }
    if (['c', 'c0', 'd', 'd0', 'e', 'f', 'g', 'h'].some((k) => ONLY.has(k)))
      Object.assign(setups, await startApis(stack));
    const keys = Object.keys(SETUPS).filter((k) => ONLY.has(k) && setups[k]);
    // JIT, connection pools and caches warm before anything counts.
    log('warming up every setup…');
    for (const key of keys) {
      if (setups[key].raw) await measureRaw(16, 2, setups[key].raw);
      else await runAutocannon({ ...setups[key].request, connections: 16, duration: 2 });
    }

    for (const c of CONCURRENCY) {
      const rounds = Object.fromEntries(keys.map((k) => [k, []]));
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order each round so no setup always follows the same neighbour.
        const order = keys.map((_, i) => keys[(i + round) % keys.length]);
        for (const key of order) {
          const setup = setups[key];
          const cell = setup.raw
            ? await measureRaw(c, SECONDS, setup.raw)
            : await measureHttp(setup, c, SECONDS, round === 0);
          rounds[key].push(cell);
          log(
            `${SETUPS[key]} c=${c} round ${round + 1}: ${Math.round(cell.rps)} req/s, p50 ${cell.p50.toFixed(2)} ms, p99 ${cell.p99.toFixed(2)} ms, ` +
              `${Math.round(cell.cpuMicros)} µs CPU/req` +
              (Number.isFinite(cell.ownCpuMicros) && cell.ownCpuMicros !== cell.cpuMicros
                ? ` (${Math.round(cell.ownCpuMicros)} in the server process, ${Math.round(cell.cpuMicros - cell.ownCpuMicros)} in its children)`
                : '') +
              (cell.threads
                ? `; server process by thread µs/req: ${Object.entries(cell.threads)
                    .map(([k, v]) => `${k} ${Math.round(v)}`)
                    .join(', ')}`
                : '') +
              (cell.errors ? `, ${cell.errors} errors` : ''),
          );
        }
      }
      for (const key of keys) {
        results[key] ??= {};
        const cells = rounds[key];
        results[key][c] = {
          rps: median(cells.map((r) => r.rps)),
          p50: median(cells.map((r) => r.p50)),
          p99: median(cells.map((r) => r.p99)),
          p999: median(cells.map((r) => r.p999)),
          overOneMs: median(cells.map((r) => r.overOneMs)),
          tails: cells.map((r) => r.tail).filter(Boolean),
          threads: cells[0]?.threads
            ? Object.fromEntries(
                Object.keys(cells[0].threads).map((k) => [
                  k,
                  median(cells.map((r) => r.threads?.[k] ?? NaN)),
                ]),
              )
            : undefined,
          cpuMicros: median(cells.map((r) => r.cpuMicros)),
          errors: cells.reduce((n, r) => n + r.errors, 0),
          spread: [Math.min(...cells.map((r) => r.rps)), Math.max(...cells.map((r) => r.rps))],
        };
      }
    }
  } finally {
    for (const stop of stack.splice(0).reverse()) await stop();
  }

  const loadAfter = loadavg();
  const report = [
    `Machine: ${machine()}. Load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadAfter
      .map((l) => l.toFixed(2))
      .join(
        ' / ',
      )} at the end. Run on ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round((Date.now() - started) / 1000)} s: ${ROUNDS} interleaved rounds of ${SECONDS} s per cell (each after ${WARMUP} s of warm-up), median of the rounds, req/s range over the rounds in brackets. Model: ${model.describe}, one sample per request, JSON both ways unless said.`,
    '',
    table(),
    ...(TAIL
      ? [
          '',
          `Where the time goes (--tail): the client's latencies beside the API's own record of the same cells (medians of the rounds). In the API: each request from the HTTP server's \`request\` event to the answer's \`finish\` (and the CPU its process used meanwhile), its engine.infer call, the engine's pool call (the frame to the inference child and back) and the run's own time in the child, and V8's GC pauses on the API's main thread. With one request in flight (c=1) each request is split into parts: api (HTTP, Fastify, auth, limits, GraphQL, encoding and writing the answer), gc, batcher (the rest of engine.infer), hop (the rest of the pool call: frames, the child waking and answering) and run; requests over ${SLOW_MS} ms and the slowest 1 % are put down to their largest part (counts summed over the rounds).`,
          '',
          tailTables(),
        ]
      : []),
    '',
    'Targets:',
    '',
    targets(),
  ].join('\n');
  console.log(report);
  if (WRITE) writeReport(report);
}

const MARK = MODEL === 'cnn' ? 'serving-bench-cnn' : 'serving-bench';
const START = `<!-- ${MARK}:start (generated by bench/serving.bench.mjs${MODEL === 'cnn' ? ' --model cnn' : ''} --write) -->`;
const END = `<!-- ${MARK}:end -->`;

function writeReport(report) {
  const file = path.join(here, '..', 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const section = `${START}\n${report}\n${END}`;
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  const next =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${section}${text.slice(to + END.length)}`
      : `${text.trimEnd()}\n\n## Serving benchmark${MODEL === 'cnn' ? ', compute-bound model (CNN)' : ''}\n\n${section}\n`;
  writeFileSync(file, next);
  log(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
