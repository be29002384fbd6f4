import { PROMOTION_EVENTS_CHANNEL, type EventBus } from '@maas/db';
import { notFound } from '../../common/errors';
import { signalStream, type SignalQueue } from '../../common/signal-queue';
import type { AuthInfo } from '../auth/auth.service';
import {
  isFinalPromotion,
  type PromotionEvent,
  type PromotionsService,
} from './promotions.service';
import type { Promotion } from './promotions.types';

type Signal = { promotionId: string; seq: number } | { reconnected: true };

function parseEvent(payload: unknown): PromotionEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  return typeof p.workspaceId === 'string' &&
    typeof p.promotionId === 'string' &&
    typeof p.seq === 'number'
    ? { workspaceId: p.workspaceId, promotionId: p.promotionId, seq: p.seq }
    : null;
}

/**
 * `promotionUpdated(id)`, fed by LISTEN/NOTIFY like the training-job subscriptions: listen first,
 * send the promotion now, then each change in order (stale sequence numbers dropped), re-read
 * after the listener reconnects, and complete after a final status.
 */
export class PromotionEventsService {
  constructor(
    private readonly bus: EventBus,
    private readonly promotions: PromotionsService,
  ) {}

  updates(auth: AuthInfo, id: string): AsyncGenerator<Promotion> {
    return signalStream<Signal, Promotion>((queue) => this.stream(auth, id, queue));
  }

  private async *stream(
    auth: AuthInfo,
    id: string,
    queue: SignalQueue<Signal>,
  ): AsyncGenerator<Promotion> {
    const unsubscribe = await this.bus.subscribe(
      PROMOTION_EVENTS_CHANNEL,
      (payload) => {
        const event = parseEvent(payload);
        if (event && event.workspaceId === auth.workspaceId)
          queue.push({ promotionId: event.promotionId, seq: event.seq });
      },
      { onReconnect: () => queue.push({ reconnected: true }) },
    );
    try {
      let promotion = await this.promotions.find(auth, id);
      if (!promotion) throw notFound(`Promotion ${id} does not exist`);
      let lastSeq = promotion.seq;
      yield promotion;
      while (!isFinalPromotion(promotion.status)) {
        const signals = await queue.next();
        const relevant = signals.some(
          (s) => 'reconnected' in s || (s.promotionId === promotion?.id && s.seq > lastSeq),
        );
        if (!relevant) continue;
        const fresh = await this.promotions.find(auth, id);
        if (!fresh) return;
        if (fresh.seq <= lastSeq) continue;
        promotion = fresh;
        lastSeq = fresh.seq;
        yield promotion;
      }
    } finally {
      await unsubscribe();
    }
  }
}
