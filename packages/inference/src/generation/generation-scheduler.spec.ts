// The scheduler's pipelined steps against a pool member double that keeps the batch as LmBatch does
// (a step's decode set must be the batch after its leaves, else it throws and drops the batch) and
// answers in order, later: every sequence gets its maxTokens tokens, the batch never holds a
// sequence it should not, and a failed step fails the sequences in it and in the steps after it
// while the next requests are served.
import type { LmStepRequest, LmStepResult } from './lm-batch';
import { GenerationScheduler } from './generation-scheduler';
import type { StepRunner } from './generation-scheduler';
import type { PreparedGeneration } from './generation-request';

function prepared(maxTokens: number): PreparedGeneration {
  return {
    promptIds: [1, 2],
    sampling: { temperature: 0, topK: 0, topP: 1 },
    seed: 1,
    maxTokens,
    stop: [],
    eosIds: new Set([0]),
  };
}

/** A pool member double: steps in order, each answered on a later turn of the event loop. */
function member(failAt?: number) {
  const batch = new Set<string>();
  let calls = 0;
  let chain = Promise.resolve();
  let most = 0;
  const run: StepRunner = (step: Omit<LmStepRequest, 'graph'>) => {
    const call = ++calls;
    const done = chain.then(
      () =>
        new Promise<LmStepResult>((resolve, reject) =>
          setImmediate(() => {
            for (const id of step.leave) batch.delete(id);
            const decoding = Object.keys(step.decode);
            if (
              call === failAt ||
              decoding.length !== batch.size ||
              decoding.some((id) => !batch.has(id))
            ) {
              const why =
                call === failAt
                  ? 'boom'
                  : `decode names ${decoding.length}, batch has ${batch.size}`;
              batch.clear();
              reject(new Error(why));
              return;
            }
            const tokens: Record<string, number> = {};
            for (const id of decoding) tokens[id] = 65;
            for (const j of step.join) {
              batch.add(j.seq);
              tokens[j.seq] = 65;
            }
            most = Math.max(most, batch.size);
            resolve({ tokens, rows: batch.size, decodeMs: 0, prefillMs: 0 });
          }),
        ),
    );
    chain = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  };
  return { run, batch, most: () => most };
}

const detokenize = (ids: readonly number[]) => String.fromCharCode(...ids.filter((i) => i > 0));
const options = { maxRunning: 4, maxQueued: 16, prefillTokenBudget: 4096, versionId: 'v' };

async function collect(stream: AsyncIterable<{ type: string; text?: string }>) {
  let text = '';
  for await (const e of stream) if (e.type === 'delta') text += e.text ?? '';
  return text;
}

describe('GenerationScheduler (pipelined steps)', () => {
  it('gives every request its tokens, never over maxRunning, and leaves the batch empty', async () => {
    const m = member();
    const scheduler = new GenerationScheduler(options, m.run, detokenize);
    const lengths = [1, 2, 3, 5, 8, 13, 4, 2, 1, 6];
    const texts = await Promise.all(
      lengths.map((n) => collect(scheduler.submit(prepared(n), undefined, () => undefined))),
    );
    expect(texts).toEqual(lengths.map((n) => 'A'.repeat(n)));
    expect(m.most()).toBeLessThanOrEqual(options.maxRunning);
    await new Promise((r) => setTimeout(r, 20));
    expect(m.batch.size).toBe(0);
  });

  it('a failed step fails the sequences in it and in the steps after it, then serves the next', async () => {
    const m = member(3);
    const scheduler = new GenerationScheduler(options, m.run, detokenize);
    const first = await Promise.allSettled(
      [10, 10].map((n) => collect(scheduler.submit(prepared(n), undefined, () => undefined))),
    );
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((first[0] as PromiseRejectedResult).reason).toEqual(new Error('boom'));
    const next = await Promise.all(
      [3, 4].map((n) => collect(scheduler.submit(prepared(n), undefined, () => undefined))),
    );
    expect(next).toEqual(['AAA', 'AAAA']);
    await new Promise((r) => setTimeout(r, 20));
    expect(m.batch.size).toBe(0);
  });

  it('a cancelled request leaves, and a waiting one takes its slot', async () => {
    const m = member();
    const scheduler = new GenerationScheduler({ ...options, maxRunning: 1 }, m.run, detokenize);
    const controller = new AbortController();
    const long = scheduler.submit(prepared(1000), controller.signal, () => undefined);
    const short = scheduler.submit(prepared(3), undefined, () => undefined);
    let got = 0;
    const cancelled = (async () => {
      for await (const e of long)
        if (e.type === 'delta' && ++got === 5) controller.abort(new Error('gone'));
    })();
    await expect(cancelled).rejects.toThrow('gone');
    expect(await collect(short)).toBe('AAA');
    expect(got).toBeLessThan(10);
  });
});
