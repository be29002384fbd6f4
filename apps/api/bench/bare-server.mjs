// Benchmark setup (b): the best a bare Node HTTP server does: node:http, JSON body → one
// session.run on the main thread → JSON, no validation, batching or threads. Started by
// serving.bench.mjs; prints {"listening": url} once it listens.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

// The engine's session settings on a 2-core machine (session.worker.ts): one intra-op thread, no spinning.
const session = await ort.InferenceSession.create(readFileSync(process.env.BENCH_MODEL_PATH), {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let input;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')).inputs[0];
    } catch {
      res.writeHead(400).end();
      return;
    }
    session
      .run({ [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) })
      .then(
        (outputs) => {
          const out = outputs.output;
          const body = JSON.stringify({
            model_name: 'bench',
            outputs: [
              { name: 'output', datatype: 'FP32', shape: out.dims, data: Array.from(out.data) },
            ],
          });
          res
            .writeHead(200, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            })
            .end(body);
        },
        (err) => res.writeHead(500).end(String(err)),
      );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ listening: `http://127.0.0.1:${server.address().port}` })}\n`,
  );
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
