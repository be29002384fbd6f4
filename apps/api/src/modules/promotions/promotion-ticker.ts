import type { Logger } from '../../common/logger';
import type { PromotionsService } from './promotions.service';

/**
 * Advances the promotions in progress every PROMOTION_TICK_INTERVAL_MS on every API replica (the
 * rows are locked one at a time with SKIP LOCKED, so replicas share the work without doubling
 * it). One tick at a time per replica; `stop` waits for the one running.
 */
export class PromotionTicker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private stopping = false;

  constructor(
    private readonly promotions: PromotionsService,
    private readonly logger: Logger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** One tick (after the one in progress, if any); resolves to the promotions it changed. */
  tick(): Promise<number> {
    this.running = this.running.then(async () => {
      if (this.stopping) return 0;
      try {
        return await this.promotions.tick();
      } catch (err) {
        this.logger.warn({ err }, 'promotion tick failed');
        return 0;
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }
}
