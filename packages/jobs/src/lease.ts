/**
 * How long a worker's lease on a running training job lasts without renewal. pg-boss 10 has no
 * heartbeat, so the job row carries its own lease; a job whose lease lapsed is re-queued by the
 * reaper and resumed from its last checkpoint by another worker.
 */
export const LEASE_MS = 15_000;
/** How often the worker renews its lease (and re-reads the cancel flag). */
export const RENEW_EVERY_MS = 5_000;
/** How often every worker's reaper looks for lapsed leases. */
export const REAP_EVERY_MS = 5_000;
/**
 * Attempts of one job that may end without a word from their worker (a crash, a kill, running out
 * of memory, a hang past the lease) before the job is FAILED instead of re-queued.
 */
export const MAX_ATTEMPTS = 3;
