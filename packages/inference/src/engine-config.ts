// The engine's pure configuration helpers: thread counts, version placement, batching settings.
import type { BatchingOptions } from './micro-batcher';
import type { ModelSignature, TensorSpec } from './tensor.types';

/** Measured defaults (see BENCHMARKS.md, "Batching defaults"). */
export const DEFAULT_BATCHING: BatchingOptions = {
  maxBatchSize: 64,
  maxDelayMs: 2,
  maxInFlight: 2,
};

export function defaultThreads(cores: number): number {
  return cores <= 2 ? 1 : Math.max(1, Math.round(cores / 2));
}

/** FNV-1a: a stable, cheap hash so a version always lands on the same thread. */
export function threadIndex(id: string, threads: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % threads;
}

export function batchingOptions(overrides: Partial<BatchingOptions>): BatchingOptions {
  const merged = { ...DEFAULT_BATCHING };
  for (const key of ['maxBatchSize', 'maxDelayMs', 'maxInFlight'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    const min = key === 'maxDelayMs' ? 0 : 1;
    if (!Number.isFinite(value) || value < min)
      throw new Error(`batching.${key} must be a number ≥ ${min}, got ${value}`);
    merged[key] = value;
  }
  return merged;
}

/** Batching needs every input and output to have a dynamic first dimension. */
export function isBatchable(signature: ModelSignature): boolean {
  const dynamicFirst = (s: TensorSpec) => s.shape.length > 0 && s.shape[0] === -1;
  return (
    signature.inputs.length > 0 &&
    signature.inputs.every(dynamicFirst) &&
    signature.outputs.every(dynamicFirst)
  );
}
