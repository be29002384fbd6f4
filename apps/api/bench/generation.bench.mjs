// Generation benchmark (issue 11): one bundle, one run, side by side:
//   (peer) transformers.js `generate` in a process of its own, one request at a time, greedy
//   (maas) the real API (api-server.mjs: Fastify, auth, the generation engine in its child
//          processes with continuous batching) through `POST /v1/completions` with
//          `stream: true`, at 1, 4, 16 and 64 concurrent streams, temperature 0
// on the tiny GPT-2 bundle of @maas/testing, uploaded as a tar. Every generation runs the full
// `--max-tokens` (the prompt is chosen so that greedy decoding meets no EOS), and every streamed
// text is checked against the peer's greedy text: the run stops on the first difference.
// Run after a build (`npm run bench:generation`):
//   node apps/api/bench/generation.bench.mjs [--seconds 5] [--rounds 3] [--warmup 1]
//     [--concurrency 1,4,16,64] [--max-tokens 48] [--profile DIR]
// --profile DIR runs the API process with `--cpu-prof` (a profile of its main thread over the whole
// run, written into DIR when it exits); run it with one --concurrency to profile one cell.
// Each cell is measured in `rounds` rounds interleaved with the other cells (the API and the peer
// stay up for the whole run) and the median round is reported, so load from elsewhere on a shared
// machine hits every cell alike. Streams are closed loops: each sends its next request when the
// previous one ends. Tokens count when they arrive inside the cell's window; requests still
// running at its end are drained (their later tokens do not count) before the next cell.
import { fork } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
} from '@maas/testing/bench-stats';

const require = createRequire(import.meta.url);
const { tarBundle, writeTinyGpt2Bundle } = require('@maas/testing');
const { AutoModelForCausalLM, AutoTokenizer, env } = require('@huggingface/transformers');

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
function positive(name, value, max) {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`--${name} must be an integer from 1 to ${max} (got ${JSON.stringify(value)})`);
    process.exit(2);
  }
  return value;
}
const SECONDS = Number(option('seconds', process.env.BENCH_SECONDS ?? 5));
const ROUNDS = positive('rounds', Number(option('rounds', process.env.BENCH_ROUNDS ?? 3)), 100);
const WARMUP = Number(option('warmup', 1));
const CONCURRENCY = option('concurrency', '1,4,16,64')
  .split(',')
  .map((c) => positive('concurrency', Number(c), 1024));
const MAX_TOKENS = positive('max-tokens', Number(option('max-tokens', 48)), 100);
if (!(SECONDS > 0 && SECONDS <= 600) || !(WARMUP >= 0 && WARMUP <= 60)) {
  console.error('--seconds must be in (0, 600] and --warmup in [0, 60]');
  process.exit(2);
}
const PROFILE_DIR = option('profile', undefined);
const log = (...parts) => console.error(...parts);

/** Prompts tried in turn: the first whose greedy continuation runs `MAX_TOKENS` without EOS. */
const PROMPTS = [
  'The quick brown fox',
  'Once upon a time',
  'Model as a service',
  'In the beginning was',
  'Hello, world',
  'A large language model',
  'Streaming tokens over HTTP',
  'The weather today is',
];
const MODEL = 'gpt';
const AGENT = new http.Agent({ keepAlive: true, maxSockets: 1024 });

/** Starts api-server.mjs in a child process; resolves with its URL, pid and a stop function. */
function startApi(envVars) {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [];
  return startServerChild(path.join(here, 'api-server.mjs'), {
    env: envVars,
    nodeArgs: profile,
    log,
  });
}

// ---------------------------------------------------------------------------------------------
// The peer: transformers.js in this process, the bundle read from disk (never the network), with
// the ONNX Runtime session settings of @maas/testing's oracle (one intra-op thread, as maas runs
// on this machine's cores).

async function loadPeer(dir) {
  const absolute = path.resolve(dir);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.localModelPath = `${path.dirname(absolute)}${path.sep}`;
  const id = path.basename(absolute);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModelForCausalLM.from_pretrained(id, {
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  });
  return { tokenizer, model };
}

