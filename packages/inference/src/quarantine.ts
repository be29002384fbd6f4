/** Quarantine settings: a version that fails `afterFailures` times within `windowMs` is refused for `durationMs`. */
export interface QuarantineOptions {
  afterFailures: number;
  windowMs: number;
  durationMs: number;
}

/** `INFERENCE_QUARANTINE_*` defaults: 3 timeouts or crashes within 10 minutes → refused for 5 minutes. */
export const DEFAULT_QUARANTINE: QuarantineOptions = {
  afterFailures: 3,
  windowMs: 600_000,
  durationMs: 300_000,
};

/** Whether this replica serves a version; `QUARANTINED` with why and until when. */
export interface ServingStatus {
  state: 'SERVING' | 'QUARANTINED';
  /** Why the version is quarantined, e.g. "3 predictions ran past PREDICT_TIMEOUT_MS (1500 ms)". */
  reason?: string;
  since?: Date;
  until?: Date;
  /** Timeouts and crashes counted in the current window. */
  recentFailures: number;
}

interface VersionRecord {
  failures: { at: number; cause: string }[];
  quarantinedAt?: number;
  reason?: string;
}

/**
 * Counts the timeouts and crashes each version causes and quarantines one that keeps causing them.
 * In memory, per process: each API replica (or inference process) decides for itself.
 */
export class VersionQuarantine {
  private readonly records = new Map<string, VersionRecord>();

  constructor(
    readonly options: QuarantineOptions = DEFAULT_QUARANTINE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one failure; returns true when it puts the version into quarantine. */
  recordFailure(versionId: string, cause: string): boolean {
    const now = this.now();
    const existing = this.records.get(versionId);
    if (existing && this.active(versionId, existing)) return false;
    const record: VersionRecord = this.records.get(versionId) ?? { failures: [] };
    this.records.set(versionId, record);
    record.failures = record.failures.filter((f) => now - f.at <= this.options.windowMs);
    record.failures.push({ at: now, cause });
    if (record.failures.length < this.options.afterFailures) return false;
    record.quarantinedAt = now;
    const causes = [...new Set(record.failures.map((f) => f.cause))].join('; ');
    record.reason = `${record.failures.length} failures within ${Math.round(this.options.windowMs / 1000)} s: ${causes}`;
    return true;
  }

  /** Milliseconds the version stays quarantined, or 0 when it is served. */
  remainingMs(versionId: string): number {
    const record = this.records.get(versionId);
    if (!record || !this.active(versionId, record)) return 0;
    return (record.quarantinedAt as number) + this.options.durationMs - this.now();
  }

  status(versionId: string): ServingStatus {
    const record = this.records.get(versionId);
    if (!record) return { state: 'SERVING', recentFailures: 0 };
    const now = this.now();
    if (this.active(versionId, record)) {
      const since = record.quarantinedAt as number;
      return {
        state: 'QUARANTINED',
        reason: record.reason,
        since: new Date(since),
        until: new Date(since + this.options.durationMs),
        recentFailures: record.failures.length,
      };
    }
    const recent = record.failures.filter((f) => now - f.at <= this.options.windowMs).length;
    return { state: 'SERVING', recentFailures: recent };
  }

  /** Lifts the quarantine (e.g. the version's artifact changed). */
  clear(versionId: string): void {
    this.records.delete(versionId);
  }

  private active(versionId: string, record: VersionRecord): boolean {
    if (record.quarantinedAt === undefined) return false;
    if (this.now() - record.quarantinedAt < this.options.durationMs) return true;
    // Served again after the quarantine: it starts with a clean slate.
    this.records.delete(versionId);
    return false;
  }
}
