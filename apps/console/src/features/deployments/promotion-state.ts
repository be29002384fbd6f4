// What the promotion view shows of a promotion: its status's tone, each step's state and how far
// its hold has come. Pure, so the rules are tested without rendering.
import type { BadgeTone } from '@/components/ui/badge';
import type { PromotionFieldsFragment, PromotionStatus } from '@/gql/graphql';

type Step = PromotionFieldsFragment['steps'][number];

const ACTIVE: readonly PromotionStatus[] = ['EVALUATING', 'ROLLING_OUT', 'WAITING_FOR_APPROVAL'];

export function isActivePromotion(status: PromotionStatus): boolean {
  return ACTIVE.includes(status);
}

export function promotionTone(status: PromotionStatus): BadgeTone {
  switch (status) {
    case 'COMPLETED':
      return 'success';
    case 'ROLLED_BACK':
    case 'REFUSED':
      return 'danger';
    case 'WAITING_FOR_APPROVAL':
      return 'warning';
    case 'CANCELLED':
      return 'neutral';
    default:
      return 'primary';
  }
}

export type StepState = 'pending' | 'running' | 'passed' | 'rolled back' | 'cancelled';

export function stepState(step: Step): StepState {
  if (step.outcome === 'passed' || step.outcome === 'rolled back' || step.outcome === 'cancelled')
    return step.outcome;
  return step.startedAt ? 'running' : 'pending';
}

/** How far a running step's request hold has come, 0..1 (1 when it waits for none). */
export function requestProgress(step: Step): number {
  if (step.minRequests <= 0) return 1;
  return Math.min(1, step.requests / step.minRequests);
}

/** The traffic split a step sets: candidate and champion percent. */
export function stepSplit(step: Step): { candidate: number; champion: number } {
  return { candidate: step.weight, champion: 100 - step.weight };
}