/**
 * One greedy generation by the peer: its text, token ids and the time each new token came out
 * (a streamer: `generate` calls `put` with the prompt first, then once per new token).
 */
async function peerGenerate(peer, prompt, maxTokens) {
  const inputs = peer.tokenizer(prompt);
  const promptLength = inputs.input_ids.dims.at(-1);
  const started = performance.now();
  const times = [];
  let calls = 0;
  const streamer = {
    put: () => {
      if (calls++ > 0) times.push(performance.now());
    },
    end: () => {},
  };
  const output = await peer.model.generate({
    ...inputs,
    max_new_tokens: maxTokens,
    do_sample: false,
    streamer,
  });
  const ids = output.tolist()[0].slice(promptLength).map(Number);
  return {
    started,
    times,
    ids,
    text: peer.tokenizer.decode(ids, { skip_special_tokens: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// maas: /v1/completions streamed, server-sent events parsed here.

/**
 * One streamed completion: the time each text chunk arrived, the text, the finish reason and
 * the usage the server reported. Throws on an HTTP error or an error event. A lean client on
 * node:http with keep-alive (the load generator shares the machine's cores with the server, so it
 * must cost little: `fetch` and its web streams cost about three times the CPU per token).
 */
function maasGenerate(api, prompt, maxTokens) {
  const started = performance.now();
  const body = JSON.stringify({
    model: MODEL,
    prompt,
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${api.url}/v1/completions`,
      {
        method: 'POST',
        agent: AGENT,
        headers: {
          authorization: `Bearer ${api.key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => reject(new Error(`/v1/completions: HTTP ${res.statusCode} ${text}`)));
          return;
        }
        const times = [];
        let text = '';
        let finishReason;
        let usage;
        let done = false;
        let buffer = '';
        let failed;
        res.on('data', (data) => {
          if (failed) return;
          buffer += data;
          const now = performance.now();
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            // The server sends one `data: ` line an event.
            if (!event.startsWith('data: ')) continue;
            const payload = event.slice(6);
            if (payload === '[DONE]') {
              done = true;
              continue;
            }
            const chunk = JSON.parse(payload);
            if (chunk.error) {
              failed = new Error(`/v1/completions stream: ${JSON.stringify(chunk.error)}`);
              return;
            }
            if (chunk.usage) usage = chunk.usage;
            const choice = chunk.choices?.[0];
            if (choice?.text) {
              times.push(now);
              text += choice.text;
            }
            if (choice?.finish_reason) finishReason = choice.finish_reason;
          }
        });
        res.on('end', () => {
          if (failed) reject(failed);
          else if (!done) reject(new Error('/v1/completions stream ended without data: [DONE]'));
          else resolve({ started, times, text, finishReason, usage });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Cells.

/** A cell's figures from its generations (`times`: token arrival times, ms) over [from, to). */
function summarize(generations, from, to, cpuSeconds, split) {
  let tokens = 0;
  const ttft = [];
  const itl = [];
  const perToken = [];
  for (const g of generations) {
    const inside = g.times.filter((t) => t < to);
    tokens += inside.length;
    if (g.started >= from && g.times.length > 0) {
      ttft.push(g.times[0] - g.started);
      perToken.push((g.times[g.times.length - 1] - g.started) / g.times.length);
    }
    for (let i = 1; i < g.times.length; i++) {
      if (g.times[i] < to) itl.push(g.times[i] - g.times[i - 1]);
    }
  }
  ttft.sort((x, y) => x - y);
  itl.sort((x, y) => x - y);
  const seconds = (to - from) / 1000;
  return {
    tps: tokens / seconds,
    tokens,
    requests: generations.length,
    ttft50: percentile(ttft, 0.5),
    ttft99: percentile(ttft, 0.99),
    itl50: percentile(itl, 0.5),
    itl99: percentile(itl, 0.99),
    perToken: median(perToken),
    cpuMicros: cpuSeconds !== undefined && tokens > 0 ? (cpuSeconds * 1e6) / tokens : NaN,
    apiMicros: split && tokens > 0 ? (split.own * 1e6) / tokens : NaN,
    engineMicros: split && tokens > 0 ? (split.children * 1e6) / tokens : NaN,
  };
}

/** Checks one generation against the expected greedy text and length. */
function check(what, g, expected) {
  if (g.text !== expected.text)
    throw new Error(
      `${what}: the greedy text differs from transformers.js' for the same prompt:\n` +
        `  maas: ${JSON.stringify(g.text)}\n  peer: ${JSON.stringify(expected.text)}`,
    );
  if (g.times.length !== MAX_TOKENS)
    throw new Error(`${what}: ${g.times.length} text chunks, expected ${MAX_TOKENS} (one a token)`);
}

async function measurePeer(peer, prompt, expected, seconds) {
  const generations = [];
  const cpuBefore = process.cpuUsage();
  const from = performance.now();
  const to = from + seconds * 1000;
  while (performance.now() < to) {
    const g = await peerGenerate(peer, prompt, MAX_TOKENS);
    if (g.text !== expected.text) throw new Error('the peer is not deterministic');
    generations.push(g);
  }
  // The last generation ran past the window: its CPU is shared out over the window's tokens.
  const cpu = process.cpuUsage(cpuBefore);
  const end = performance.now();
  const cpuSeconds = ((cpu.user + cpu.system) / 1e6) * ((to - from) / (end - from));
  return summarize(generations, from, to, cpuSeconds);
}

/**
 * The peer runs in a process of its own (this script with `--as-peer`), so that the load
 * generator's garbage and timers in this process never land in the peer's cells. Each call is
 * one message over the IPC channel; the peer's figures are measured in its process.
 */
function startPeer(bundleDir) {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--as-peer', bundleDir, '--max-tokens', String(MAX_TOKENS)],
    {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  let next = 0;
  const waiting = new Map();
  child.on('message', (m) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(`peer: ${m.error}`));
    else w?.resolve(m.result);
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the peer exited with ${code}`));
    waiting.clear();
  });
  const call = (op, ...params) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      child.send({ id, op, params });
    });
  return {
    ready: call('ready'),
    generate: (prompt) => call('generate', prompt),
    warm: (prompt, seconds) => call('warm', prompt, seconds),
    measure: (prompt, expected, seconds) => call('measure', prompt, expected, seconds),
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** `--as-peer BUNDLE_DIR --max-tokens N`: the peer's process, answering startPeer's calls. */
async function peerMain(bundleDir) {
  const peer = await loadPeer(bundleDir);
  const ops = {
    ready: async () => true,
    generate: (prompt) => peerGenerate(peer, prompt, MAX_TOKENS),
    warm: async (prompt, seconds) => {
      const until = performance.now() + seconds * 1000;
      do await peerGenerate(peer, prompt, MAX_TOKENS);
      while (performance.now() < until);
      return true;
    },
    measure: (prompt, expected, seconds) => measurePeer(peer, prompt, expected, seconds),
  };
  process.on('message', async ({ id, op, params }) => {
    try {
      process.send({ id, result: await ops[op](...params) });
    } catch (err) {
      process.send({ id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.once('disconnect', () => process.exit(0));
}

async function measureMaas(api, prompt, expected, concurrency, seconds) {
  const generations = [];
  const cpuBefore = processCpuSplit(api.pid);
  const clientBefore = process.cpuUsage();
  const from = performance.now();
  const to = from + seconds * 1000;
  let cpuAtWindowEnd;
  const timer = setTimeout(() => {
    cpuAtWindowEnd = processCpuSplit(api.pid);
  }, seconds * 1000);
  const stream = async (index) => {
    while (performance.now() < to) {
      const g = await maasGenerate(api, prompt, MAX_TOKENS);
      check(`maas, stream ${index + 1} of ${concurrency}`, g, expected);
      generations.push(g);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => stream(i)));
  } finally {
    clearTimeout(timer);
  }
  const cpuEnd = cpuAtWindowEnd ?? processCpuSplit(api.pid);
  const client = process.cpuUsage(clientBefore);
  const clientSeconds =
    ((client.user + client.system) / 1e6) * ((to - from) / (performance.now() - from));
  // The API process's own CPU (main thread and its threads) and its inference children's, apart.
  const split =
    cpuBefore && cpuEnd
      ? { own: cpuEnd.own - cpuBefore.own, children: cpuEnd.children - cpuBefore.children }
      : undefined;
  const r = summarize(generations, from, to, split && split.own + split.children, split);
  return { ...r, clientMicros: r.tokens > 0 ? (clientSeconds * 1e6) / r.tokens : NaN };
}

async function warm(api, peer, prompt) {
  await peer.warm(prompt, WARMUP);
  for (const c of CONCURRENCY) {
    const end = performance.now() + WARMUP * 1000;
    await Promise.all(
      Array.from({ length: c }, async () => {
        do await maasGenerate(api, prompt, MAX_TOKENS);
        while (performance.now() < end);
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Set-up: PostgreSQL, the API, the bundle, the prompt.

async function startStack(stack, bundleDir) {
  const { startScratchPostgres, runMigrations } = require('@maas/db');
  log('starting a scratch PostgreSQL…');
  const pg = await startScratchPostgres();
  stack.push(() => pg.stop());
  await runMigrations(pg.url);
  log('migrated; starting the API…');
  const key = `maas_bench_${randomBytes(18).toString('base64url')}`;
  const server = await startApi({
    BENCH_DATABASE_URL: pg.url,
    BENCH_ADMIN_KEY: key,
  });
  stack.push(() => server.stop());
  const api = { ...server, key };
  const auth = { authorization: `Bearer ${key}` };
  const created = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation { createModel(input: { name: "${MODEL}" }) { id } }`,
    }),
  });
  const createdBody = await created.json();
  if (!created.ok || createdBody.errors)
    throw new Error(`createModel: HTTP ${created.status} ${JSON.stringify(createdBody)}`);
  const upload = await fetch(`${api.url}/v1/models/${MODEL}/versions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-tar' },
    body: await tarBundle(bundleDir),
  });
  if (upload.status !== 201)
    throw new Error(`upload: HTTP ${upload.status} ${await upload.text()}`);
  log(`API at ${api.url}; bundle uploaded`);
  return api;
}

/** The first prompt both sides continue for the full length, one text chunk a token. */
async function choosePrompt(api, peer, eosIds) {
  const tried = [];
  for (const prompt of PROMPTS) {
    const expected = await peer.generate(prompt);
    if (expected.ids.length !== MAX_TOKENS || expected.ids.some((id) => eosIds.includes(id))) {
      tried.push(`${JSON.stringify(prompt)}: the peer stopped after ${expected.ids.length}`);
      continue;
    }
    const g = await maasGenerate(api, prompt, MAX_TOKENS);
    if (g.text !== expected.text)
      throw new Error(
        `maas's greedy text differs from transformers.js' for ${JSON.stringify(prompt)}:\n` +
          `  maas: ${JSON.stringify(g.text)}\n  peer: ${JSON.stringify(expected.text)}`,
      );
    if (g.finishReason !== 'length' || g.usage?.completion_tokens !== MAX_TOKENS)
      throw new Error(
        `maas stopped on ${JSON.stringify(g.finishReason)} after ${g.usage?.completion_tokens} tokens for ${JSON.stringify(prompt)}; the peer ran ${MAX_TOKENS}`,
      );
    if (g.times.length !== MAX_TOKENS) {
      tried.push(`${JSON.stringify(prompt)}: ${g.times.length} text chunks for ${MAX_TOKENS}`);
      continue;
    }
    return { prompt, expected, promptTokens: g.usage.prompt_tokens };
  }
  throw new Error(
    `no prompt runs ${MAX_TOKENS} tokens with one text chunk a token (${tried.join('; ')}); try another --max-tokens`,
  );
}

// ---------------------------------------------------------------------------------------------
// Report.

function machine() {
  const model = cpuModel();
  const version = (name) => {
    try {
      return JSON.parse(
        readFileSync(require.resolve(`${name}/package.json`, { paths: [here] }), 'utf8'),
      ).version;
    } catch {
      try {
        const main = require.resolve(name);
        const root = main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`));
        return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
      } catch {
        return '?';
      }
    }
  };
  return `${model}, ${availableParallelism()} cores, Node ${process.versions.node}, onnxruntime-node ${version('onnxruntime-node')} (CPU), @huggingface/transformers ${version('@huggingface/transformers')}`;
}

