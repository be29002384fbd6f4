import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineClosedError } from './inference.errors';
import type { InferenceLogger } from './logger';
import { FrameReader, writeFrame } from './ipc-frames';
import { FRAME_FD, WORKER_INIT_ENV } from './worker.protocol';
import type { WorkerErrorCode, WorkerInit, WorkerRequest, WorkerResponse } from './worker.protocol';

/**
 * An error reported by a pool thread, with the thread's code. `TIMEOUT`: this call ran past its
 * deadline and its thread was replaced; `THREAD_RESTARTED`: another call on the same thread did
 * that (or the thread crashed), so this one was dropped; `THREAD_EXITED`: the thread died under it.
 */
export class WorkerCallError extends Error {
  override readonly name = 'WorkerCallError';
  constructor(
    readonly code: WorkerErrorCode | 'THREAD_EXITED' | 'THREAD_RESTARTED' | 'TIMEOUT',
    message: string,
    /** The version whose call was running on the thread when it was replaced, if any. */
    readonly culprit?: string,
  ) {
    super(message);
  }
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Milliseconds this call may run once the thread gets to it. */
  deadlineMs: number;
  postedAt: number;
  /** The version the call is about (run, load), to blame it when the thread is replaced. */
  versionId?: string;
  op: WorkerRequest['op'];
}

/**
 * Where the pool runs ONNX Runtime: `thread`: worker threads of this process (a native crash or
 * a runaway allocation takes this process down; a run past its deadline can only be abandoned);
 * `process`: child processes forked with an IPC channel (`serialization: 'advanced'`: tensors
 * travel as typed arrays), killed with SIGKILL on a deadline or above `maxRssBytes`.
 */
export type PoolIsolation = 'thread' | 'process';

export interface PoolOptions {
  isolation: PoolIsolation;
  /** `process` only: a member whose resident memory exceeds this is killed (and replaced). */
  maxRssBytes?: number;
  /** How often the watchdog looks for calls past their deadline. */
  watchdogMs?: number;
}

/** One pool member, thread or process, behind the same few operations. */
interface Member {
  readonly pid?: number;
  post(message: unknown, transfer: ArrayBuffer[]): void;
  /** Stops a member that is wedged in a native call (see `expire`). */
  abandon(): void;
  /** Ends it for good at close. */
  terminate(): Promise<void>;
}

/** Variables a pool process needs to start ONNX Runtime; secrets of this process stay here. */
const CHILD_ENV = /^(PATH|LD_LIBRARY_PATH|TMPDIR|HOME|CUDA_.*|NVIDIA_.*|OMP_.*|ORT_.*)$/;

