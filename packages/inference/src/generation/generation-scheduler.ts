// Continuous batching for one language model version, on the main thread: requests wait in a
// bounded queue, join the running batch at the next decode step (prefilled in that step's pool
// call), and leave it the step after they finish or are cancelled. Each step is one call to the
// pool member that holds the model and the batch's cache (`lmStep`), under the pool's run
// deadline. Tokens come back to this thread, where each sequence's text, stop strings, EOS and
// length are checked and its events handed to its stream.
//
// Steps are pipelined: the next step is sent before the last one's tokens come back (a step names
// the batch as the steps before it leave it, which this thread knows without their tokens), so
// the pool member starts it as soon as it has sent those tokens instead of waiting a round trip
// and this thread's handling of them. A sequence that reaches its `maxTokens` leaves on time (its
// count is known ahead); one that meets EOS or a stop string, or is cancelled, is decoded in the
// step already sent (that token is dropped) and leaves in the next one.
import { GenerationOverloadedError } from '../inference.errors';
import type { LmSampling, LmStepRequest, LmStepResult } from './lm-batch';
import type {
  FinishReason,
  GenerationEvent,
  GenerationStepEvent,
  GenerationStream,
} from './generation.types';
import type { PreparedGeneration } from './generation-request';
import { SeededRandom } from './sampling';
import { TextStream } from './text-stream';
import type { Detokenize } from './text-stream';

export type StepRunner = (step: Omit<LmStepRequest, 'graph'>) => Promise<LmStepResult>;

export interface SchedulerOptions {
  maxRunning: number;
  maxQueued: number;
  prefillTokenBudget: number;
  versionId: string;
}

/** Events of one stream, handed from the decode loop to whoever iterates it. */
class EventChannel {
  private readonly buffer: GenerationEvent[] = [];
  private waiting?: {
    resolve: (r: IteratorResult<GenerationEvent>) => void;
    reject: (e: unknown) => void;
  };
  private ended = false;
  private error?: unknown;