const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function table(peer, maas) {
  const lines = [
    '| setup | streams | tokens/s [range] | × peer tokens/s | TTFT p50 / p99 ms | ITL p50 / p99 ms | ms per token (request) | × peer ms/token | server CPU µs/token (API + engine) |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  const row = (name, c, r, split = true) => {
    const range =
      r.spread[0] !== r.spread[1] ? ` [${Math.round(r.spread[0])}–${Math.round(r.spread[1])}]` : '';
    lines.push(
      `| ${name} | ${c} | ${Math.round(r.tps)}${range} | ${fmt(r.tps / peer.tps, 2)}× | ${fmt(r.ttft50, 2)} / ${fmt(r.ttft99, 2)} | ${fmt(r.itl50, 2)} / ${fmt(r.itl99, 2)} | ${fmt(r.perToken, 2)} | ${fmt(r.perToken / peer.perToken, 2)}× | ${fmt(r.cpuMicros, 0)}${split && Number.isFinite(r.apiMicros) ? ` (${fmt(r.apiMicros, 0)} + ${fmt(r.engineMicros, 0)})` : ''} |`,
    );
  };
  row('(peer) transformers.js `generate`, its own process, one at a time', 1, peer, false);
  for (const c of CONCURRENCY) if (maas[c]) row('(maas) `/v1/completions`, streamed', c, maas[c]);
  return lines.join('\n');
}

