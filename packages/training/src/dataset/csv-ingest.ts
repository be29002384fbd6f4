import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DatasetError } from '../errors';
import { encodeColumns, previewRows } from './column-codec';
import { parseCsvDataset, type ParseCsvOptions } from './csv-dataset';
import type { ColumnStats, ParsedDataset, PreviewRow } from './dataset.types';

/** What {@link ingestCsvFile} reads and writes. */
export interface CsvIngestRequest {
  /** The CSV file. */
  csvPath: string;
  /** Where the encoded columns ({@link encodeColumns}) are written. */
  columnsPath: string;
  options?: ParseCsvOptions;
  /** Preview rows kept: at most this many, and at most `previewMaxBytes` of JSON. */
  previewMaxRows: number;
  previewMaxBytes: number;
}

/** What an ingest returns: small, whatever the dataset's size (the columns are in the file). */
export interface CsvIngestResult {
  rowCount: number;
  stats: ColumnStats[];
  sizeBytes: number;
  previewRows: PreviewRow[];
}

/** The first rows of `dataset`, at most `maxRows` and at most `maxBytes` of JSON. */
export function boundedPreviewRows(
  dataset: ParsedDataset,
  maxRows: number,
  maxBytes: number,
): PreviewRow[] {
  const rows: PreviewRow[] = [];
  let bytes = 2;
  for (const row of previewRows(dataset, maxRows)) {
    bytes += Buffer.byteLength(JSON.stringify(row)) + 1;
    if (bytes > maxBytes) break;
    rows.push(row);
  }
  return rows;
}

/** Parses `csvPath` under the limits, writes its columns to `columnsPath`, returns the rest. */
export async function ingestCsvFile(request: CsvIngestRequest): Promise<CsvIngestResult> {
  const parsed = await parseCsvDataset(createReadStream(request.csvPath), request.options);
  await writeFile(request.columnsPath, encodeColumns(parsed), { mode: 0o600 });
  return {
    rowCount: parsed.rowCount,
    stats: parsed.stats,
    sizeBytes: parsed.sizeBytes,
    previewRows: boundedPreviewRows(parsed, request.previewMaxRows, request.previewMaxBytes),
  };
}

/** Heap of one ingest thread: a dataset that needs more fails alone, the process lives on. */
const INGEST_THREAD_HEAP_MB = 2048;

/** Messages from the ingest thread. */
export type CsvIngestReply =
  | { ok: true; result: CsvIngestResult }
  | {
      ok: false;
      error: {
        message: string;
        dataset: boolean;
        code?: DatasetError['code'];
        line?: number;
        column?: string;
        limit?: string;
      };
    };

function ingestWorkerScript(): string {
  const candidates = [
    join(__dirname, 'csv-ingest.worker.js'),
    join(__dirname, '..', '..', 'dist', 'dataset', 'csv-ingest.worker.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `@maas/training: CSV ingest thread not found (${candidates.join(', ')}); build the package first`,
    );
  return found;
}

/**
 * Runs {@link ingestCsvFileInThread} at most `maxConcurrent` at a time; the others wait their turn
 * in order, so many simultaneous uploads cost the memory of `maxConcurrent` parses, not of all.
 */
export class CsvIngestThreads {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly maxConcurrent: number) {}

  async ingest(request: CsvIngestRequest): Promise<CsvIngestResult> {
    if (this.running >= this.maxConcurrent)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await ingestCsvFileInThread(request);
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * {@link ingestCsvFile} on a worker thread of its own: parsing, type inference, statistics and
 * encoding never block the caller's event loop, and only the small result comes back. Throws the
 * thread's {@link DatasetError} as one.
 */
export function ingestCsvFileInThread(request: CsvIngestRequest): Promise<CsvIngestResult> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(ingestWorkerScript(), {
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: INGEST_THREAD_HEAP_MB },
    });
    let settled = false;
    thread.once('message', (reply: CsvIngestReply) => {
      settled = true;
      if (reply.ok) resolve(reply.result);
      else if (reply.error.dataset) {
        const { message, code, line, column, limit } = reply.error;
        reject(new DatasetError(message, code, line, column, limit));
      } else reject(new Error(reply.error.message));
      void thread.terminate();
    });
    thread.once('error', (error: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new DatasetError(
              `the dataset needs more than the ${INGEST_THREAD_HEAP_MB} MiB a parse may use`,
              'LIMIT',
              undefined,
              undefined,
              'memory',
            )
          : error,
      );
    });
    thread.once('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`the CSV ingest thread exited (code ${code}) without an answer`));
      }
    });
  });
}
