// Process isolation (issue 9, item 5), both ways: INFERENCE_ISOLATION=child (the default: ONNX
// Runtime in supervised child processes over IPC) and INFERENCE_ISOLATION=process (one child
// inference worker over the remote wire). Killing the child (as a native crash or the kernel's
// OOM killer would) mid-request gives the caller a coded, retryable 503 and the API serves again
// after the restart; a model whose Loop never ends is stopped for real (the child is killed), not
// just abandoned; a run that allocates past INFERENCE_PROCESS_MAX_RSS_BYTES kills only the child.
import { readdirSync, readFileSync } from 'node:fs';
import { buildLoopModel, buildMemoryHogModel } from '@maas/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStillServing,
  SENTINEL_MODEL,
  startApiProcess,
  type ApiProcess,
} from './api-process';

const PREDICT = `query($m: String!) { predict(input: { model: $m, inputs: { input: [[1]] } }) { outputs } }`;

/** How each isolation's child is recognised among the API's children (its script). */
const CHILD_SCRIPT = { child: 'session.worker', process: 'inference-worker' } as const;
type Isolation = keyof typeof CHILD_SCRIPT;

/** The pid of the API's child inference process. */
function inferenceChild(api: ApiProcess, isolation: Isolation): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== api.child.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(CHILD_SCRIPT[isolation]))
        return Number(entry);
    } catch {
      // the process went away while we looked
    }
  }
  return undefined;
}

/** Waits (bounded) until the sentinel predicts again after a restart of the child. */
async function untilServing(api: ApiProcess, withinMs = 20_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const health = await fetch(`${api.url}/healthz`).then((r) => r.status);
    const res = await api.gql(PREDICT.replace('[[1]]', '[[1, 2]]'), { m: SENTINEL_MODEL });
    if (health === 200 && !res.errors) return;
    if (res.errors) expect(res.errors[0]?.extensions?.code).toBe('MODEL_UNAVAILABLE');
    if (Date.now() > deadline) throw new Error(`not serving again within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each(['child', 'process'] as const)('INFERENCE_ISOLATION=%s', (isolation) => {
  let api: ApiProcess;

  beforeAll(async () => {
    // `child` is the default: it is what an unset INFERENCE_ISOLATION gives.
    api = await startApiProcess({
      ...(isolation === 'process' ? { INFERENCE_ISOLATION: 'process' } : {}),
      PREDICT_TIMEOUT_MS: '1500',
      INFERENCE_QUARANTINE_AFTER: '10',
      INFERENCE_PROCESS_MAX_RSS_BYTES: String((isolation === 'child' ? 256 : 512) * 1024 ** 2),
    });
    for (const name of ['endless', 'hog']) {
      const created = await api.gql(
        `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
        { n: name },
      );
      expect(created.errors).toBeUndefined();
    }
    expect((await api.upload('endless', buildLoopModel(1_000_000_000_000n))).status).toBe(201);
    expect((await api.upload('hog', buildMemoryHogModel())).status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('answers a coded 503 when the inference process dies mid-request, then serves again', async () => {
    await expectStillServing(api);
    const pid = inferenceChild(api, isolation);
    expect(pid).toBeDefined();
    const pending = api.gql(PREDICT, { m: 'endless' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    process.kill(pid as number, 'SIGKILL');
    const answer = await pending;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      retryable: true,
    });
    await untilServing(api);
    await expectStillServing(api);
    const restarted = inferenceChild(api, isolation);
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(pid);
  }, 60_000);

  it('stops a model whose Loop never ends by restarting the inference process', async () => {
    const pid = inferenceChild(api, isolation);
    const started = Date.now();
    const answer = await api.gql(PREDICT, { m: 'endless' });
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(answer.errors?.[0]?.extensions?.code).toBe('PREDICT_TIMEOUT');
    await untilServing(api);
    await expectStillServing(api);
    // The wedged child was killed (its native run ended with it), not left burning a core.
    expect(inferenceChild(api, isolation)).not.toBe(pid);
    expect(() => process.kill(pid as number, 0)).toThrow();
    expect(api.alive()).toBe(true);
  }, 60_000);

  it('kills only the child when a run allocates past INFERENCE_PROCESS_MAX_RSS_BYTES', async () => {
    const pid = inferenceChild(api, isolation);
    const apiRss = api.rssBytes();
    const started = Date.now();
    // 10^8 FP32 elements: 400 MB per tensor, two at a time, held by a Loop that never ends.
    const answer = await api.gql(PREDICT.replace('[[1]]', '[[1e8]]'), { m: 'hog' });
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      retryable: true,
    });
    // The memory watchdog ended it, not PREDICT_TIMEOUT_MS (1.5 s, which would answer PREDICT_TIMEOUT).
    expect(Date.now() - started).toBeLessThan(1500);
    await untilServing(api);
    await expectStillServing(api);
    expect(() => process.kill(pid as number, 0)).toThrow();
    expect(api.rssBytes() - apiRss).toBeLessThan(100 * 1024 ** 2);
  }, 60_000);
});