function targets(peer, maas) {
  const line = (label, value, goal, cmp) => {
    if (value === undefined || !Number.isFinite(value)) return `- ${label}: not measured`;
    const met = cmp === '>=' ? value >= goal : value <= goal;
    return `- ${label}: ${value.toFixed(2)}× (target ${cmp === '>=' ? '≥' : '≤'} ${goal}×): **${met ? 'met' : 'missed'}**`;
  };
  return [
    line(
      'aggregate tokens/s at 16 streams vs the peer',
      maas[16] && maas[16].tps / peer.tps,
      3,
      '>=',
    ),
    line(
      'per-token latency at 1 stream vs the peer',
      maas[1] && maas[1].perToken / peer.perToken,
      1.3,
      '<=',
    ),
  ].join('\n');
}

function combine(cells) {
  const keys = [
    'tps',
    'ttft50',
    'ttft99',
    'itl50',
    'itl99',
    'perToken',
    'cpuMicros',
    'apiMicros',
    'engineMicros',
  ];
  const out = Object.fromEntries(keys.map((k) => [k, median(cells.map((c) => c[k]))]));
  out.spread = [Math.min(...cells.map((c) => c.tps)), Math.max(...cells.map((c) => c.tps))];
  return out;
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg();
  log(`machine: ${machine()}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const stack = []; // stop functions, run in reverse
  const interrupted = (signal) => {
    log(`${signal}: stopping the API and PostgreSQL…`);
    const stops = stack.splice(0).reverse();
    (async () => {
      for (const stop of stops) await stop();
    })().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const scratch = mkdtempSync(path.join(tmpdir(), 'maas-genbench-'));
  stack.push(() => rmSync(scratch, { recursive: true, force: true }));
  const bundleDir = path.join(scratch, 'tiny-gpt2');
  const bundle = writeTinyGpt2Bundle(bundleDir);
  if (MAX_TOKENS > bundle.contextLength - 16) {
    console.error(`--max-tokens must be at most ${bundle.contextLength - 16} for this bundle`);
    process.exit(2);
  }
  let peer;
  const peerCells = [];
  const maasCells = Object.fromEntries(CONCURRENCY.map((c) => [c, []]));
  let chosen;
  try {
    const api = await startStack(stack, bundleDir);
    peer = startPeer(bundleDir);
    stack.push(() => peer.stop());
    await peer.ready;
    chosen = await choosePrompt(api, peer, bundle.eosTokenIds);
    log(
      `prompt ${JSON.stringify(chosen.prompt)} (${chosen.promptTokens} tokens) → ${MAX_TOKENS} tokens, same text on both sides; warming up…`,
    );
    await warm(api, peer, chosen.prompt);
    log(
      `${ROUNDS} rounds × ${SECONDS} s per cell; streams ${CONCURRENCY.join(', ')}; max_tokens ${MAX_TOKENS}`,
    );
    const cells = ['peer', ...CONCURRENCY];
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no cell always follows the same neighbour.
      const order = cells.map((_, i) => cells[(i + round) % cells.length]);
      for (const cell of order) {
        const r =
          cell === 'peer'
            ? await peer.measure(chosen.prompt, chosen.expected, SECONDS)
            : await measureMaas(api, chosen.prompt, chosen.expected, cell, SECONDS);
        (cell === 'peer' ? peerCells : maasCells[cell]).push(r);
        log(
          `${cell === 'peer' ? 'peer' : `maas ×${cell}`} round ${round + 1}: ${Math.round(r.tps)} tokens/s, ` +
            `TTFT p50 ${fmt(r.ttft50, 2)} ms, ITL p50 ${fmt(r.itl50, 2)} ms, ${fmt(r.perToken, 2)} ms/token, ` +
            `${fmt(r.cpuMicros, 0)} µs CPU/token${Number.isFinite(r.apiMicros) ? ` (API ${fmt(r.apiMicros, 0)}, engine ${fmt(r.engineMicros, 0)}, this client ${fmt(r.clientMicros, 0)})` : ''}, ${r.requests} requests`,
        );
      }
    }
  } finally {
    for (const stop of stack.splice(0).reverse()) await stop();
  }

  const peerResult = combine(peerCells);
  const maasResults = Object.fromEntries(CONCURRENCY.map((c) => [c, combine(maasCells[c])]));
  const loadAfter = loadavg();
  const loads = (l) => l.map((v) => v.toFixed(2)).join(' / ');
  const report = [
    `Machine: ${machine()}. Load average (1/5/15 min) ${loads(loadBefore)} at the start, ${loads(loadAfter)} at the end. ` +
      `Run on ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round((Date.now() - started) / 1000)} s: ` +
      `${ROUNDS} interleaved rounds of ${SECONDS} s per cell, median of the rounds, tokens/s range over the rounds in brackets. ` +
      `Bundle: @maas/testing's tiny GPT-2 (${bundle.layers} layers, ${bundle.heads} heads of ${bundle.headDim}, vocabulary ${bundle.vocabSize}, context ${bundle.contextLength}), ` +
      `prompt ${JSON.stringify(chosen.prompt)} (${chosen.promptTokens} tokens), greedy, ${MAX_TOKENS} new tokens a request (every text checked equal to the peer's). ` +
      "TTFT: request sent → first text chunk; ITL: gap between text chunks (one a token); ms per token: a request's last token time / its tokens (TTFT included); " +
      "server CPU: the API process and its inference children (maas), the peer's own process (peer); the load generator (node:http, this process) is not counted in it.",
    '',
    table(peerResult, maasResults),
    '',
    'Targets:',
    '',
    targets(peerResult, maasResults),
  ].join('\n');
  console.log(report);
}

const asPeer = process.argv.indexOf('--as-peer');
(asPeer >= 0 ? peerMain(process.argv[asPeer + 1]) : main()).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
