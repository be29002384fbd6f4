// LmBatch on the tiny GPT-2 decoder, in this thread: sequences joining and leaving at random steps
// (prompts shorter and longer than the batch's past, the longest leaving first so the padding is
// trimmed, the buffers growing) each get the tokens they get alone, and the tokens they get alone
// equal a decode without any cache (the whole sequence fed at every step).
import { tinyGpt2Bundle } from '@maas/testing';
import * as ort from 'onnxruntime-node';
import { argmaxModelBytes, GREEDY_OUTPUT, greedyGraphExtension } from '../probe-model';
import { LmBatch } from './lm-batch';
import type { LmArgmax, LmGraph, LmRun, LmSampling, LmTensor } from './lm-batch';
import { argmax, SeededRandom } from './sampling';

const gpt2 = tinyGpt2Bundle();
const GREEDY: LmSampling = { temperature: 0, topK: 0, topP: 1, u: 0 };
const graph: LmGraph = {
  layers: gpt2.layers,
  kvHeads: gpt2.heads,
  headDim: gpt2.headDim,
  vocabSize: gpt2.vocabSize,
  kvType: 'float32',
  inputIdsType: 'int64',
  attentionMaskType: 'int64',
  positionIdsType: 'int64',
  useCacheBranch: false,
  padId: 50256,
};

let session: ort.InferenceSession;
let argmaxSession: ort.InferenceSession;
/** The same decoder extended with its own ArgMax (the pool member's greedy graph). */
let fusedSession: ort.InferenceSession;
beforeAll(async () => {
  const opts = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const bytes = gpt2.files.get('onnx/model.onnx') ?? new Uint8Array();
  session = await ort.InferenceSession.create(bytes, opts);
  argmaxSession = await ort.InferenceSession.create(argmaxModelBytes(), opts);
  fusedSession = await ort.InferenceSession.create(
    Buffer.concat([bytes, greedyGraphExtension()]),
    opts,
  );
});
afterAll(async () => {
  await session.release();
  await argmaxSession.release();
  await fusedSession.release();
});

/** Greedy picks on ONNX Runtime, as the pool member makes them. */
const ortArgmax: LmArgmax = async (logits, rows, width) => {
  const out = await argmaxSession.run({ logits: new ort.Tensor('float32', logits, [rows, width]) });
  return out.ids?.data as BigInt64Array;
};

/** As the pool member runs it; `preallocate` false ignores `into` (a binding that copies outputs elsewhere). */
function runner(preallocate: boolean, on = session, fetched?: string[][]): LmRun {
  return async (feeds, fetches, into = {}) => {
    fetched?.push([...fetches]);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      ortFeeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    const ortFetches: Record<string, ort.Tensor | null> = {};
    for (const name of fetches) {
      const t = preallocate ? into[name] : undefined;
      ortFetches[name] = t ? new ort.Tensor('float32', t.data as Float32Array, t.dims) : null;
    }
    const results = await on.run(ortFeeds, ortFetches);
    const out: Record<string, LmTensor> = {};
    for (const name of fetches) {
      const v = results[name];
      if (v)
        out[name] = {
          type: v.type === 'int64' ? 'int64' : 'float32',
          data: v.data as Float32Array,
          dims: [...v.dims],
        };
    }
    return out;
  };
}

/** Greedy tokens of `prompt` decoded with no cache: the whole sequence fed each step. */
async function uncached(prompt: number[], count: number): Promise<number[]> {
  const ids = [...prompt];
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const n = ids.length;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.keys(), BigInt), [1, n]),
    };
    for (let i = 0; i < gpt2.layers; i++)
      for (const kind of ['key', 'value'])
        feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [
          1,
          gpt2.heads,
          0,
          gpt2.headDim,
        ]);
    const logits = (await session.run(feeds)).logits as ort.Tensor;
    const token = argmax(logits.data as Float32Array, (n - 1) * gpt2.vocabSize, gpt2.vocabSize);
    out.push(token);
    ids.push(token);
  }
  return out;
}

interface Job {
  seq: string;
  prompt: number[];
  count: number;
  joinAt: number;
}

/** Runs `jobs` through one LmBatch, each joining at its step and leaving after `count` tokens. */
async function churn(
  jobs: Job[],
  run: LmRun,
  argmax?: LmArgmax,
  greedyOutput?: string,
  sampling: (seq: string) => LmSampling = () => GREEDY,
): Promise<Record<string, number[]>> {
  const batch = new LmBatch();
  const got: Record<string, number[]> = {};
  const running = new Set<string>();
  let leave: string[] = [];
  for (let step = 0; running.size > 0 || jobs.some((j) => got[j.seq] === undefined); step++) {
    const join = jobs
      .filter((j) => j.joinAt === step)
      .map((j) => ({ seq: j.seq, tokens: j.prompt, sampling: sampling(j.seq) }));
    const decode = Object.fromEntries([...running].map((s) => [s, sampling(s)]));
    const result = await batch.step({ graph, leave, decode, join }, run, argmax, greedyOutput);
    leave = [];
    for (const j of join) {
      running.add(j.seq);
      got[j.seq] = [];
    }
    for (const [seq, token] of Object.entries(result.tokens)) {
      const list = got[seq] as number[];
      list.push(token);
      const job = jobs.find((j) => j.seq === seq) as Job;
      if (list.length === job.count) {
        running.delete(seq);
        leave.push(seq);
      }
    }
    expect(result.rows).toBe(running.size + leave.length);
  }
  await batch.step({ graph, leave, decode: {}, join: [] }, run);
  expect(batch.size).toBe(0);
  return got;
}

