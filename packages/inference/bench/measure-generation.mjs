// Measures the generation engine on @maas/testing's tiny GPT-2, in this process, no HTTP: closed-loop
// greedy streams (each sends its next request when the previous one ends), every one generating the
// full --max-tokens (ignoreEos), every text checked equal to the first one's. Prints aggregate
// tokens/s, decode steps and rows per step, and CPU per token (this process and its pool children).
// Small on purpose: a quick before/after for a change to the engine, not the benchmark of record
// (that is `npm run bench:generation`, through the API).
// Usage (after a build): node packages/inference/bench/measure-generation.mjs
//   [--streams 16] [--seconds 8] [--max-tokens 48] [--isolation process|thread] [--rounds 1]
//   [--direct [--argmax-session | --js-argmax] [--lm-batch file] [--layers n --hidden n --heads n]]
// `--direct` leaves the engine out: the pool member's decode loop (LmBatch and ONNX Runtime) in
// this thread, the streams staggered (each joins and leaves at its own step), and prints where a
// step's time goes (decode and prefill runs); --layers, --hidden and --heads make the decoder
// bigger than the tiny default. Profile with `node --cpu-prof ...` (with --direct,
// or `--isolation thread`, which puts the pool member in a worker thread that --cpu-prof profiles).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { processCpuSeconds } from '@maas/testing/bench-stats';

const require = createRequire(import.meta.url);
const { createInferenceEngine } = require('@maas/inference');
const { writeTinyGpt2Bundle } = require('@maas/testing');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const STREAMS = Number(option('streams', 16));
const SECONDS = Number(option('seconds', 8));
const MAX_TOKENS = Number(option('max-tokens', 48));
const ISOLATION = option('isolation', 'process');
const ROUNDS = Number(option('rounds', 1));
const PROMPT = option('prompt', 'The quick brown fox');
// --consumer-us n: each streamed token costs its consumer n µs of this thread (as an HTTP server's
// SSE writes do), to see how the decode loop copes with a busy main thread.
const CONSUMER_US = Number(option('consumer-us', 0));
const spin = (us) => {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
};

if (args.includes('--direct')) {
  await direct();
  process.exit(0);
}

/** The decode loop alone, in this thread. */
async function direct() {
  const ort = require('onnxruntime-node');
  // --lm-batch <file>: another build of lm-batch.js (an A/B of a change to it).
  const { LmBatch } = require(option('lm-batch', '../dist/generation/lm-batch.js'));
  const { tinyGpt2Bundle, gpt2TokenizerJson } = require('@maas/testing');
  // --layers/--hidden/--heads: a bigger decoder than the default tiny one (a KV cache that costs).
  const size = (name) => (option(name) === undefined ? undefined : Number(option(name)));
  const gpt2 = tinyGpt2Bundle({
    layers: size('layers'),
    hidden: size('hidden'),
    heads: size('heads'),
  });
  // --argmax-session: greedy picks by a second session fed with the logits (what a pool member does
  // when it cannot extend the graph); by default the graph is extended with its own ArgMax.
  const separate = args.includes('--argmax-session') || args.includes('--js-argmax');
  const { GREEDY_OUTPUT, greedyGraphExtension } = require('../dist/probe-model.js');
  const graphBytes = gpt2.files.get('onnx/model.onnx');
  const session = await ort.InferenceSession.create(
    separate ? graphBytes : Buffer.concat([graphBytes, greedyGraphExtension()]),
    {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    },
  );
  const { Tokenizer } = require('@huggingface/tokenizers');
  const prompt = new Tokenizer(gpt2TokenizerJson(), {}).encode(PROMPT).ids;
  const graph = {
    layers: gpt2.layers,
    kvHeads: gpt2.heads,
    headDim: gpt2.headDim,
    vocabSize: gpt2.vocabSize,
    kvType: 'float32',
    inputIdsType: 'int64',
    attentionMaskType: 'int64',
    positionIdsType: 'int64',
    useCacheBranch: false,
    padId: 50256,
  };
  let runMs = 0;
  const run = async (feeds, fetches, into = {}) => {
    const f = {};
    for (const [name, t] of Object.entries(feeds)) f[name] = new ort.Tensor(t.type, t.data, t.dims);
    const o = {};
    for (const name of fetches)
      o[name] = into[name]
        ? new ort.Tensor(into[name].type, into[name].data, into[name].dims)
        : null;
    const t0 = performance.now();
    const results = await session.run(f, o);
    runMs += performance.now() - t0;
    const out = {};
    for (const name of fetches) {
      const v = results[name];
      if (v) out[name] = { type: v.type, data: v.data, dims: [...v.dims] };
    }
    return out;
  };
  // Greedy picks on ONNX Runtime as the pool member makes them (--js-argmax: in JS).
  const { argmaxModelBytes } = require('../dist/probe-model.js');
  const argmaxSession = await ort.InferenceSession.create(argmaxModelBytes(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const argmax = args.includes('--js-argmax')
    ? undefined
    : async (logits, rows, width) =>
        (await argmaxSession.run({ logits: new ort.Tensor('float32', logits, [rows, width]) })).ids
          .data;
  const greedy = { temperature: 0, topK: 0, topP: 1, u: 0 };
  const batch = new LmBatch();
  let tokens = 0;
  let decodeMs = 0;
  let prefillMs = 0;
  let steps = 0;
  // Closed loops, staggered: stream i starts at step i * max-tokens / streams, so that in the
  // steady state sequences join and leave at different steps (as in a server), not all at once.
  const left = new Map();
  let id = 0;
  let leave = [];
  let rejoin = 0;
  const step = async (k) => {
    const join = [];
    for (let i = 0; i < STREAMS; i++)
      if (k === Math.floor((i * MAX_TOKENS) / STREAMS)) join.push(`r${id++}`);
    for (; rejoin > 0; rejoin--) join.push(`r${id++}`);
    const decode = Object.fromEntries([...left.keys()].map((s) => [s, greedy]));
    const r = await batch.step(
      {
        graph,
        leave,
        decode,
        join: join.map((seq) => ({ seq, tokens: prompt, sampling: greedy })),
      },
      run,
      argmax,
      separate ? undefined : GREEDY_OUTPUT,
    );
    leave = [];
    for (const seq of join) left.set(seq, MAX_TOKENS);
    for (const seq of Object.keys(r.tokens)) {
      tokens++;
      const n = left.get(seq) - 1;
      if (n > 0) left.set(seq, n);
      else {
        left.delete(seq);
        leave.push(seq);
        rejoin++;
      }
    }
    decodeMs += r.decodeMs;
    prefillMs += r.prefillMs;
    steps++;
  };
  let k = 0;
  while (k < 3 * MAX_TOKENS) await step(k++);
  tokens = decodeMs = prefillMs = steps = runMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) await step(k++);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    [
      `direct streams=${STREAMS}`,
      `tokens/s=${((tokens * 1000) / wall).toFixed(0)}`,
      `ms/step=${(wall / steps).toFixed(3)}`,
      `decode ms/step=${(decodeMs / steps).toFixed(3)}`,
      `prefill ms/step=${(prefillMs / steps).toFixed(3)}`,
      `ort.run ms/step=${(runMs / steps).toFixed(3)}`,
      `cpu µs/token=${((cpu.user + cpu.system) / tokens).toFixed(0)}`,
      `load=${loadavg()[0].toFixed(2)}`,
    ].join('  '),
  );
  await session.release();
}

