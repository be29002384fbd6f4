import type { AuthInfo } from '../auth/auth.service';
import type { PromotionPolicyArgs } from '../promotions/promotion-policy';

/**
 * The largest input-feature drift (population stability index) of a deployment's predictions
 * since `since` (null: over monitoring's default window), or null when it is unknown. Monitoring
 * owns drift (its `maxInputDrift`); until it is wired in (services.ts, `retrainDrift`),
 * {@link UNKNOWN_DRIFT} answers "unknown" and a drift trigger never fires.
 */
export interface InputDriftReader {
  maxInputDrift(
    workspaceId: string,
    deploymentId: string,
    since: Date | null,
  ): Promise<number | null>;
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
  candidateVersionId: string;
  createdAt: Date;
}

/** The statuses after which a promotion changes no more. */
export const FINAL_PROMOTION_STATUSES: readonly string[] = [
  'COMPLETED',
  'ROLLED_BACK',
  'REFUSED',
  'CANCELLED',
];

/**
 * Guarded promotion as retraining uses it: the promotion service's own `promote`, `find` and
 * `list` (PromotionsService satisfies this as it is), called as the key that set the policy.
 */
export interface PromotionStarter {
  promote(
    auth: AuthInfo,
    input: { deployment: string; versionId: string; policy?: PromotionPolicyArgs | null },
  ): Promise<PromotionState>;
  find(auth: AuthInfo, id: string): Promise<PromotionState | null>;
  /** The deployment's promotions, newest first. */
  list(auth: AuthInfo, deployment: string): Promise<PromotionState[]>;
}
