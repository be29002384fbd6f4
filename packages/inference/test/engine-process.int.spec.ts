// `isolation: 'process'` (the API's default, INFERENCE_ISOLATION=child): ONNX Runtime runs in
// supervised child processes. A run past its deadline, a child that dies mid-request (SIGKILL, as
// a native crash or the kernel's OOM killer would) and a run that allocates past the memory limit
// each cost that child only: this process goes on, the requests fail with retryable
// ModelUnavailableError, and a fresh child serves the next request with the right numbers.
import {
  createInferenceEngine,
  InferenceTimeoutError,
  ModelUnavailableError,
  processRssBytes,
} from '@maas/inference';
import type { InferenceEngine, VersionKey } from '@maas/inference';
import {
  buildLoopModel,
  buildMemoryHogModel,
  buildSquareLinearModel,
  randomRows,
} from '@maas/testing';
import { MemoryArtifacts, fp32, rowsOf } from './fixtures';

const MiB = 1024 * 1024;

/** What buildSquareLinearModel(size, seed) computes, worked out here (the oracle). */
function squareLinear(size: number, seed: number, x: readonly number[]): number[] {
  return Array.from(
    { length: size },
    (_, o) =>
      seed + o + x.reduce((sum, xi, i) => sum + (((o * 31 + i * 17 + seed) % 13) / 13) * xi, 0),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function expectRightNumbers(engine: InferenceEngine, key: VersionKey): Promise<void> {
  const x = randomRows(1, 4, 7)[0] as number[];
  const out = await engine.infer(key, { input: fp32([x]) });
  const [got] = rowsOf(out.output);
  squareLinear(4, 3, x).forEach((want, i) => expect(got?.[i]).toBeCloseTo(want, 4));
}

async function expectRightNumbersFor(
  engine: InferenceEngine,
  key: VersionKey,
  seed: number,
): Promise<void> {
  const x = randomRows(1, 4, seed)[0] as number[];
  const out = await engine.infer(key, { input: fp32([x]) });
  const [got] = rowsOf(out.output);
  squareLinear(4, seed, x).forEach((want, i) => expect(got?.[i]).toBeCloseTo(want, 4));
}

describe("isolation: 'process'", () => {
  const artifacts = new MemoryArtifacts();
  const loop = artifacts.add('loop', buildLoopModel(1_000_000_000_000n));
  const hog = artifacts.add('hog', buildMemoryHogModel());
  const other = artifacts.add('square', buildSquareLinearModel(4, 3));
  let engine: InferenceEngine;

  beforeAll(async () => {
    engine = await createInferenceEngine({
      isolation: 'process',
      threads: 1,
      timeoutMs: 2500,
      maxProcessRssBytes: 256 * MiB,
      quarantine: { afterFailures: 100 },
      loadArtifact: artifacts.loader,
    });
  }, 60_000);
  afterAll(() => engine?.close());

  it('runs models in a child process, with the same numbers', async () => {
    const [pid] = engine.processIds();
    expect(pid).toBeDefined();
    expect(pid).not.toBe(process.pid);
    expect(engine.isolation).toBe('process');
    await expectRightNumbers(engine, other);
    // Batched requests (the shared micro-batcher) come back row by row.
    const rows = randomRows(8, 4, 1);
    const outs = await Promise.all(rows.map((x) => engine.infer(other, { input: fp32([x]) })));
    outs.forEach((out, r) =>
      squareLinear(4, 3, rows[r] as number[]).forEach((want, i) =>
        expect(rowsOf(out.output)[0]?.[i]).toBeCloseTo(want, 4),
      ),
    );
    expect(await engine.threadSessionCounts()).toEqual([1]);
  }, 30_000);

  it('answers a burst to several models right, with requests to a busy child sent together', async () => {
    const models = [11, 12, 13, 14, 15, 16].map((seed) => ({
      seed,
      key: artifacts.add(`burst-${seed}`, buildSquareLinearModel(4, seed)),
    }));
    for (const m of models) await expectRightNumbersFor(engine, m.key, m.seed);
    const before = engine.ipcTraffic();
    const rows = randomRows(240, 4, 5);
    const outs = await Promise.all(
      rows.map((x, r) => engine.infer(models[r % models.length]!.key, { input: fp32([x]) })),
    );
    outs.forEach((out, r) =>
      squareLinear(4, models[r % models.length]!.seed, rows[r] as number[]).forEach((want, i) =>
        expect(rowsOf(out.output)[0]?.[i]).toBeCloseTo(want, 4),
      ),
    );
    const after = engine.ipcTraffic();
    const requests = after.requests - before.requests;
    const messages = after.messages - before.messages;
    // Six models' micro-batches queue on one child: they cannot have gone one message each.
    expect(requests).toBeGreaterThanOrEqual(models.length);
    expect(messages).toBeLessThan(requests);
  }, 30_000);

  it('validates an upload in the child', async () => {
    const result = await engine.validateModel('/nonexistent/model.onnx');
    expect(result.ok).toBe(false);
  }, 30_000);

  it('kills the child of a run past its deadline, and serves others at once', async () => {
    const [pid] = engine.processIds() as [number];
    await engine.signature(loop);
    const started = performance.now();
    await expect(engine.infer(loop, { input: fp32([[1]]) }, { timeoutMs: 2500 })).rejects.toThrow(
      InferenceTimeoutError,
    );
    expect(performance.now() - started).toBeLessThan(4500);
    // Killed (the native run ended with it), not left burning a core.
    await until(() => !alive(pid), 2000);
    expect(engine.processIds()[0]).not.toBe(pid);
    expect(engine.servingStatus('loop')).toMatchObject({ state: 'SERVING', recentFailures: 1 });
    await expectRightNumbers(engine, other);
  }, 30_000);

  it('fails the requests of a child killed mid-request with MODEL_UNAVAILABLE, then serves', async () => {
    const [pid] = engine.processIds() as [number];
    await engine.signature(loop);
    const pending = engine.infer(loop, { input: fp32([[1]]) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    process.kill(pid, 'SIGKILL');
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as ModelUnavailableError).reason).toBe('CRASHED');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(engine.processIds()[0]).not.toBe(pid);
    await expectRightNumbers(engine, other);
  }, 30_000);

  it('kills only the child when a run allocates past the memory limit', async () => {
    const [pid] = engine.processIds() as [number];
    await engine.signature(hog);
    const before = processRssBytes(pid) ?? 0;
    expect(before).toBeLessThan(256 * MiB);
    const parentBefore = process.memoryUsage().rss;
    const started = performance.now();
    // 10^8 FP32 elements: ~400 MB per tensor, past the 256 MiB limit within the first trip.
    const err = await engine.infer(hog, { input: fp32([[1e8]]) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as ModelUnavailableError).message).toMatch(/memory/);
    // Before the 2.5 s deadline: the memory watchdog, not the timeout, ended it.
    expect(performance.now() - started).toBeLessThan(2500);
    await until(() => !alive(pid), 2000);
    expect(process.memoryUsage().rss - parentBefore).toBeLessThan(100 * MiB);
    await expectRightNumbers(engine, other);
  }, 30_000);
});
