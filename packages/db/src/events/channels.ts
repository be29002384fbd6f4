// Every PostgreSQL LISTEN/NOTIFY channel maas uses, in one place: a publisher and its listeners
// (often in different processes) must agree on the name, so both import it from here.

/** Name-resolution changes (aliases, routes, deletions); payload: `{"workspaceId": "..."}`. */
export const REGISTRY_CHANNEL = 'maas_registry';

/** API-key changes (revocations), so every API replica drops its cached keys at once. */
export const API_KEYS_CHANNEL = 'maas_api_keys';

/** Training-job changes; payload: a `TrainingJobEvent` (see `@maas/jobs`). */
export const TRAINING_EVENTS_CHANNEL = 'maas_training_jobs';

/**
 * Cancellations, heard by workers at once (they also re-read the flag on every lease renewal and
 * epoch). Payload: `{"jobId": "...", "action": "cancel"}`.
 */
export const TRAINING_CONTROL_CHANNEL = 'maas_training_control';

/**
 * Wakes idle workers as soon as an enqueuing transaction commits, instead of waiting out the
 * polling interval. Payload: `{"queue": "<queue name>"}`.
 */
export const QUEUE_WAKEUP_CHANNEL = 'maas_queue_wakeup';

/**
 * A workspace's quota changed (`setWorkspaceQuota`), so every replica reloads the limits it keeps
 * in memory (request rates, predictions per day). Payload: `{"workspaceId": "..."}`.
 */
export const WORKSPACE_QUOTA_CHANNEL = 'maas_workspace_quota';

/**
 * A promotion changed (a step, a status), so `promotionUpdated` subscribers on every replica
 * re-read it. Payload: `{"workspaceId": "...", "promotionId": "...", "seq": n}`.
 */
export const PROMOTION_EVENTS_CHANNEL = 'maas_promotions';
