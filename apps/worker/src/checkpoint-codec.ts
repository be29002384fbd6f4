import { gunzipSync, gzipSync } from 'node:zlib';
import type { TrainerCheckpoint } from '@maas/training';

/** A trainer checkpoint as stored in `training_jobs.checkpoint`: gzipped JSON (numbers survive exactly). */
export function encodeCheckpoint(checkpoint: TrainerCheckpoint): Uint8Array {
  return gzipSync(JSON.stringify(checkpoint), { level: 1 });
}

/** Reads what {@link encodeCheckpoint} wrote; throws with a clear message on anything else. */
export function decodeCheckpoint(bytes: Uint8Array): TrainerCheckpoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (err) {
    throw new Error(`the stored checkpoint is unreadable (${(err as Error).message})`);
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { formatVersion?: unknown }).formatVersion !== 1
  ) {
    throw new Error('the stored checkpoint is not a trainer checkpoint of format 1');
  }
  return parsed as TrainerCheckpoint;
}
