// Worker-thread entry of readSignatureInThread: reads one file's signature and posts the answer.
import { parentPort, workerData } from 'node:worker_threads';
import { readSignatureFile, OnnxMetadataLimitError, type SignatureOptions } from './signature';
import { OnnxFormatError } from './errors';
import type { SignatureThreadReply } from './signature-thread-pool';

const { path, limits } = workerData as { path: string; limits: SignatureOptions };

function reply(): SignatureThreadReply {
  try {
    return { ok: true, signature: readSignatureFile(path, limits) };
  } catch (err) {
    if (err instanceof OnnxMetadataLimitError)
      return { ok: false, kind: 'limit', message: err.message, limit: err.limit, max: err.max };
    if (err instanceof OnnxFormatError) return { ok: false, kind: 'format', message: err.message };
    return { ok: false, kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.postMessage(reply());
