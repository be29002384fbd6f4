import type { ArtifactStore } from '@maas/db';
import type { Logger } from '../../common/logger';

/**
 * Removes artifacts nothing references that are older than `graceMs`: what a crashed upload or a
 * training attempt that lost its lease left behind between `put` and its commit. Runs on every
 * replica; deleting an unreferenced artifact twice is harmless.
 */
export class ArtifactSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ArtifactStore,
    private readonly logger: Logger,
    private readonly everyMs = 15 * 60_000,
    private readonly graceMs = 60 * 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.everyMs);
    this.timer.unref();
  }

  sweep(): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        const removed = await this.store.deleteUnreferenced(new Date(Date.now() - this.graceMs));
        if (removed > 0) this.logger.info({ removed }, 'removed unreferenced artifacts');
      } catch (err) {
        this.logger.warn({ err }, 'artifact sweep failed');
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
