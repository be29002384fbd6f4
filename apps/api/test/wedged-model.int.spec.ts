// Attack (issue 9, item 5): a model whose Loop never ends. Its predict must fail with a coded
// error within a few seconds, the inference child process it wedged (the default,
// INFERENCE_ISOLATION=child; a thread with `thread`) is killed and replaced so every other model
// (and upload validation) keeps being served, and after repeated timeouts the version is
// quarantined: visible in GraphQL, predictions refused at once with MODEL_UNAVAILABLE.
import { buildLinearModel } from '@maas/onnx';
import { buildLoopModel } from '@maas/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServing, startApiProcess, type ApiProcess } from './api-process';

const PREDICT = `query($m: String!) { predict(input: { model: $m, inputs: { input: [[1]] } }) { outputs } }`;
const STATUS = `query($m: String!) { model(name: $m) { latestVersion { servingStatus { state reason since until recentFailures } } } }`;

async function createModel(api: ApiProcess, name: string): Promise<void> {
  const created = await api.gql(
    `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
    { n: name },
  );
  expect(created.errors).toBeUndefined();
}

describe('a model whose Loop never ends', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApiProcess({
      PREDICT_TIMEOUT_MS: '1500',
      INFERENCE_QUARANTINE_AFTER: '2',
      INFERENCE_QUARANTINE_MS: '60000',
    });
    await createModel(api, 'endless');
    // About 5 s of Loop per run (1.7 µs a trip), far past PREDICT_TIMEOUT_MS: a timed-out run's
    // retired thread still finishes it, so it does not burn a core for the rest of the suite
    // (and starve the test files running beside this one).
    const up = await api.upload('endless', buildLoopModel(3_000_000n));
    expect(up.status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    // (With INFERENCE_ISOLATION=thread, an abandoned thread would still be inside ONNX Runtime's
    // native loop, which only SIGKILL ends.)
    await api?.stop('SIGKILL');
  });

  it('times out with a coded error, keeps serving others, then is quarantined', async () => {
    let started = Date.now();
    const first = await api.gql(PREDICT, { m: 'endless' });
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(first.errors?.[0]?.extensions?.code).toBe('PREDICT_TIMEOUT');
    expect(first.errors?.[0]?.message).toMatch(/longer than 1500 ms/);

    // The wedged thread was replaced: the sentinel model predicts right away...
    await expectStillServing(api, 5_000);
    // ...and an upload of a new model is validated and served.
    await createModel(api, 'fresh');
    const up = await api.upload('fresh', buildLinearModel({ weights: [[3]], bias: [1] }));
    expect(up.status).toBe(201);
    const fresh = await api.gql(
      `{ predict(input: { model: "fresh", inputs: { input: [[2]] } }) { outputs } }`,
    );
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data.predict.outputs).toEqual({ output: [[7]] });

    const serving = await api.gql(STATUS, { m: 'endless' });
    expect(serving.data.model.latestVersion.servingStatus).toMatchObject({
      state: 'SERVING',
      recentFailures: 1,
    });

    // The second timeout within the window quarantines the version.
    started = Date.now();
    const second = await api.gql(PREDICT, { m: 'endless' });
    expect(second.errors?.[0]?.extensions?.code).toBe('PREDICT_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3_500);
    let status = (await api.gql(STATUS, { m: 'endless' })).data.model.latestVersion.servingStatus;
    for (let i = 0; i < 20 && status.state !== 'QUARANTINED'; i++) {
      // The watchdog replaces the thread a moment after the request's own deadline.
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api.gql(STATUS, { m: 'endless' })).data.model.latestVersion.servingStatus;
    }
    expect(status.state).toBe('QUARANTINED');
    expect(status.reason).toMatch(/PREDICT_TIMEOUT_MS \(1500 ms\)/);
    expect(Date.parse(status.until) - Date.parse(status.since)).toBe(60_000);

    // Quarantined: refused at once, over GraphQL and OIP, with a retryable 503.
    started = Date.now();
    const refused = await api.gql(PREDICT, { m: 'endless' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      reason: 'QUARANTINED',
      retryable: true,
    });
    const oip = await fetch(`${api.url}/v2/models/endless/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
      body: JSON.stringify({
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1], data: [1] }],
      }),
    });
    expect(oip.status).toBe(503);
    expect(Number(oip.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await oip.json()).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      reason: 'QUARANTINED',
      retryable: true,
    });

    await expectStillServing(api, 5_000);
  }, 60_000);
});
