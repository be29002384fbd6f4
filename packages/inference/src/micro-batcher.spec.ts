import { Deadline, MicroBatcher } from './micro-batcher';
import type { BatchEvent, BatchingOptions } from './micro-batcher';
import type { DecodedTensor } from './tensor.types';

type Feeds = Record<string, DecodedTensor>;

const rows = (...values: number[][]): Feeds => ({
  x: {
    datatype: 'FP32',
    shape: [values.length, values[0]?.length ?? 0],
    data: Float32Array.from(values.flat()),
  },
});

/** A fake model: y = 2x per row (shape [N, F]); fails when any value is negative. Runs wait for release(). */
class FakeRunner {
  calls: Feeds[] = [];
  private pending: (() => void)[] = [];
  manual = true;
  brokenBatchDim = false;

  run = (feeds: Feeds, fetches: readonly string[]): Promise<Record<string, DecodedTensor>> => {
    this.calls.push(feeds);
    const x = feeds.x as DecodedTensor;
    const compute = (): Record<string, DecodedTensor> => {
      const data = x.data as Float32Array;
      if (data.some((v) => v < 0)) throw new Error('negative input');
      const y: DecodedTensor = {
        datatype: 'FP32',
        shape: [...x.shape],
        data: data.map((v) => v * 2),
      };
      const out: Record<string, DecodedTensor> = { y };
      if (this.brokenBatchDim) out.y = { ...y, shape: [1, y.data.length], data: y.data };
      return Object.fromEntries(Object.entries(out).filter(([k]) => fetches.includes(k)));
    };
    if (!this.manual) return Promise.resolve().then(compute);
    return new Promise((resolve, reject) =>
      this.pending.push(() => {
        try {
          resolve(compute());
        } catch (err) {
          reject(err as Error);
        }
      }),
    );
  };

  /** Completes the oldest pending run and lets promise callbacks settle. */
  async release(): Promise<void> {
    this.pending.shift()?.();
    await flush();
  }

