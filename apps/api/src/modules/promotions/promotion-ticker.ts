import type { Logger } from '../../common/logger';
import { PeriodicTask } from '../../common/periodic-task';
import type { PromotionsService } from './promotions.service';

/**
 * Advances the promotions in progress every PROMOTION_TICK_INTERVAL_MS on every API replica (the
 * rows are locked one at a time with SKIP LOCKED, so replicas share the work without doubling
 * it). A tick resolves to the promotions it changed.
 */
export class PromotionTicker extends PeriodicTask<number> {
  constructor(
    private readonly promotions: PromotionsService,
    logger: Logger,
    everyMs: number,
  ) {
    super({ logger, everyMs, idle: () => 0, failure: 'promotion tick failed' });
  }

  protected pass(): Promise<number> {
    return this.promotions.tick();
  }
}
