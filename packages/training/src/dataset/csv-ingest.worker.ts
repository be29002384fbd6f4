// The thread entry of ingestCsvFileInThread: one ingest, one reply, then the thread ends.
import { parentPort, workerData } from 'node:worker_threads';
import { DatasetError } from '../errors';
import { ingestCsvFile, type CsvIngestReply, type CsvIngestRequest } from './csv-ingest';

async function main(): Promise<void> {
  let reply: CsvIngestReply;
  try {
    reply = { ok: true, result: await ingestCsvFile(workerData as CsvIngestRequest) };
  } catch (error) {
    reply =
      error instanceof DatasetError
        ? {
            ok: false,
            error: {
              message: error.message,
              dataset: true,
              code: error.code,
              ...(error.line !== undefined ? { line: error.line } : {}),
              ...(error.column !== undefined ? { column: error.column } : {}),
              ...(error.limit !== undefined ? { limit: error.limit } : {}),
            },
          }
        : { ok: false, error: { message: (error as Error).message, dataset: false } };
  }
  parentPort?.postMessage(reply);
}

void main();
