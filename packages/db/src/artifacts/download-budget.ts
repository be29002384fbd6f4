import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';

/**
 * Limits of artifact downloads (`openRead(sha256, { purpose: 'download' })`): they have their own
 * connections, separate from the ones model loads read through, and deadlines, so slow or stalled
 * clients can neither starve model loads nor keep a transaction open.
 */
export interface DownloadLimits {
  /** Downloads streaming at once; one more fails with {@link ArtifactDownloadsBusyError}. */
  concurrency?: number;
  /** A download whose reader took nothing for this long is aborted. */
  stallTimeoutMs?: number;
  /** A download still running after this long is aborted. */
  maxDurationMs?: number;
}

/** The defaults of {@link DownloadLimits}. */
export const DEFAULT_DOWNLOAD_LIMITS: Readonly<Required<DownloadLimits>> = {
  concurrency: 4,
  stallTimeoutMs: 30_000,
  maxDurationMs: 1_800_000,
};

/** Every download slot is taken: retry later. Nothing was opened. */
export class ArtifactDownloadsBusyError extends Error {
  constructor(readonly concurrency: number) {
    super(`All ${concurrency} artifact download slots are in use; retry in a moment.`);
    this.name = 'ArtifactDownloadsBusyError';
  }
}

/** A download was aborted because its reader stalled or it ran past its deadline. */
export class ArtifactDownloadTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactDownloadTimeoutError';
  }
}

/** Counts the downloads in flight and puts deadlines on each one's stream. */
export class DownloadBudget {
  readonly limits: Readonly<Required<DownloadLimits>>;
  private active = 0;

  constructor(limits: DownloadLimits = {}) {
    this.limits = { ...DEFAULT_DOWNLOAD_LIMITS };
    for (const key of Object.keys(DEFAULT_DOWNLOAD_LIMITS) as (keyof DownloadLimits)[]) {
      const value = limits[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new Error(`Download limit ${key} must be a positive integer, got ${value}.`);
      }
      this.limits = { ...this.limits, [key]: value };
    }
  }

  /** Downloads in flight. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Takes a slot (or throws {@link ArtifactDownloadsBusyError}) and returns its release, which
   * is safe to call more than once.
   */
  reserve(): () => void {
    if (this.active >= this.limits.concurrency) {
      throw new ArtifactDownloadsBusyError(this.limits.concurrency);
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }

  /**
   * `source` behind the download deadlines: the returned stream fails with
   * {@link ArtifactDownloadTimeoutError}, destroying `source` (and so ending its transaction or
   * request), when its reader took nothing for `stallTimeoutMs` or after `maxDurationMs`.
   * `release` runs once when it closes, however it ends.
   */
  guard(source: Readable, release: () => void): Readable {
    const { stallTimeoutMs, maxDurationMs } = this.limits;
    const abort = (message: string) => monitor.destroy(new ArtifactDownloadTimeoutError(message));
    let stall: NodeJS.Timeout | undefined;
    const armStall = () => {
      clearTimeout(stall);
      stall = setTimeout(
        () => abort(`The download stalled: its reader took nothing for ${stallTimeoutMs} ms.`),
        stallTimeoutMs,
      );
    };
    const deadline = setTimeout(
      () => abort(`The download ran past its ${maxDurationMs} ms deadline.`),
      maxDurationMs,
    );
    // The source only writes into the monitor when the reader has room (back-pressure), so each
    // chunk through it is progress of the reader.
    const monitor = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        armStall();
        callback(null, chunk);
      },
    });
    monitor.on('close', () => {
      clearTimeout(stall);
      clearTimeout(deadline);
      release();
    });
    armStall();
    // pipeline destroys the source when the monitor fails or its reader goes away.
    pipeline(source, monitor, () => undefined);
    return monitor;
  }
}