/** Resident bytes of a process (Linux /proc; undefined elsewhere or once it is gone). */
export function processRssBytes(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

interface PoolThread {
  member: Member;
  /** Set when the pool killed the member for its memory: the exit is then explained. */
  killedFor?: string;
  pending: Map<number, PendingCall>;
  /** When the thread answered its last call: the head call cannot have started before. */
  lastReplyAt: number;
  /** Replaced: its exit (if it ever comes) changes nothing. */
  retired: boolean;
}

/** Why a thread was replaced, for the engine's bookkeeping (quarantine, session reloads). */
export interface ThreadRestart {
  index: number;
  cause: 'timeout' | 'crash';
  /** The version whose call was running when it happened. */
  versionId?: string;
  op?: WorkerRequest['op'];
}

/** Deadline for calls that are not given one (probe, release, sessions). */
const DEFAULT_CALL_DEADLINE_MS = 60_000;

/**
 * The compiled worker script. It lives next to this file in dist; when this module is loaded
 * from src (a test importing sources), the built copy in ../dist is used.
 */
export function workerScriptPath(): string {
  const candidates = [
    join(__dirname, 'session.worker.js'),
    join(__dirname, '..', 'dist', 'session.worker.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `@maas/inference: worker script not found (${candidates.join(', ')}); build the package first`,
    );
  }
  return found;
}

/**
 * A fixed set of worker threads, each owning its own ONNX Runtime sessions. A watchdog replaces a
 * thread whose current call runs past its deadline (a model that never finishes): the call fails
 * with `TIMEOUT`, the other calls queued on that thread with `THREAD_RESTARTED`, and a fresh
 * thread takes its place. ONNX Runtime cannot be interrupted inside a native run, so the old thread
 * is told to exit and lingers until that run ends (`abandonedThreads`); see docs/architecture.md.
 */
export class WorkerPool {
  private readonly threads: PoolThread[] = [];
  private seq = 0;
  private closed = false;
  private readonly script = workerScriptPath();
  private readonly watchdog: NodeJS.Timeout;
  private abandoned = 0;

  private lastMemoryCheck = 0;
  /** Requests posted to members, and IPC messages that carried them (`process` isolation). */
  private readonly traffic = { requests: 0, messages: 0 };

  constructor(
    readonly size: number,
    private readonly init: WorkerInit,
    private readonly logger: InferenceLogger,
    /** Called when a thread was replaced (crash or timeout): its sessions are gone. */
    private readonly onThreadRestart: (restart: ThreadRestart) => void,
    private readonly options: PoolOptions = { isolation: 'thread' },
  ) {
    for (let i = 0; i < size; i++) this.threads.push(this.spawn(i));
    this.watchdog = setInterval(() => this.checkDeadlines(), options.watchdogMs ?? 200);
    this.watchdog.unref();
  }

  get isolation(): PoolIsolation {
    return this.options.isolation;
  }

  /** The pids of the pool processes (`process` isolation; empty for threads). */
  pids(): number[] {
    return this.threads.flatMap((t) => (t.member.pid === undefined ? [] : [t.member.pid]));
  }

  /** Requests sent to pool processes so far, and the IPC messages they took (fewer under load). */
  ipcTraffic(): { requests: number; messages: number } {
    return { ...this.traffic };
  }

  /** Threads replaced after a timeout that have not exited yet (still inside a native run). */
  get abandonedThreads(): number {
    return this.abandoned;
  }

  private spawn(index: number): PoolThread {
    const thread: PoolThread = {
      member: undefined as unknown as Member,
      pending: new Map(),
      lastReplyAt: performance.now(),
      retired: false,
    };
    const onMessage = (msg: WorkerResponse) => {
      const call = thread.pending.get(msg.seq);
      if (!call) return;
      thread.pending.delete(msg.seq);
      thread.lastReplyAt = performance.now();
      if (msg.ok) call.resolve(msg.value);
      else call.reject(new WorkerCallError(msg.error.code, msg.error.message));
    };
    const onError = (err: Error) => {
      this.logger.error({ err, thread: index }, 'inference thread failed');
    };
    const onExit = (code: number | null, signal?: NodeJS.Signals | null) => {
      if (thread.retired) {
        this.abandoned--;
        return;
      }
      if (this.closed) {
        this.failPending(thread, () => new EngineClosedError('inference engine closed'));
        return;
      }
      const head = thread.pending.values().next().value;
      const how = thread.killedFor ?? (signal ? `signal ${signal}` : `code ${code}`);
      this.logger.warn(
        { thread: index, code, signal, versionId: head?.versionId, isolation: this.isolation },
        `inference ${this.isolation} exited (${how}); starting a new one`,
      );
      this.replace(
        index,
        thread,
        { index, cause: 'crash', versionId: head?.versionId, op: head?.op },
        (call) =>
          new WorkerCallError(
            call === head ? 'THREAD_EXITED' : 'THREAD_RESTARTED',
            `inference ${this.isolation} ${index} exited (${how})`,
            head?.versionId,
          ),
      );
    };
    thread.member =
      this.options.isolation === 'process'
        ? this.forkMember(index, onMessage, onError, onExit, () => thread.pending.size > 1)
        : this.threadMember(index, onMessage, onError, onExit);
    return thread;
  }

  private threadMember(
    index: number,
    onMessage: (msg: WorkerResponse) => void,
    onError: (err: Error) => void,
    onExit: (code: number) => void,
  ): Member {
    const worker = new Worker(this.script, {
      workerData: this.init,
      name: `maas-inference-${index}`,
    });
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      abandon() {
        // Not worker.terminate(): ORT cannot be interrupted inside a native run, and a run that
        // returns into a terminated thread aborts the whole process. The thread is told to exit
        // once the run ends (messages are handled in order), and no longer keeps this process's
        // event loop alive.
        worker.postMessage({ op: 'exit', seq: 0 });
        worker.unref();
      },
      terminate: () => worker.terminate().then(() => undefined),
    };
  }

  private forkMember(
    index: number,
    onMessage: (msg: WorkerResponse) => void,
    onError: (err: Error) => void,
    onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
    /** Whether the child has calls before this one still unanswered. */
    busy: () => boolean,
  ): Member {
    const env: NodeJS.ProcessEnv = { [WORKER_INIT_ENV]: JSON.stringify(this.init) };
    for (const [name, value] of Object.entries(process.env))
      if (CHILD_ENV.test(name)) env[name] = value;
    const child: ChildProcess = fork(this.script, [], {
      env,
      // Not this process's flags (an inspector, a CPU profiler): the child is plain node.
      execArgv: [],
      // fd 3: Node's IPC channel (the child exits when it closes); fd 4: the frame pipe that
      // requests and replies travel on (ipc-frames.ts: cheaper than the IPC channel's messages).
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    const pipe = child.stdio[FRAME_FD] as Socket;
    const reader = new FrameReader((msg) => onMessage(msg as WorkerResponse));
    pipe.on('data', (data: Buffer) => reader.push(data));
    // A killed child's pipe may report EPIPE for a request already on its way; its exit fails
    // the calls.
    pipe.on('error', () => undefined);
    child.on('error', onError);
    child.on('exit', onExit);
    child.channel?.on?.('error', onError);
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    // Each write costs a system call and a wake-up of the child. A child that is idle gets its
    // request at once; requests for a busy child (it would only queue them) are held for the rest
    // of this event-loop turn (the pipe is corked) and go out in one write.
    let corked = false;
    const uncork = () => {
      corked = false;
      this.traffic.messages++;
      pipe.uncork();
    };
    return {
      pid: child.pid,
      post: (message) => {
        if (pipe.destroyed || !pipe.writable) return;
        this.traffic.requests++;
        if (!corked && !busy()) {
          this.traffic.messages++;
          writeFrame(pipe, message);
          return;
        }
        if (!corked) {
          corked = true;
          pipe.cork();
          setImmediate(uncork);
        }
        writeFrame(pipe, message);
      },
      // SIGKILL is safe here (unlike terminating a thread mid native call): the run dies with it.
      abandon: kill,
      terminate: () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          kill();
        }),
    };
  }

  private failPending(thread: PoolThread, error: (call: PendingCall) => Error): void {
    const calls = [...thread.pending.values()];
    thread.pending.clear();
    for (const call of calls) call.reject(error(call));
  }

  /** Puts a fresh thread in slot `index`, fails the old thread's calls, tells the engine. */
  private replace(
    index: number,
    old: PoolThread,
    restart: ThreadRestart,
    error: (call: PendingCall) => Error,
  ): void {
    old.retired = true;
    this.threads[index] = this.spawn(index);
    this.failPending(old, error);
    this.onThreadRestart(restart);
  }

  private checkDeadlines(): void {
    if (this.closed) return;
    const now = performance.now();
    if (this.options.maxRssBytes !== undefined && now - this.lastMemoryCheck >= 200) {
      this.lastMemoryCheck = now;
      this.checkMemory(this.options.maxRssBytes);
    }
    this.threads.forEach((thread, index) => {
      const head: PendingCall | undefined = thread.pending.values().next().value;
      if (!head) return;
      // Calls run one at a time in order: the head started when the previous one answered.
      const started = Math.max(head.postedAt, thread.lastReplyAt);
      if (now - started > head.deadlineMs) this.expire(index, thread, head);
    });
  }

  /** Kills a pool process above the memory limit; its exit then fails its calls as a crash. */
  private checkMemory(limit: number): void {
    this.threads.forEach((thread, index) => {
      const pid = thread.member.pid;
      if (pid === undefined || thread.killedFor) return;
      const rss = processRssBytes(pid);
      if (rss === undefined || rss <= limit) return;
      thread.killedFor = `its resident memory reached ${rss} bytes, above the limit of ${limit}`;
      this.logger.error(
        { thread: index, pid, rss, limit },
        'inference process above its memory limit; killing it',
      );
      thread.member.abandon();
    });
  }

  /**
   * A request for `versionId` ran out of time: when that version's run is what thread `index` is
   * executing now, the thread is replaced at once (before the caller hears of the timeout, so its
   * next request does not queue behind the wedged run). Returns whether it was.
   */
  replaceIfRunning(index: number, versionId: string): boolean {
    const thread = this.threads[index];
    const head: PendingCall | undefined = thread?.pending.values().next().value;
    if (this.closed || !thread || !head || head.op !== 'run' || head.versionId !== versionId)
      return false;
    this.expire(index, thread, head);
    return true;
  }

  private expire(index: number, thread: PoolThread, head: PendingCall): void {
    this.abandoned++;
    this.logger.error(
      { thread: index, versionId: head.versionId, op: head.op, deadlineMs: head.deadlineMs },
      'inference call ran past its deadline; replacing its thread',
    );
    thread.member.abandon();
    this.replace(
      index,
      thread,
      { index, cause: 'timeout', versionId: head.versionId, op: head.op },
      (call) =>
        call === head
          ? new WorkerCallError(
              'TIMEOUT',
              `${head.op} of version ${head.versionId ?? '-'} ran past its deadline (${head.deadlineMs} ms); its inference thread was replaced`,
              head.versionId,
            )
          : new WorkerCallError(
              'THREAD_RESTARTED',
              `inference thread ${index} was replaced because another model ran past its deadline`,
              head.versionId,
            ),
    );
  }

  /**
   * Sends one request to thread `index` and resolves with its answer. `deadlineMs` bounds how long
   * the call may run once the thread starts it; past it the thread is replaced.
   */
  call<T>(
    index: number,
    request: WorkerRequest,
    transfer: ArrayBuffer[] = [],
    deadlineMs = DEFAULT_CALL_DEADLINE_MS,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new EngineClosedError('inference engine closed'));
    const thread = this.threads[index];
    if (!thread) return Promise.reject(new Error(`no inference thread ${index}`));
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      thread.pending.set(seq, {
        resolve: resolve as (value: unknown) => void,
        reject,
        deadlineMs,
        postedAt: performance.now(),
        versionId: 'versionId' in request ? request.versionId : undefined,
        op: request.op,
      });
      thread.member.post({ ...request, seq }, transfer);
    });
  }

  /** The thread with the fewest calls in flight (for work that is not pinned to a thread). */
  leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.threads.length; i++) {
      if ((this.threads[i]?.pending.size ?? 0) < (this.threads[best]?.pending.size ?? 0)) best = i;
    }
    return best;
  }

  /** Calls in flight on thread `index`. */
  inFlight(index: number): number {
    return this.threads[index]?.pending.size ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Release native sessions explicitly (bounded wait: a thread stuck in a long run is terminated anyway).
    await Promise.all(
      this.threads.map((_, i) =>
        Promise.race([
          this.call(i, { op: 'releaseAll' }).catch(() => 0),
          new Promise((r) => setTimeout(r, 2000).unref()),
        ]),
      ),
    );
    this.closed = true;
    clearInterval(this.watchdog);
    // A thread inside a native run that never ends does not stop: do not wait for it forever.
    await Promise.race([
      Promise.all(this.threads.map((t) => t.member.terminate())),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
    for (const t of this.threads)
      this.failPending(t, () => new EngineClosedError('inference engine closed'));
  }
}
