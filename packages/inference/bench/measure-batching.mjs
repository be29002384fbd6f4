// Measures dynamic-batching settings on the benchmark model (MLP 10 → 64 → 64 → 1, or with
// MODEL=cnn the compute-bound CNN 1×28×28 → 10 of the serving benchmark) through the engine in
// this process (no HTTP), with closed-loop clients at several concurrencies.
// Usage: [MODEL=cnn] [CONCURRENCY=1,16,64] [CONFIGS='off;{...}'] node packages/inference/bench/measure-batching.mjs [secondsPerCell]
import { createHash } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createInferenceEngine } = require('@maas/inference');
const { buildCnnModel, buildMlpModel } = require('@maas/onnx');

const seconds = Number(process.argv[2] ?? 2);
const cnn = process.env.MODEL === 'cnn';
const model = cnn
  ? buildCnnModel()
  : buildMlpModel({ inputSize: 10, hiddenLayers: [64, 64], outputSize: 1, seed: 1 });
const shape = cnn ? [1, 1, 28, 28] : [1, 10];
const size = shape.reduce((a, b) => a * b, 1);
const key = {
  id: cnn ? 'bench-cnn' : 'bench-mlp',
  sha256: createHash('sha256').update(model.bytes).digest('hex'),
};
const input = () => ({
  input: {
    datatype: 'FP32',
    shape,
    data: Float32Array.from({ length: size }, () => Math.random()),
  },
});

async function cell(batching, concurrency) {
  let rows = 0;
  let batches = 0;
  let measuring = false;
  const onBatch = (_id, e) => {
    if (!measuring) return;
    rows += e.rows;
    batches += 1;
  };
  const engine = await createInferenceEngine({
    batching,
    loadArtifact: async () => model.bytes,
    onBatch,
  });
  await engine.infer(key, input());
  // warm-up
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < (cnn ? 5 : 50); i++) await engine.infer(key, input());
    }),
  );
  const latencies = [];
  measuring = true;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await engine.infer(key, input());
        latencies.push(performance.now() - t);
      }
    }),
  );
  measuring = false;
  await engine.close();
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
  return {
    rps: Math.round(latencies.length / seconds),
    p50: q(0.5),
    p99: q(0.99),
    meanBatch: batches ? (rows / batches).toFixed(1) : '1',
  };
}

const label = (b) =>
  b === false ? 'off' : `size=${b.maxBatchSize} delay=${b.maxDelayMs} inflight=${b.maxInFlight}`;
const only = process.env.CONFIGS?.split(';').map((c) => (c === 'off' ? false : JSON.parse(c)));
const configs = only ?? [
  false,
  { maxBatchSize: 64, maxDelayMs: 2, maxInFlight: 2 },
  { maxBatchSize: 64, maxDelayMs: 0, maxInFlight: 1 },
  { maxBatchSize: 64, maxDelayMs: 2, maxInFlight: 1 },
  { maxBatchSize: 64, maxDelayMs: 0, maxInFlight: 2 },
  { maxBatchSize: 64, maxDelayMs: 5, maxInFlight: 2 },
  { maxBatchSize: 64, maxDelayMs: 2, maxInFlight: 4 },
  { maxBatchSize: 16, maxDelayMs: 2, maxInFlight: 2 },
  { maxBatchSize: 32, maxDelayMs: 2, maxInFlight: 2 },
  { maxBatchSize: 128, maxDelayMs: 2, maxInFlight: 2 },
];
const concurrencies = (process.env.CONCURRENCY ?? '1,16,64').split(',').map(Number);
console.log(
  `# ${cnn ? 'CNN' : 'MLP'}, ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, node ${process.version}, ${seconds}s per cell`,
);
console.log(
  `| batching | ${concurrencies.map((c) => `c=${c} req/s (p50/p99 ms, mean batch)`).join(' | ')} |`,
);
console.log(`| --- | ${concurrencies.map(() => '---').join(' | ')} |`);
for (const config of configs) {
  const cells = [];
  for (const c of concurrencies) {
    const r = await cell(config, c);
    cells.push(`${r.rps} (${r.p50}/${r.p99}, ${r.meanBatch})`);
  }
  console.log(`| ${label(config)} | ${cells.join(' | ')} |`);
}
