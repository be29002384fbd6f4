import type { AuthInfo } from '../auth/auth.service';

/**
 * The largest input-feature drift (population stability index) of a deployment's predictions
 * since `since`, or null when it is unknown. Monitoring owns drift; until its service is wired in,
 * {@link UNKNOWN_DRIFT} answers "unknown" and a drift trigger never fires.
 */
export interface InputDriftReader {
  maxInputDrift(workspaceId: string, deploymentId: string, since: Date | null): Promise<number | null>;
}

export const UNKNOWN_DRIFT: InputDriftReader = {
  maxInputDrift: () => Promise.resolve(null),
};

/** A promotion as far as retraining follows it. */
export interface PromotionState {
  id: string;
  /** EVALUATING, ROLLING_OUT, WAITING_FOR_APPROVAL, COMPLETED, ROLLED_BACK, REFUSED, CANCELLED. */
  status: string;
  reason: string | null;
}

/** The statuses after which a promotion changes no more. */
export const FINAL_PROMOTION_STATUSES: readonly string[] = [
  'COMPLETED',
  'ROLLED_BACK',
  'REFUSED',
  'CANCELLED',
];

/**
 * Guarded promotion, as retraining hands a candidate to it: `startPromotion(deployment,
 * versionId, policy)` as the key that set the retraining policy, and the promotion's state after.
 * The promotion service implements it; until it is wired in, there is none and a run stops at
 * TRAINED with the candidate ready for a person to promote.
 */
export interface PromotionStarter {
  startPromotion(
    auth: AuthInfo,
    deployment: string,
    versionId: string,
    policy: Record<string, unknown> | null,
  ): Promise<PromotionState>;
  promotionState(auth: AuthInfo, id: string): Promise<PromotionState | null>;
}