  push(event: GenerationEvent): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: event, done: false });
    } else this.buffer.push(event);
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    const w = this.waiting;
    this.waiting = undefined;
    if (!w) return;
    if (error !== undefined) w.reject(error);
    else w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<GenerationEvent>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.ended) {
      if (this.error !== undefined) {
        const error = this.error;
        this.error = undefined;
        return Promise.reject(error as Error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** The consumer stopped: nothing more is buffered. */
  discard(): void {
    this.buffer.length = 0;
    this.end();
  }
}

let sequenceCounter = 0;

/** One request, from the queue to its finish. */
class Sequence implements GenerationStream {
  readonly id = `s${++sequenceCounter}`;
  readonly channel = new EventChannel();
  readonly rng: SeededRandom;
  readonly text: TextStream;
  readonly submittedAt = performance.now();
  joinedAt?: number;
  firstTokenAt?: number;
  /** Cancelled, finished or failed: it is leaving (or never joined). */
  over = false;
  /** Tokens it gets from steps sent and not yet back. */
  pending = 0;
  /** Runs once when the stream ends (removes the abort listener). */
  cleanup?: () => void;
  private released = false;

  constructor(
    readonly prepared: PreparedGeneration,
    detokenize: Detokenize,
    private readonly scheduler: GenerationScheduler,
    private readonly onEnd: () => void,
  ) {
    this.rng = new SeededRandom(prepared.seed);
    this.text = new TextStream(detokenize, prepared.stop);
  }

  get promptTokens(): number {
    return this.prepared.promptIds.length;
  }

  sampling(): LmSampling {
    return { ...this.prepared.sampling, u: this.rng.next() };
  }

  cancel(): void {
    this.scheduler.cancel(this);
  }

  /** Ends the stream (once): `error` fails the consumer's iteration. */
  close(error?: unknown): void {
    this.over = true;
    this.channel.end(error);
    if (!this.released) {
      this.released = true;
      this.cleanup?.();
      this.onEnd();
    }
  }

  /** Takes the token the step picked; true when the sequence is done. */
  accept(token: number): boolean {
    const now = performance.now();
    this.firstTokenAt ??= now;
    const isEos = this.prepared.eosIds.has(token);
    const step = this.text.push(token, !isEos);
    const count = this.text.tokenIds.length;
    let finish: FinishReason | undefined;
    let delta = step.delta;
    if (isEos || step.stopped) finish = 'stop';
    else if (count >= this.prepared.maxTokens) finish = 'length';
    if (finish) delta += this.text.finish();
    this.channel.push({ type: 'delta', text: delta, tokenIds: [token] });
    if (!finish) return false;
    const prompt = this.prepared.promptIds.length;
    this.channel.push({
      type: 'finish',
      finishReason: finish,
      text: this.text.value,
      tokenIds: [...this.text.tokenIds],
      usage: { promptTokens: prompt, completionTokens: count, totalTokens: prompt + count },
      timeToFirstTokenMs: this.firstTokenAt - this.submittedAt,
      queuedMs: (this.joinedAt ?? now) - this.submittedAt,
      durationMs: now - this.submittedAt,
    });
    this.close();
    return true;
  }

  [Symbol.asyncIterator](): AsyncIterator<GenerationEvent> {
    return {
      next: () => this.channel.next(),
      return: () => {
        this.cancel();
        this.channel.discard();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** Steps sent ahead of their predecessors' tokens (see the header). */
const PIPELINE_DEPTH = 2;

/** A step sent to the pool member, not yet handled here. */
interface InFlight {
  /** The sequences it decodes or prefills, by id. */
  seqs: Map<string, Sequence>;
  joined: number;
  left: number;
  sentAt: number;
  done: Promise<{ ok: true; result: LmStepResult } | { ok: false; error: unknown }>;
}

/** The continuous batcher of one version. */
export class GenerationScheduler {
  private readonly queue: Sequence[] = [];
  /** The pool member's batch once the steps sent so far have run (joined, not yet told to leave). */
  private readonly running = new Map<string, Sequence>();
  private readonly inflight: InFlight[] = [];
  /** Ids to drop from the member's batch after a failed step (steps sent after it may have added them). */
  private orphans: string[] = [];
  private lastDoneAt = 0;
  private looping = false;
  private closedWith?: Error;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly runStep: StepRunner,
    private readonly detokenize: Detokenize,
    private readonly onStep?: (event: GenerationStepEvent) => void,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.running.size;
  }

  /**
   * Queues a request. Throws `GenerationOverloadedError` when the batch is full and `maxQueued`
   * requests already wait. `onEnd` runs once when the stream ends, however it ends.
   */
  submit(
    prepared: PreparedGeneration,
    signal: AbortSignal | undefined,
    onEnd: () => void,
  ): GenerationStream {
    if (this.closedWith) throw this.closedWith;
    const waiting = this.queue.filter((s) => !s.over).length;
    const busy = this.running.size;
    if (busy >= this.options.maxRunning && waiting >= this.options.maxQueued)
      throw new GenerationOverloadedError(
        `version ${this.options.versionId} is generating for ${busy} requests with ${waiting} waiting, its most (maxRunning ${this.options.maxRunning}, maxQueued ${this.options.maxQueued}); retry later`,
      );
    const seq = new Sequence(prepared, this.detokenize, this, onEnd);
    if (signal) {
      if (signal.aborted) {
        seq.close(signal.reason);
        return seq;
      }
      const onAbort = () => this.cancel(seq, signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      seq.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    this.queue.push(seq);
    this.kick();
    return seq;
  }

  /** Ends a request: its stream ends (with `reason` as the error, if given); it leaves the batch at the next step. */
  cancel(seq: Sequence, reason?: unknown): void {
    if (seq.over) return;
    seq.close(reason);
    // A queued one is dropped when the loop reaches it; a running one leaves at the next step.
    this.kick();
  }

  /** Fails every request (the version was unloaded, its thread replaced, the engine closed). */
  close(error: Error): void {
    this.closedWith = error;
    const inflight = this.inflight.flatMap((f) => [...f.seqs.values()]);
    for (const s of [...this.queue, ...this.running.values(), ...inflight]) s.close(error);
    this.queue.length = 0;
    this.running.clear();
  }

  private kick(): void {
    if (this.looping || this.closedWith) return;
    this.looping = true;
    void this.loop().finally(() => {
      this.looping = false;
      // Work that arrived while the last step was settling.
      if (!this.closedWith && (this.queue.length > 0 || this.hasLeavers())) this.kick();
    });
  }

  private hasLeavers(): boolean {
    for (const s of this.running.values()) if (s.over) return true;
    return false;
  }

  /** The next step: who leaves, who joins, who decodes; undefined when there is nothing to do. */
  private nextStep(): { step: Parameters<StepRunner>[0]; seqs: Map<string, Sequence> } | undefined {
    const leave = this.orphans;
    this.orphans = [];
    for (const [id, s] of this.running)
      if (s.over || s.text.tokenIds.length + s.pending >= s.prepared.maxTokens) {
        // Over, or its last token is in a step already sent.
        this.running.delete(id);
        leave.push(id);
      }
    const join: Sequence[] = [];
    let width = 0;
    while (this.queue.length > 0 && this.running.size + join.length < this.options.maxRunning) {
      const next = this.queue[0] as Sequence;
      if (next.over) {
        this.queue.shift();
        continue;
      }
      const w = Math.max(width, next.prepared.promptIds.length);
      if (join.length > 0 && w * (join.length + 1) > this.options.prefillTokenBudget) break;
      this.queue.shift();
      width = w;
      join.push(next);
    }
    if (this.running.size === 0 && join.length === 0 && leave.length === 0) return undefined;
    const seqs = new Map<string, Sequence>();
    const decode: Record<string, LmSampling> = {};
    for (const [id, s] of this.running) {
      decode[id] = s.sampling();
      s.pending++;
      seqs.set(id, s);
    }
    const now = performance.now();
    for (const s of join) {
      s.joinedAt = now;
      s.pending++;
      seqs.set(s.id, s);
      this.running.set(s.id, s);
    }
    return {
      seqs,
      step: {
        leave,
        decode,
        join: join.map((s) => ({
          seq: s.id,
          tokens: s.prepared.promptIds,
          sampling: s.sampling(),
        })),
      },
    };
  }

  private send(next: { step: Parameters<StepRunner>[0]; seqs: Map<string, Sequence> }): void {
    // runStep posts the step before it first awaits: steps reach the member in order.
    const done = this.runStep(next.step).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    this.inflight.push({
      seqs: next.seqs,
      joined: next.step.join.length,
      left: next.step.leave.length,
      sentAt: performance.now(),
      done,
    });
  }

  private async loop(): Promise<void> {
    while (!this.closedWith) {
      while (this.inflight.length < PIPELINE_DEPTH) {
        const next = this.nextStep();
        if (!next) break;
        this.send(next);
      }
      const head = this.inflight.shift();
      if (!head) return;
      const outcome = await head.done;
      if (this.closedWith) return;
      if (!outcome.ok) {
        // The member dropped its batch: every sequence in it fails; the queue goes on. Steps sent
        // after the failed one are waited for, and whatever they added is dropped next step.
        const rest = this.inflight.splice(0);
        for (const f of rest) await f.done;
        if (this.closedWith) return;
        const failed = new Set([...this.running.values(), ...head.seqs.values()]);
        for (const f of rest)
          for (const [id, s] of f.seqs) {
            failed.add(s);
            this.orphans.push(id);
          }
        for (const s of failed) s.close(outcome.error);
        this.running.clear();
        continue;
      }
      const { result } = outcome;
      let tokens = 0;
      for (const [id, token] of Object.entries(result.tokens)) {
        const s = head.seqs.get(id);
        if (!s) continue;
        s.pending--;
        if (s.over) continue;
        tokens++;
        try {
          s.accept(token);
        } catch (err) {
          s.close(err);
        }
      }
      const now = performance.now();
      this.onStep?.({
        rows: result.rows,
        capacity: this.options.maxRunning,
        joined: head.joined,
        left: head.left,
        tokens,
        stepMs: now - Math.max(head.sentAt, this.lastDoneAt),
        queued: this.queue.length,
      });
      this.lastDoneAt = now;
    }
  }
}
