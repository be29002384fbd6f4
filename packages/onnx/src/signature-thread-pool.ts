import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { OnnxFormatError } from './errors';
import { OnnxMetadataLimitError, type OnnxSignature, type SignatureOptions } from './signature';

/** What the signature thread posts back. */
export type SignatureThreadReply =
  | { ok: true; signature: OnnxSignature }
  | { ok: false; kind: 'limit'; message: string; limit: 'entries' | 'bytes'; max: number }
  | { ok: false; kind: 'format' | 'error'; message: string };

export interface SignatureThreadOptions extends SignatureOptions {
  /** The thread's V8 heap limit; a model whose graph metadata needs more is refused. */
  heapLimitMb?: number;
}

/** Heap of a signature thread unless told otherwise: ample for any real model's metadata. */
export const DEFAULT_SIGNATURE_HEAP_MB = 256;
/** Signature threads running at once; further reads wait for one to finish. */
export const MAX_SIGNATURE_THREADS = 2;

/** The compiled thread script, next to this file in dist (or ../dist when loaded from src). */
function threadScriptPath(): string {
  const candidates = [
    join(__dirname, 'signature.thread.js'),
    join(__dirname, '..', 'dist', 'signature.thread.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `@maas/onnx: signature thread script not found (${candidates.join(', ')}); build the package first`,
    );
  return found;
}

let running = 0;
const waiting: (() => void)[] = [];

/** Waits for a free thread slot; the returned function frees it (or hands it to the next waiter). */
async function slot(): Promise<() => void> {
  if (running < MAX_SIGNATURE_THREADS) running++;
  else await new Promise<void>((take) => waiting.push(take));
  return () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
}

function runThread(path: string, options: SignatureThreadOptions): Promise<OnnxSignature> {
  const heapLimitMb = options.heapLimitMb ?? DEFAULT_SIGNATURE_HEAP_MB;
  const limits: SignatureOptions = {};
  if (options.maxEntries !== undefined) limits.maxEntries = options.maxEntries;
  if (options.maxBytes !== undefined) limits.maxBytes = options.maxBytes;
  if (options.allowExternalData) limits.allowExternalData = true;
  return new Promise((resolve, reject) => {
    const worker = new Worker(threadScriptPath(), {
      workerData: { path, limits },
      name: 'maas-onnx-signature',
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: 16 },
    });
    let settled = false;
    worker.once('message', (reply: SignatureThreadReply) => {
      settled = true;
      if (reply.ok) resolve(reply.signature);
      else if (reply.kind === 'limit') reject(new OnnxMetadataLimitError(reply.limit, reply.max));
      else if (reply.kind === 'format') reject(new OnnxFormatError(reply.message));
      else reject(new Error(reply.message));
    });
    worker.once('error', (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY')
        reject(
          new OnnxFormatError(
            `reading the model's signature needs more than ${heapLimitMb} MiB: its graph declares too many or too large inputs, outputs or initializer names`,
          ),
        );
      else reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled)
        reject(new Error(`the signature thread exited (code ${code}) without an answer`));
    });
  });
}

/**
 * {@link readSignatureFile} in a worker thread with a bounded heap, so neither the reading nor
 * a hostile file's metadata blocks or bloats the calling thread. At most
 * {@link MAX_SIGNATURE_THREADS} run at once. Rejects as readSignature throws.
 */
export async function readSignatureInThread(
  path: string,
  options: SignatureThreadOptions = {},
): Promise<OnnxSignature> {
  const release = await slot();
  try {
    return await runThread(path, options);
  } finally {
    release();
  }
}
