import type { DecodedTensor, ModelSignature } from './tensor.types';

/** The environment variable a pool process reads its `WorkerInit` from (JSON). */
export const WORKER_INIT_ENV = 'MAAS_INFERENCE_WORKER_INIT';

/** The file descriptor of a pool process's frame pipe (requests in, replies out; ipc-frames.ts). */
export const FRAME_FD = 4;

/** Passed to each pool thread as workerData (to a pool process in `WORKER_INIT_ENV`). */
export interface WorkerInit {
  providers: string[];
  fallbackToCpu: boolean;
  intraOpNumThreads: number;
}

/** Where a thread gets a model's bytes: a copy of them, or a file it reads itself. */
export type ArtifactPayload = { bytes: Uint8Array } | { path: string };

export type WorkerRequest =
  | { op: 'probe' }
  | { op: 'validate'; path: string }
  | { op: 'load'; versionId: string; sha256: string; source: ArtifactPayload }
  | { op: 'run'; versionId: string; feeds: Record<string, DecodedTensor>; fetches: string[] }
  | { op: 'release'; versionId: string }
  | { op: 'releaseAll' }
  | { op: 'exit' }
  | { op: 'sessions' };

export interface ProbeResult {
  executionProvider: 'cuda' | 'cpu';
  note?: string;
}

export type ValidateResult =
  | { ok: true; signature: ModelSignature }
  | { ok: false; reason: string };

export interface LoadResult {
  signature: ModelSignature;
  bytes: number;
  /** Milliseconds spent creating the session. */
  loadMs: number;
}

export interface RunResult {
  outputs: Record<string, DecodedTensor>;
  runMs: number;
}

/** Error codes a thread attaches so the engine can tell them apart. */
export type WorkerErrorCode =
  | 'NOT_LOADED'
  | 'LOAD_FAILED'
  | 'SHA_MISMATCH'
  | 'RUN_FAILED'
  | 'BAD_REQUEST';

export type WorkerResponse =
  | { seq: number; ok: true; value: unknown }
  | { seq: number; ok: false; error: { code: WorkerErrorCode; message: string } };
