// A pool member: owns ONNX Runtime sessions. create() and run() block the thread they run on,
// which is why they live here and not on the thread that answers HTTP. It runs either as a worker
// thread (INFERENCE_ISOLATION=thread) or as a child process forked with an IPC channel
// (`serialization: 'advanced'`, so tensors travel as typed arrays, not JSON), where a native
// crash, a runaway allocation or a run that never ends takes down this process only.
import { createHash } from 'node:crypto';
import {
  accessSync,
  appendFileSync,
  constants as fsConstants,
  copyFileSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { LmBatch } from './generation/lm-batch';
import type { LmArgmax, LmRun, LmStepRequest, LmStepResult, LmTensor } from './generation/lm-batch';
import { withoutPaths } from './ort-messages';
import {
  GREEDY_OUTPUT,
  argmaxModelBytes,
  greedyGraphExtension,
  identityModelBytes,
} from './probe-model';
import { ORT_TYPE_BY_DATATYPE, datatypeFromOrtType } from './tensor.types';
import type {
  DecodedTensor,
  ModelSignature,
  SupportedDatatype,
  TensorData,
  TensorSpec,
} from './tensor.types';
import type {
  LoadResult,
  ProbeResult,
  RunResult,
  ValidateResult,
  WorkerErrorCode,
  WorkerInit,
  WorkerRequest,
  WorkerResponse,
} from './worker.protocol';
import { FRAME_FD, WORKER_INIT_ENV } from './worker.protocol';
import { FrameReader, writeFrame } from './ipc-frames';

class WorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const init: WorkerInit = parentPort
  ? (workerData as WorkerInit)
  : (JSON.parse(process.env[WORKER_INIT_ENV] ?? 'null') as WorkerInit);
let providers = init.providers;
let providerNote: string | undefined;
const sessions = new Map<string, ort.InferenceSession>();
/** The running sequences of each language model loaded here (see LmBatch). */
const lmBatches = new Map<string, LmBatch>();
/** Decoders loaded here whose graph was extended with the greedy ArgMax (GREEDY_OUTPUT). */
const greedyFused = new Set<string>();
/** Largest decoder graph file copied to add the greedy ArgMax (bigger ones use the ArgMax session). */
const MAX_FUSED_GRAPH_BYTES = 256 * 2 ** 20;

/** Whether a signature is a decoder's with a KV cache: logits out, past_key_values.* in. */
function isDecoder(signature: ModelSignature): boolean {
  return (
    signature.outputs.some((o) => o.name === 'logits' && o.datatype === 'FP32') &&
    signature.inputs.some((i) => i.name.startsWith('past_key_values.'))
  );
}

/**
 * A session of the decoder graph `file` extended with the greedy ArgMax (probe-model.ts), from a
 * copy written beside it (so external data files resolve as for the original): undefined when the
 * graph is too large to copy, its folder is not writable, or the extended graph does not load.
 */
async function greedySession(file: string): Promise<ort.InferenceSession | undefined> {
  const fused = join(dirname(file), `.maas-greedy-${basename(file)}`);
  try {
    if (!existsSync(fused)) {
      if (statSync(file).size > MAX_FUSED_GRAPH_BYTES) return undefined;
      accessSync(dirname(file), fsConstants.W_OK);
      // Written whole under a temporary name, then renamed: a file that exists is complete.
      const partial = `${fused}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
      try {
        copyFileSync(file, partial);
        appendFileSync(partial, greedyGraphExtension());
        renameSync(partial, fused);
      } finally {
        rmSync(partial, { force: true });
      }
    }
    return await createSession(fused);
  } catch {
    return undefined;
  }
}

function sessionOptions(list: string[]): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: list,
    intraOpNumThreads: init.intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Spinning intra-op threads burn the cores the HTTP thread needs; models here are small.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

async function createSession(source: string | Uint8Array): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(source as Uint8Array, sessionOptions(providers));
  } catch (err) {
    if (!init.fallbackToCpu || !providers.includes('cuda')) throw err;
    // `auto`: CUDA was plausible but did not load; stay on CPU for this thread's lifetime.
    providerNote = `CUDA failed, using CPU: ${(err as Error).message}`;
    providers = ['cpu'];
    return await ort.InferenceSession.create(source as Uint8Array, sessionOptions(providers));
  }
}

function specOf(meta: ort.InferenceSession.ValueMetadata): TensorSpec | undefined {
  if (!meta.isTensor) return undefined;
  return {
    name: meta.name,
    datatype: datatypeFromOrtType(meta.type),
    shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
  };
}

function signatureOf(session: ort.InferenceSession): ModelSignature {
  const inputs: TensorSpec[] = [];
  for (const m of session.inputMetadata) {
    const spec = specOf(m);
    if (!spec)
      throw new WorkerError(
        'LOAD_FAILED',
        `input '${m.name}' is not a tensor; only tensor inputs are supported`,
      );
    inputs.push(spec);
  }
  const outputs: TensorSpec[] = [];
  const nonTensorOutputs: string[] = [];
  for (const m of session.outputMetadata) {
    const spec = specOf(m);
    if (spec) outputs.push(spec);
    else nonTensorOutputs.push(m.name);
  }
  return { inputs, outputs, nonTensorOutputs };
}

async function probe(): Promise<ProbeResult> {
  const session = await createSession(identityModelBytes());
  await session.release();
  return { executionProvider: providers.includes('cuda') ? 'cuda' : 'cpu', note: providerNote };
}

async function validate(path: string): Promise<ValidateResult> {
  let session: ort.InferenceSession;
  try {
    session = await createSession(path);
  } catch (err) {
    return { ok: false, reason: withoutPaths((err as Error).message, { path, as: 'the file' }) };
  }
  try {
    return { ok: true, signature: signatureOf(session) };
  } catch (err) {
    return { ok: false, reason: withoutPaths((err as Error).message, { path, as: 'the file' }) };
  } finally {
    await session.release();
  }
}

async function load(
  versionId: string,
  sha256: string,
  source: WorkerRequest & { op: 'load' },
): Promise<LoadResult> {
  let model: string | Uint8Array;
  let byteLength: number;
  if ('file' in source.source) {
    model = source.source.file;
    byteLength = statSync(model).size;
  } else {
    const bytes = 'bytes' in source.source ? source.source.bytes : readFileSync(source.source.path);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256.toLowerCase()) {
      throw new WorkerError(
        'SHA_MISMATCH',
        `artifact of version ${versionId} has sha256 ${actual}, expected ${sha256}`,
      );
    }
    model = bytes;
    byteLength = bytes.byteLength;
  }
  const started = performance.now();
  let session: ort.InferenceSession;
  try {
    session = await createSession(model);
  } catch (err) {
    throw new WorkerError(
      'LOAD_FAILED',
      `ONNX Runtime could not load version ${versionId}: ${withoutPaths((err as Error).message)}`,
    );
  }
  let signature: ModelSignature;
  try {
    signature = signatureOf(session);
  } catch (err) {
    await session.release();
    throw err;
  }
  greedyFused.delete(versionId);
  if ('file' in source.source && isDecoder(signature)) {
    // Greedy decode steps then fetch the picks instead of the logits (probe-model.ts). The
    // signature stays the original graph's.
    const fused = await greedySession(source.source.file);
    if (fused) {
      await session.release();
      session = fused;
      greedyFused.add(versionId);
    }
  }
  const previous = sessions.get(versionId);
  sessions.set(versionId, session);
  lmBatches.delete(versionId);
  if (previous) await previous.release();
  return { signature, bytes: byteLength, loadMs: performance.now() - started };
}

async function run(
  versionId: string,
  feeds: Record<string, DecodedTensor>,
  fetches: string[],
): Promise<RunResult> {
  const session = sessions.get(versionId);
  if (!session)
    throw new WorkerError('NOT_LOADED', `version ${versionId} is not loaded in this thread`);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = new ort.Tensor(
      ORT_TYPE_BY_DATATYPE[t.datatype] as 'float32',
      t.data as Float32Array,
      t.shape,
    );
  }
  const started = performance.now();
  let results: ort.InferenceSession.ReturnType;
  try {
    results = await session.run(ortFeeds, fetches);
  } catch (err) {
    throw new WorkerError('RUN_FAILED', withoutPaths((err as Error).message));
  }
  const runMs = performance.now() - started;
  const outputs: Record<string, DecodedTensor> = {};
  for (const name of fetches) {
    const value = results[name];
    if (!value) continue;
    const datatype = datatypeFromOrtType(value.type) as SupportedDatatype;
    // Copy into a buffer this thread owns, so it can be transferred rather than cloned.
    const data = Array.isArray(value.data)
      ? [...value.data]
      : (value.data as Exclude<TensorData, string[]>).slice();
    outputs[name] = { datatype, shape: [...value.dims], data };
    value.dispose();
  }
  return { outputs, runMs };
}

/** This member's ArgMax session (CPU, one thread), made at the first greedy decode step. */
let argmaxSession: Promise<ort.InferenceSession | undefined> | undefined;

/** Frees the ArgMax session (made again at the next greedy step that needs it). */
async function releaseArgmax(): Promise<void> {
  const pending = argmaxSession;
  argmaxSession = undefined;
  const session = await pending;
  await session?.release().catch(() => undefined);
}

/** Greedy picks for LmBatch on ONNX Runtime; undefined (picked in JS) if the session cannot be made. */
const lmArgmax: LmArgmax = async (logits, rows, width) => {
  argmaxSession ??= ort.InferenceSession.create(argmaxModelBytes(), {
    ...sessionOptions(['cpu']),
    intraOpNumThreads: 1,
  }).catch(() => undefined);
  const session = await argmaxSession;
  if (!session) return undefined;
  let out: ort.InferenceSession.ReturnType;
  try {
    out = await session.run({ logits: new ort.Tensor('float32', logits, [rows, width]) }, ['ids']);
  } catch (err) {
    throw new WorkerError('RUN_FAILED', withoutPaths((err as Error).message));
  }
  const ids = out.ids?.data;
  return ids instanceof BigInt64Array || ids instanceof Int32Array ? ids : undefined;
};

/** One step of a language model's decode loop: the batch's state stays in this member. */
async function lmStep(versionId: string, step: LmStepRequest): Promise<LmStepResult> {
  const session = sessions.get(versionId);
  if (!session)
    throw new WorkerError('NOT_LOADED', `version ${versionId} is not loaded in this thread`);
  let batch = lmBatches.get(versionId);
  if (!batch) {
    batch = new LmBatch();
    lmBatches.set(versionId, batch);
  }
  const runLm: LmRun = async (feeds, fetches, into = {}) => {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      ortFeeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    // Outputs given a buffer are written into it (preallocated outputs); the rest are allocated.
    const ortFetches: Record<string, ort.Tensor | null> = {};
    for (const name of fetches) {
      const t = into[name];
      ortFetches[name] = t
        ? new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)
        : null;
    }
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await session.run(ortFeeds, ortFetches);
    } catch (err) {
      throw new WorkerError('RUN_FAILED', withoutPaths((err as Error).message));
    }
    const out: Record<string, LmTensor> = {};
    for (const name of fetches) {
      const value = results[name];
      // The CPU data is this thread's own (a preallocated output's is the buffer it was given).
      if (value)
        out[name] = {
          type: value.type as LmTensor['type'],
          data: value.data as LmTensor['data'],
          dims: [...value.dims],
        };
    }
    return out;
  };
  return batch.step(step, runLm, lmArgmax, greedyFused.has(versionId) ? GREEDY_OUTPUT : undefined);
}

async function handle(msg: WorkerRequest): Promise<unknown> {
  switch (msg.op) {
    case 'probe':
      return probe();
    case 'validate':
      return validate(msg.path);
    case 'load':
      return load(msg.versionId, msg.sha256, msg);
    case 'run':
      return run(msg.versionId, msg.feeds, msg.fetches);
    case 'lmStep':
      return lmStep(msg.versionId, msg.step);
    case 'release': {
      const session = sessions.get(msg.versionId);
      sessions.delete(msg.versionId);
      lmBatches.delete(msg.versionId);
      greedyFused.delete(msg.versionId);
      if (session) await session.release();
      return session !== undefined;
    }
    case 'releaseAll': {
      const all = [...sessions.values()];
      sessions.clear();
      lmBatches.clear();
      greedyFused.clear();
      await releaseEach(all);
      return all.length;
    }
    case 'sessions':
      return sessions.size;
    case 'exit': {
      // The pool replaced this thread: free the sessions and end once this message is handled.
      const all = [...sessions.values()];
      sessions.clear();
      try {
        await releaseEach(all);
      } finally {
        setImmediate(() => process.exit(0));
      }
      return all.length;
    }
  }
}

/** Releases every session and the ArgMax one; one that fails to release does not stop the rest. */
async function releaseEach(all: readonly { release(): Promise<void> }[]): Promise<void> {
  const results = await Promise.allSettled([...all.map((s) => s.release()), releaseArgmax()]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function transferables(value: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const outputs = (value as Partial<RunResult> | null)?.outputs;
  if (outputs) {
    for (const t of Object.values(outputs)) {
      if (!Array.isArray(t.data) && t.data.buffer instanceof ArrayBuffer) out.push(t.data.buffer);
    }
  }
  return out;
}

/** How this member talks to the pool: its thread port, or the IPC channel to its parent. */
interface Channel {
  send(reply: WorkerResponse, transfer: ArrayBuffer[]): void;
  onMessage(handler: (msg: WorkerRequest & { seq: number }) => void): void;
}

type Request = WorkerRequest & { seq: number };

function channel(): Channel {
  const port = parentPort;
  if (port)
    return {
      send: (reply, transfer) => port.postMessage(reply, transfer),
      onMessage: (handler) => port.on('message', handler),
    };
  if (!process.send)
    throw new Error('session.worker must run in a worker thread or a forked process');
  // The parent went away (or closed the channel): nothing is left to answer to.
  process.on('disconnect', () => process.exit(0));
  const pipe = new Socket({ fd: FRAME_FD, readable: true, writable: true });
  pipe.on('error', () => process.exit(0));
  pipe.on('end', () => process.exit(0));
  return {
    send: (reply) => writeFrame(pipe, reply),
    // The pool writes frames, several at once when it gathered requests for a busy member.
    onMessage: (handler) => {
      const reader = new FrameReader((msg) => handler(msg as Request));
      pipe.on('data', (data: Buffer) => reader.push(data));
    },
  };
}

const port = channel();
// One message at a time: ORT's create/run defer to setImmediate, so without this chain a
// 'release' could slip in between a 'run' and the native call it scheduled.
let chain: Promise<void> = Promise.resolve();
port.onMessage((msg) => {
  chain = chain.then(() =>
    handle(msg).then(
      (value) => {
        const reply: WorkerResponse = { seq: msg.seq, ok: true, value };
        port.send(reply, transferables(value));
      },
      (err: unknown) => {
        const code: WorkerErrorCode = err instanceof WorkerError ? err.code : 'BAD_REQUEST';
        const message = err instanceof Error ? err.message : String(err);
        const reply: WorkerResponse = { seq: msg.seq, ok: false, error: { code, message } };
        port.send(reply, []);
      },
    ),
  );
});
