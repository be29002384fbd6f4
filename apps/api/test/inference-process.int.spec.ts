// INFERENCE_ISOLATION=process (issue 9, item 5): models run in a supervised child inference
// process. Killing that child (as a native crash or the kernel's OOM killer would) mid-request
// gives the caller a coded, retryable 503 and the API serves again after the restart; a model
// whose Loop never ends is stopped for real (the child is killed), not just abandoned.
import { readdirSync, readFileSync } from 'node:fs';
import { buildLoopModel } from '@maas/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStillServing,
  SENTINEL_MODEL,
  startApiProcess,
  type ApiProcess,
} from './api-process';

const PREDICT = `query($m: String!) { predict(input: { model: $m, inputs: { input: [[1]] } }) { outputs } }`;

/** The pid of the API's child inference worker. */
function inferenceChild(api: ApiProcess): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== api.child.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('inference-worker'))
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

describe('INFERENCE_ISOLATION=process', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApiProcess({ INFERENCE_ISOLATION: 'process', PREDICT_TIMEOUT_MS: '1500' });
    const created = await api.gql(
      `mutation { createModel(input: { name: "endless", task: REGRESSION }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    expect((await api.upload('endless', buildLoopModel(1_000_000_000_000n))).status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('answers a coded 503 when the inference process dies mid-request, then serves again', async () => {
    await expectStillServing(api);
    const pid = inferenceChild(api);
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
    const restarted = inferenceChild(api);
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(pid);
  }, 60_000);

  it('stops a model whose Loop never ends by restarting the inference process', async () => {
    const pid = inferenceChild(api);
    const started = Date.now();
    const answer = await api.gql(PREDICT, { m: 'endless' });
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(answer.errors?.[0]?.extensions?.code).toBe('PREDICT_TIMEOUT');
    await untilServing(api);
    await expectStillServing(api);
    // The wedged child was killed (its native run ended with it), not left burning a core.
    expect(inferenceChild(api)).not.toBe(pid);
    expect(() => process.kill(pid as number, 0)).toThrow();
    expect(api.alive()).toBe(true);
  }, 60_000);
});
