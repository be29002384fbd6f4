import pino from 'pino';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { AuthInfo } from '../auth/auth.service';
import { UsageMeter } from './usage-meter';

// The in-memory side of the meter; flushing to PostgreSQL is covered by test/usage.int.spec.ts.
// The stand-in database answers "nothing flushed yet" to the one read of today's totals.
const nothingFlushed = { query: () => Promise.resolve([]) } as unknown as DataSource;

function meterAt(clock: { now: number }) {
  return new UsageMeter(nothingFlushed, pino({ level: 'silent' }), {
    flushIntervalMs: 1000,
    maxKeys: 100,
    now: () => clock.now,
  });
}

const auth = (limits: Partial<AuthInfo['limits']>): AuthInfo => ({
  apiKeyId: '11111111-1111-4111-8111-111111111111',
  keyName: 'k',
  workspaceId: '22222222-2222-4222-8222-222222222222',
  role: 'EDITOR',
  isRoot: false,
  limits: { requestsPerSecond: null, maxPredictionsPerDay: null, maxTokensPerDay: null, ...limits },
});
const target = { modelId: null, deploymentId: null };

describe('UsageMeter', () => {
  it('counts generated tokens against maxTokensPerDay, and the UTC day resets them', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 23, 59, 0) };
    const meter = meterAt(clock);
    const caller = auth({ maxTokensPerDay: 50 });
    await meter.assertTokensAvailable(caller, 50);
    meter.recordTokens(caller, target, { promptTokens: 1000, completionTokens: 40 });
    expect(meter.tokensToday(caller.workspaceId)).toBe(40); // prompt tokens are not generated
    await meter.assertTokensAvailable(caller, 10); // exactly the limit
    await expect(meter.assertTokensAvailable(caller, 11)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'maxTokensPerDay', limit: 50, usage: 40 },
    });
    expect(meter.pendingKeys).toBe(1);
    clock.now += 60_000; // 00:00 UTC
    expect(meter.tokensToday(caller.workspaceId)).toBe(0);
    await meter.assertTokensAvailable(caller, 50);
  });

  it('reserves admitted rows until settled, so concurrent predictions cannot pass the limit', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 12) };
    const meter = meterAt(clock);
    const caller = auth({ maxPredictionsPerDay: 10 });
    const first = await meter.admitPredictions(caller, 6);
    await expect(meter.admitPredictions(caller, 5)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'maxPredictionsPerDay', limit: 10, usage: 6 },
    });
    first.settle(false, target); // failed: released, not counted
    expect(meter.predictionsToday(caller.workspaceId)).toBe(0);
    expect(meter.pendingKeys).toBe(0);
    const second = await meter.admitPredictions(caller, 10);
    second.settle(true, target);
    second.settle(true, target); // settling twice counts once
    expect(meter.predictionsToday(caller.workspaceId)).toBe(10);
    await expect(meter.admitPredictions(caller, 1)).rejects.toMatchObject({
      details: { usage: 10 },
    });
    // A workspace without a limit is never refused.
    const free = await meter.admitPredictions(auth({}), 1_000_000);
    free.settle(true, target);
  });
});

describe('UsageMeter without its database', () => {
  it("admits from its own counts when today's total cannot be read", async () => {
    const down = {
      query: () => Promise.reject(new Error('connection refused')),
    } as unknown as DataSource;
    const meter = new UsageMeter(down, pino({ level: 'silent' }), {
      flushIntervalMs: 1000,
      maxKeys: 100,
    });
    const caller = auth({ maxPredictionsPerDay: 3 });
    (await meter.admitPredictions(caller, 3)).settle(true, target);
    await expect(meter.admitPredictions(caller, 1)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    await meter.flush(); // fails: the counts stay
    expect(meter.pendingKeys).toBe(1);
    expect(meter.predictionsToday(caller.workspaceId)).toBe(3);
  });
});
