// The --tail split of serving.bench.mjs: its parts add up to each request, and GC is charged only
// where it can have delayed the request.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a bench script in plain JavaScript, without types
import { summarizeTail } from '../bench/tail-summary.mjs';

describe('summarizeTail', () => {
  it('splits a request into parts that add up to it, and does not charge GC during the child’s run', () => {
    // One 10 ms request: engine call [1, 9], pool call [2, 8] of which the run took 3 ms, and a
    // 4.5 ms GC pause [3, 7.5] inside the pool call, mostly while the child ran.
    const summary = summarizeTail({
      requests: [[0, 10, 5, 5]],
      engineCalls: [[1, 9]],
      runs: [[2, 8, 3]],
      pauses: [[3, 7.5]],
    });
    const parts = Object.fromEntries(
      Object.entries(summary.parts as Record<string, { p50: number }>).map(([k, v]) => [k, v.p50]),
    );
    // Pool call 6 ms = run 3 + hop 3; of the pause only what the hop could have absorbed (3 ms)
    // is charged: hop 0, gc 3. The batcher is the rest of the engine call, api the rest.
    expect(parts).toEqual({ run: 3, hop: 0, gc: 3, batcher: 2, api: 2 });
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('charges GC outside the engine call to the request, and a plain request to the API', () => {
    const summary = summarizeTail({
      requests: [
        [0, 2, 1, 1],
        [10, 11, 1, 1],
      ],
      engineCalls: [[0.5, 1.5]],
      runs: [[0.6, 1.4, 0.5]],
      pauses: [[1.6, 1.9]],
    });
    expect(summary.top1.byCause).toMatchObject({ api: 1 });
    const first = {
      run: 0.5,
      hop: 0.3,
      batcher: 0.2,
      gc: 0.3,
      api: 0.7,
    };
    const sum = Object.values(first).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(2, 9);
    expect(summary.parts.gc.max).toBeCloseTo(first.gc, 9);
    expect(summary.parts.hop.max).toBeCloseTo(first.hop, 9);
  });
});