const root = mkdtempSync(path.join(tmpdir(), 'maas-genbench-'));
const dir = path.join(root, 'gpt2');
writeTinyGpt2Bundle(dir);
const key = { id: 'gpt2', sha256: 'a'.repeat(64) };

let steps = 0;
let rows = 0;
let stepMs = 0;
const engine = await createInferenceEngine({
  isolation: ISOLATION,
  threads: 1,
  loadBundle: async () => ({ dir }),
  generation: { maxRunning: Math.max(32, STREAMS) },
  onGenerationStep: (_id, e) => {
    steps++;
    rows += e.rows;
    stepMs += e.stepMs;
  },
});

const request = { prompt: PROMPT, maxTokens: MAX_TOKENS, temperature: 0, ignoreEos: true };
async function once() {
  const stream = await engine.generate(key, request);
  let text = '';
  let tokens = 0;
  for await (const event of stream) {
    if (event.type === 'delta') {
      text += event.text;
      tokens++;
      if (CONSUMER_US > 0) spin(CONSUMER_US);
    } else if (event.text !== text) throw new Error('streamed text differs from the final text');
  }
  return { text, tokens };
}

const expected = (await once()).text;
async function measure(seconds) {
  let tokens = 0;
  let requests = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      while (performance.now() < deadline) {
        const g = await once();
        if (g.text !== expected) throw new Error(`greedy text differs:\n${g.text}\n${expected}`);
        tokens += g.tokens;
        requests++;
      }
    }),
  );
  return { tokens, requests };
}

await measure(1);
for (let r = 0; r < ROUNDS; r++) {
  steps = rows = stepMs = 0;
  const cpu0 = processCpuSeconds(process.pid);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const { tokens, requests } = await measure(SECONDS);
  const wall = (performance.now() - t0) / 1000;
  const cpu = (processCpuSeconds(process.pid) ?? NaN) - (cpu0 ?? NaN);
  const own = process.cpuUsage(own0);
  const ownCpu = (own.user + own.system) / 1e6;
  console.log(
    [
      `streams=${STREAMS}`,
      `isolation=${ISOLATION}`,
      `tokens/s=${(tokens / wall).toFixed(0)}`,
      `requests=${requests}`,
      `steps=${steps}`,
      `rows/step=${(rows / Math.max(1, steps)).toFixed(1)}`,
      `ms/step=${(stepMs / Math.max(1, steps)).toFixed(2)}`,
      `cpu µs/token=${((cpu * 1e6) / tokens).toFixed(0)}`,
      `this process µs/token=${((ownCpu * 1e6) / tokens).toFixed(0)}`,
      `load=${loadavg()[0].toFixed(2)}`,
    ].join('  '),
  );
}
await engine.close();
rmSync(root, { recursive: true, force: true });
