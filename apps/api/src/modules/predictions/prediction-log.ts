import { PredictionLogEntry } from '@maas/db';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';

export interface PredictionLogRecord {
  id: string;
  workspaceId: string;
  versionId: string;
  deploymentId: string | null;
  apiKeyId: string | null;
  status: string;
  latencyMs: number;
  inputs: unknown;
  outputs: unknown;
  error: string | null;
}

const FLUSH_EVERY_MS = 1000;
const MAX_BUFFERED = 5000;
// Large payloads are summarised, not stored whole.
const MAX_STORED_JSON_CHARS = 64 * 1024;

function bounded(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text.length > MAX_STORED_JSON_CHARS ? { truncated: true, chars: text.length } : value;
}

/**
 * Writes a sample of predictions to `prediction_log` in batches, off the request path. Errors
 * are always kept; successes with probability `sampleRate`.
 */
export class PredictionLogWriter {
  private buffer: PredictionLogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly sampleRate: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  offer(record: PredictionLogRecord): void {
    if (record.status === 'ok' && Math.random() >= this.sampleRate) return;
    if (this.buffer.length >= MAX_BUFFERED) return; // shed load rather than grow without bound
    this.buffer.push(record);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.db.getRepository(PredictionLogEntry).insert(
          batch.map((r) => ({
            ...r,
            inputs: bounded(r.inputs) as never,
            outputs: bounded(r.outputs) as never,
          })),
        );
      } catch (err) {
        this.logger.warn({ err, dropped: batch.length }, 'could not write the prediction log');
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
