import type { Logger } from './logger';

/** Something with a background loop: started once, stopped (flushing what it holds) at shutdown. */
export interface Startable {
  start(): void;
  stop(): Promise<unknown>;
}

/**
 * What a process has opened, closed in reverse order of opening: whatever was made later may use
 * what was made before it, never the other way round. Each resource registers its closer where it
 * is made, so no one keeps a shutdown list in order by hand.
 */
export class Closers {
  private readonly steps: { name: string; close: () => Promise<unknown> }[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers how to close a resource that was just opened. */
  add(name: string, close: () => Promise<unknown>): void {
    if (this.closing) throw new Error(`"${name}" was opened while closing`);
    this.steps.push({ name, close });
  }

  /** Starts `worker` and registers its `stop`; returns it. */
  start<T extends Startable>(name: string, worker: T): T {
    worker.start();
    this.add(name, () => worker.stop());
    return worker;
  }

  /**
   * Closes everything, last opened first; later calls share the first one's promise. A step that
   * fails does not keep the rest open: the first failure is thrown once all have run.
   */
  close(): Promise<void> {
    this.closing ??= this.run();
    return this.closing;
  }

  private async run(): Promise<void> {
    let failure: { err: unknown } | undefined;
    for (const { name, close } of [...this.steps].reverse()) {
      // Each step is timed in the debug log, so a slow shutdown names its culprit.
      const started = Date.now();
      try {
        await close();
        this.logger.debug({ step: name, ms: Date.now() - started }, 'shutdown step done');
      } catch (err) {
        this.logger.error({ err, step: name }, 'shutdown step failed');
        failure ??= { err };
      }
    }
    if (failure) throw failure.err;
  }
}