function jobsOf(seed: number, n: number): Job[] {
  const rng = new SeededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  return Array.from({ length: n }, (_, i) => ({
    seq: `s${i}`,
    // Mostly short prompts; some long ones join a batch whose past is shorter.
    prompt: Array.from({ length: rng.next() < 0.2 ? int(20, 40) : int(1, 6) }, () => int(0, 50000)),
    count: int(1, 40),
    joinAt: i === 0 ? 0 : int(0, 60),
  }));
}

describe('LmBatch', () => {
  it('decodes alone what a decode without a cache gives', async () => {
    const jobs = jobsOf(3, 4);
    for (const job of jobs) {
      const alone = await churn([{ ...job, joinAt: 0 }], runner(true));
      expect(alone[job.seq]).toEqual(await uncached(job.prompt, job.count));
    }
  });

  it('picks with the ArgMax model what argmax in JS picks, the first index on a tie', async () => {
    const rng = new SeededRandom(1);
    const width = 1000;
    const rows = 8;
    const logits = Float32Array.from({ length: rows * width }, () => Math.round(rng.next() * 50));
    // Ties: 50 (the largest value) appears several times in most rows.
    const ids = (await ortArgmax(logits, rows, width)) as BigInt64Array;
    expect([...ids].map(Number)).toEqual(
      Array.from({ length: rows }, (_, r) => argmax(logits, r * width, width)),
    );
  });

  it.each([
    ['preallocated outputs, picks on ONNX Runtime', true],
    ['outputs copied back, picks in JS', false],
  ])(
    'gives every sequence its solo tokens while others join and leave (%s)',
    async (_name, preallocate) => {
      const jobs = jobsOf(preallocate ? 5 : 9, 24);
      const together = await churn(jobs, runner(preallocate), preallocate ? ortArgmax : undefined);
      for (const job of jobs) {
        const alone = await churn([{ ...job, joinAt: 0 }], runner(true));
        expect({ seq: job.seq, tokens: together[job.seq] }).toEqual({
          seq: job.seq,
          tokens: alone[job.seq],
        });
      }
    },
  );

  it("picks greedy tokens with the graph's own ArgMax, never fetching the logits of an all-greedy step", async () => {
    const jobs = jobsOf(11, 24);
    const fetched: string[][] = [];
    const together = await churn(
      jobs,
      runner(true, fusedSession, fetched),
      undefined,
      GREEDY_OUTPUT,
    );
    for (const job of jobs) {
      const alone = await churn([{ ...job, joinAt: 0 }], runner(true));
      expect({ seq: job.seq, tokens: together[job.seq] }).toEqual({
        seq: job.seq,
        tokens: alone[job.seq],
      });
    }
    // Decode steps fetch the picks and not the logits; prefills still need the logits.
    const decodes = fetched.filter((f) => f.includes(GREEDY_OUTPUT));
    expect(decodes.length).toBeGreaterThan(40);
    expect(decodes.every((f) => !f.includes('logits'))).toBe(true);
  });

  it('mixes greedy rows picked by the graph with sampled rows picked from the logits', async () => {
    const jobs = jobsOf(13, 10);
    // Every third sequence samples (a fixed uniform draw each step, so both runs draw alike).
    const sampling = (seq: string): LmSampling =>
      Number(seq.slice(1)) % 3 === 0 ? { temperature: 0.9, topK: 40, topP: 0.95, u: 0.37 } : GREEDY;
    const fetched: string[][] = [];
    const fused = await churn(
      jobs,
      runner(true, fusedSession, fetched),
      undefined,
      GREEDY_OUTPUT,
      sampling,
    );
    const plain = await churn(jobs, runner(true), ortArgmax, undefined, sampling);
    expect(fused).toEqual(plain);
    expect(fetched.some((f) => f.includes(GREEDY_OUTPUT) && f.includes('logits'))).toBe(true);
  });

  it('drops its sequences after a failed run and serves the next ones', async () => {
    const batch = new LmBatch();
    const run = runner(true);
    await batch.step(
      { graph, leave: [], decode: {}, join: [{ seq: 'a', tokens: [1, 2, 3], sampling: GREEDY }] },
      run,
    );
    const failing: LmRun = () => Promise.reject(new Error('boom'));
    await expect(
      batch.step({ graph, leave: [], decode: { a: GREEDY }, join: [] }, failing),
    ).rejects.toThrow('boom');
    expect(batch.size).toBe(0);
    const result = await batch.step(
      { graph, leave: [], decode: {}, join: [{ seq: 'b', tokens: [4, 5], sampling: GREEDY }] },
      run,
    );
    expect(result.rows).toBe(1);
    expect(result.tokens.b).toBe((await uncached([4, 5], 1))[0]);
  });
});
