/** The pg-boss queue of training jobs; its payload is {@link TrainingQueuePayload}. */
export const TRAINING_QUEUE = 'maas-training';

/** Every queue maas uses. A worker must register a handler for each (see `JobQueue.work`). */
export const QUEUE_NAMES = [TRAINING_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** What a training queue message carries: only the job's id (the row in `training_jobs` holds the rest). */
export interface TrainingQueuePayload {
  jobId: string;
}

/** Payload type of each queue. */
export interface QueuePayloads {
  [TRAINING_QUEUE]: TrainingQueuePayload;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` looks like a UUID (job ids are). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Throws unless `jobId` is a UUID, with a message naming the caller. */
export function assertJobId(jobId: string, what: string): void {
  if (!isUuid(jobId))
    throw new Error(`${what}: "${String(jobId)}" is not a training job id (a UUID).`);
}
