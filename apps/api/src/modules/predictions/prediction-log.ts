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
  /** Records (batch rows) of the prediction, so that feedback can name one. */
  recordCount?: number | null;
}

const FLUSH_EVERY_MS = 1000;
const MAX_BUFFERED = 5000;
// Large payloads are summarised, not stored whole.
const MAX_STORED_JSON_CHARS = 64 * 1024;

// In JSON text: a `\u0000` escape or an escaped lone surrogate (JSON.stringify writes a paired
// surrogate as the character itself, so an escaped one is always lone), preceded by an even
// number of backslashes (so not itself an escaped backslash followed by "u0000").
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/**
 * `value` as PostgreSQL jsonb stores it: NUL (which jsonb and text refuse) and lone surrogates,
 * in keys and values alike, become U+FFFD; more than 64 KiB of JSON becomes a summary.
 */
export function storableJson(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) return null;
  if (text.length > MAX_STORED_JSON_CHARS) return { truncated: true, chars: text.length };
  UNSTORABLE_ESCAPE.lastIndex = 0;
  if (!UNSTORABLE_ESCAPE.test(text)) return value;
  return JSON.parse(text.replace(UNSTORABLE_ESCAPE, '$1\\ufffd')) as unknown;
}

const UNSTORABLE_CHAR =
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` as a PostgreSQL text column stores it: NUL and lone surrogates become U+FFFD. */
export function storableText(text: string | null): string | null {
  return text === null ? null : text.replace(UNSTORABLE_CHAR, '\ufffd');
}

/** Only the SQLSTATE of a failed insert: its message or parameters may carry tenants' inputs. */
function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Writes a sample of predictions to `prediction_log` in batches, off the request path. Errors
 * are always kept; successes with probability `sampleRate`. Values are sanitised for PostgreSQL
 * first; a batch the database still refuses is split until the rows it refuses are alone, and
 * only those are dropped (counted in `onDropped`), so one tenant's bad row never costs another
 * tenant's. Nothing of a row's content is ever logged.
 */
export class PredictionLogWriter {
  private buffer: PredictionLogRecord[] = [];
  /** Ids of the batch being inserted now (out of `buffer`, not yet committed). */
  private writing = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly sampleRate: number,
    private readonly onDropped: (rows: number) => void = () => {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Whether a successful prediction is to be logged: with probability `rate` (a deployment's
   * logSampleRate), else the global PREDICTION_LOG_SAMPLE_RATE. Decided before the prediction
   * runs, since its id says whether it was logged (prediction-id.ts).
   */
  sample(rate: number | null = null): boolean {
    return Math.random() < (rate ?? this.sampleRate);
  }

  /** Keeps `record` for the next flush if it failed (always) or was `sampled`. */
  offer(record: PredictionLogRecord, sampled = this.sample()): void {
    if (record.status === 'ok' && !sampled) return;
    if (this.buffer.length >= MAX_BUFFERED) return; // shed load rather than grow without bound
    this.buffer.push(record);
  }

  /**
   * Waits until those of `ids` that this replica holds (buffered or being inserted) are written,
   * so that feedback right after a prediction finds its row. Other ids cost nothing.
   */
  async written(ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || (this.buffer.length === 0 && this.writing.size === 0)) return;
    const held = new Set(this.buffer.map((r) => r.id));
    if (ids.some((id) => held.has(id) || this.writing.has(id))) await this.flush();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      this.writing = new Set(batch.map((r) => r.id));
      const rows = batch.map((r) => ({
        ...r,
        status: storableText(r.status) ?? 'ok',
        error: storableText(r.error),
        inputs: storableJson(r.inputs) as never,
        outputs: storableJson(r.outputs) as never,
        recordCount: r.recordCount ?? null,
      }));
      const refused = new Map<string, number>();
      try {
        await this.insert(rows, refused);
      } finally {
        this.writing = new Set();
      }
      const dropped = [...refused.values()].reduce((a, b) => a + b, 0);
      if (dropped > 0) {
        this.onDropped(dropped);
        this.logger.warn(
          { dropped, written: rows.length - dropped, sqlStates: Object.fromEntries(refused) },
          'prediction log rows refused by the database were dropped',
        );
      }
    });
    return this.flushing;
  }

  /** Inserts `rows`; on a data error halves them until each refused row is alone, and counts it. */
  private async insert(rows: PredictionLogRecord[], refused: Map<string, number>): Promise<void> {
    try {
      await this.db.getRepository(PredictionLogEntry).insert(rows as never);
    } catch (err) {
      const state = sqlState(err) ?? 'unknown';
      // Only a data error (classes 22 and 23) is one row's fault; anything else (the database
      // away, a timeout) would fail every half too: the batch is dropped whole.
      if (rows.length > 1 && /^2[23]/.test(state)) {
        const half = Math.ceil(rows.length / 2);
        await this.insert(rows.slice(0, half), refused);
        await this.insert(rows.slice(half), refused);
        return;
      }
      refused.set(state, (refused.get(state) ?? 0) + rows.length);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
