import {
  JOB_STATUSES,
  TRAINING_EVENTS_CHANNEL,
  type EventBus,
  type JobStatus,
  type SubscribeOptions,
} from '@maas/db';
import type { EntityManager } from 'typeorm';
import { isUuid } from './queues';

/** What changed: the row was inserted, a worker took it, an epoch finished, the status changed, a checkpoint was written. */
export const TRAINING_JOB_CHANGES = [
  'created',
  'started',
  'epoch',
  'status',
  'checkpoint',
] as const;
export type TrainingJobChange = (typeof TRAINING_JOB_CHANGES)[number];

/**
 * A change of one training job. Deliberately small: readers fetch the job (and
 * `history(afterEpoch:)`) themselves. `seq` is `training_jobs.seq` after the change (incremented in
 * the same UPDATE), so a subscriber drops an event whose seq is not above the last one it sent.
 */
export interface TrainingJobEvent {
  jobId: string;
  workspaceId: string;
  seq: number;
  status: JobStatus;
  /** Epochs finished so far (`training_jobs.epoch`). */
  epoch: number;
  change: TrainingJobChange;
}

/**
 * Publishes `event` on {@link TRAINING_EVENTS_CHANNEL}. Given an EntityManager it is sent through
 * that connection, so inside a transaction it is delivered only if (and when) the transaction
 * commits; given an EventBus it is sent at once.
 */
export async function publishTrainingJobEvent(
  target: EventBus | EntityManager,
  event: TrainingJobEvent,
): Promise<void> {
  const payload: TrainingJobEvent = {
    jobId: event.jobId,
    workspaceId: event.workspaceId,
    seq: event.seq,
    status: event.status,
    epoch: event.epoch,
    change: event.change,
  };
  if ('publish' in target) {
    await target.publish(TRAINING_EVENTS_CHANNEL, payload);
    return;
  }
  await target.query('SELECT pg_notify($1, $2)', [
    TRAINING_EVENTS_CHANNEL,
    JSON.stringify(payload),
  ]);
}

/** `payload` as a {@link TrainingJobEvent}, or `null` when it is not one (e.g. from another version). */
export function parseTrainingJobEvent(payload: unknown): TrainingJobEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (!isUuid(p.jobId) || !isUuid(p.workspaceId)) return null;
  if (typeof p.seq !== 'number' || !Number.isSafeInteger(p.seq)) return null;
  if (typeof p.epoch !== 'number' || !Number.isSafeInteger(p.epoch)) return null;
  if (!JOB_STATUSES.includes(p.status as JobStatus)) return null;
  if (!TRAINING_JOB_CHANGES.includes(p.change as TrainingJobChange)) return null;
  return {
    jobId: p.jobId,
    workspaceId: p.workspaceId,
    seq: p.seq,
    status: p.status as JobStatus,
    epoch: p.epoch,
    change: p.change as TrainingJobChange,
  };
}

/**
 * Calls `handler` with every valid training-job event (malformed payloads are skipped). Resolves
 * once the LISTEN is in place, so read the current state after it to miss nothing. Pass
 * `onReconnect` to re-read state after the listener reconnected. Returns the unsubscribe function.
 */
export function subscribeTrainingJobEvents(
  bus: EventBus,
  handler: (event: TrainingJobEvent) => void | Promise<void>,
  options: SubscribeOptions = {},
): Promise<() => Promise<void>> {
  return bus.subscribe(
    TRAINING_EVENTS_CHANNEL,
    (payload) => {
      const event = parseTrainingJobEvent(payload);
      return event ? handler(event) : undefined;
    },
    options,
  );
}

/** Row shape the job-changing statements of this package return. */
export interface JobEventRow {
  id: string;
  workspace_id: string;
  seq: string | number;
  status: JobStatus;
  epoch: number;
}

/** The event describing `row` (as returned by an UPDATE ... RETURNING) after `change`. */
export function eventFromRow(row: JobEventRow, change: TrainingJobChange): TrainingJobEvent {
  return {
    jobId: row.id,
    workspaceId: row.workspace_id,
    seq: Number(row.seq),
    status: row.status,
    epoch: row.epoch,
    change,
  };
}

/** Columns to RETURN for {@link eventFromRow}. */
export const JOB_EVENT_COLUMNS = 'id, workspace_id, seq, status, epoch';

/** Publishes the event of `row` after `change` (nothing, and `null`, when `row` is undefined: no row changed). */
export async function publishRowEvent(
  manager: EntityManager,
  row: JobEventRow | undefined,
  change: TrainingJobChange,
): Promise<TrainingJobEvent | null> {
  if (!row) return null;
  const event = eventFromRow(row, change);
  await publishTrainingJobEvent(manager, event);
  return event;
}