  get rowsPerCall(): number[] {
    return this.calls.map((f) => f.x?.shape[0] ?? -1);
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function make(options: Partial<BatchingOptions> = {}, runner = new FakeRunner()) {
  const events: BatchEvent[] = [];
  let clock = 0;
  const batcher = new MicroBatcher(
    { maxBatchSize: 64, maxDelayMs: 5, maxInFlight: 1, ...options },
    runner.run,
    (e) => events.push(e),
    () => clock,
  );
  return { batcher, runner, events, advance: (ms: number) => (clock += ms) };
}

const yOf = (out: Record<string, DecodedTensor>): number[] =>
  Array.from(out.y?.data as Float32Array);

describe('MicroBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a request at once when nothing is running for the version', async () => {
    const { batcher, runner } = make();
    const p = batcher.submit(rows([1, 2]), ['y']);
    expect(runner.rowsPerCall).toEqual([1]);
    await runner.release();
    expect(yOf(await p)).toEqual([2, 4]);
  });

  it('concatenates requests that arrive while a batch runs, runs them once and splits the answers back', async () => {
    const { batcher, runner, events } = make();
    const first = batcher.submit(rows([1]), ['y']);
    const rest = [
      batcher.submit(rows([2]), ['y']),
      batcher.submit(rows([3], [4]), ['y']),
      batcher.submit(rows([5]), ['y']),
    ];
    expect(runner.calls).toHaveLength(1);
    expect(batcher.queued).toBe(3);
    await runner.release();
    expect(runner.rowsPerCall).toEqual([1, 4]);
    expect(Array.from(runner.calls[1]?.x?.data as Float32Array)).toEqual([2, 3, 4, 5]);
    await runner.release();
    expect(yOf(await first)).toEqual([2]);
    const answers = await Promise.all(rest);
    expect(answers.map(yOf)).toEqual([[4], [6, 8], [10]]);
    expect(answers[1]?.y?.shape).toEqual([2, 1]);
    expect(events.map((e) => [e.requests, e.rows])).toEqual([
      [1, 1],
      [3, 4],
    ]);
  });

  it('never puts more than maxBatchSize rows in one call', async () => {
    const { batcher, runner } = make({ maxBatchSize: 4 });
    const all = Array.from({ length: 11 }, (_, i) => batcher.submit(rows([i]), ['y']));
    for (let i = 0; i < 4; i++) await runner.release();
    expect(runner.rowsPerCall).toEqual([1, 4, 4, 2]);
    expect((await Promise.all(all)).map(yOf)).toEqual(
      Array.from({ length: 11 }, (_, i) => [2 * i]),
    );
  });

  it('sends a second batch after maxDelayMs when a send slot is free', () => {
    const { batcher, runner, advance } = make({ maxInFlight: 2, maxDelayMs: 5 });
    void batcher.submit(rows([1]), ['y']);
    void batcher.submit(rows([2]), ['y']);
    void batcher.submit(rows([3]), ['y']);
    expect(runner.rowsPerCall).toEqual([1]);
    advance(4);
    vi.advanceTimersByTime(4);
    expect(runner.rowsPerCall).toEqual([1]);
    advance(1);
    vi.advanceTimersByTime(1);
    expect(runner.rowsPerCall).toEqual([1, 2]);
    expect(batcher.inFlight).toBe(2);
  });

  it('fails a bad request alone: the batch is retried request by request', async () => {
    const { batcher, runner } = make();
    void batcher.submit(rows([0]), ['y']);
    const good1 = batcher.submit(rows([1]), ['y']);
    const bad = batcher.submit(rows([-1]), ['y']);
    const good2 = batcher.submit(rows([2]), ['y']);
    const badResult = expect(bad).rejects.toThrow('negative input');
    runner.manual = false;
    await runner.release();
    await vi.runAllTimersAsync();
    expect(yOf(await good1)).toEqual([2]);
    expect(yOf(await good2)).toEqual([4]);
    await badResult;
    expect(runner.rowsPerCall).toEqual([1, 3, 1, 1, 1]);
  });

  it('does not concatenate requests whose trailing dimensions differ', async () => {
    const { batcher, runner } = make();
    void batcher.submit(rows([0, 0]), ['y']);
    const a = batcher.submit(rows([1, 1]), ['y']);
    const b = batcher.submit(rows([2, 2, 2]), ['y']);
    const c = batcher.submit(rows([3, 3]), ['y']);
    runner.manual = false;
    await runner.release();
    await vi.runAllTimersAsync();
    expect(runner.calls.map((f) => f.x?.shape)).toEqual([
      [1, 2],
      [2, 2],
      [1, 3],
    ]);
    expect((await Promise.all([a, b, c])).map(yOf)).toEqual([
      [2, 2],
      [4, 4, 4],
      [6, 6],
    ]);
  });

  it('falls back to one call per request when outputs do not follow the batch dimension', async () => {
    const runner = new FakeRunner();
    runner.brokenBatchDim = true;
    const { batcher } = make({}, runner);
    void batcher.submit(rows([0]), ['y']);
    const a = batcher.submit(rows([1]), ['y']);
    const b = batcher.submit(rows([2]), ['y']);
    runner.manual = false;
    await runner.release();
    await vi.runAllTimersAsync();
    expect((await Promise.all([a, b])).map(yOf)).toEqual([[2], [4]]);
    expect(runner.rowsPerCall).toEqual([1, 2, 1, 1]);
    // From then on the version is not batched at all.
    void batcher.submit(rows([0]), ['y']);
    void batcher.submit(rows([0]), ['y']);
    await vi.runAllTimersAsync();
    expect(runner.rowsPerCall.slice(4)).toEqual([1, 1]);
  });

  it.each([
    ['an AbortSignal', () => new AbortController()],
    ['a Deadline', () => new Deadline()],
  ])(
    'removes a request aborted by %s from the queue and rejects it with the reason',
    async (_kind, cancel) => {
      const { batcher, runner } = make();
      void batcher.submit(rows([0]), ['y']);
      const controller = cancel();
      const aborted = batcher.submit(
        rows([1]),
        ['y'],
        controller instanceof AbortController ? controller.signal : controller,
      );
      const kept = batcher.submit(rows([2]), ['y']);
      controller.abort(new Error('too slow'));
      await expect(aborted).rejects.toThrow('too slow');
      runner.manual = false;
      await runner.release();
      await vi.runAllTimersAsync();
      expect(yOf(await kept)).toEqual([4]);
      expect(runner.rowsPerCall).toEqual([1, 1]);
    },
  );

  it('rejects what is queued on close', async () => {
    const { batcher } = make();
    void batcher.submit(rows([0]), ['y']);
    const queued = batcher.submit(rows([1]), ['y']);
    batcher.close(new Error('unloaded'));
    await expect(queued).rejects.toThrow('unloaded');
  });
});
