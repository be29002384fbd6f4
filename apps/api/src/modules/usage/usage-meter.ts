import { recordUsage, usageToday, utcDayStart, type UsageDelta } from '@maas/db';
import type { DataSource } from 'typeorm';
import { quotaExceeded } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { AuthInfo } from '../auth/auth.service';

/** Where a metered amount was spent, besides the caller's workspace and key. */
export interface UsageTarget {
  modelId: string | null;
  deploymentId: string | null;
}

/** What the meter reports as it counts (Prometheus counters); absent: nothing. */
export interface UsageMeterHooks {
  onPredictions?(workspaceId: string, requests: number, rows: number): void;
  onTokens?(workspaceId: string, promptTokens: number, completionTokens: number): void;
  /** Counts that could not be held (past twice `maxKeys`) and were dropped. */
  onDropped?(requests: number): void;
}

export interface UsageMeterOptions {
  flushIntervalMs: number;
  /** Distinct (minute, workspace, key, model, deployment) combinations held between flushes. */
  maxKeys: number;
  hooks?: UsageMeterHooks;
  now?: () => number;
}

/** A prediction admitted under the daily quota: settle it once it ran (or failed). */
export interface PredictionAdmission {
  settle(ok: boolean, target: UsageTarget): void;
}

interface Today {
  day: number;
  predictions: number;
  tokens: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Workspaces not seen for this long are no longer resynchronised (nor remembered). */
const SEEN_FOR_MS = 15 * MINUTE_MS;

/**
 * Meters predictions and generated tokens in memory, per (minute, workspace, key, model,
 * deployment), and adds them to `usage_counters` through `recordUsage` every `flushIntervalMs` and
 * at shutdown: no database round trip and no row per request. A failed flush keeps its counts for
 * the next one. Past `maxKeys` combinations, new ones are folded into their workspace's row (no
 * key, model or deployment); past twice `maxKeys`, counts are dropped and reported.
 *
 * The daily quotas (maxPredictionsPerDay, maxTokensPerDay) are enforced here too: a workspace's
 * total for today is what the database held at the last flush (every replica's flushed counts,
 * read back with `usageToday`) plus this replica's unflushed and in-flight counts. Another
 * replica's traffic is therefore seen one flush interval late at most.
 */
export class UsageMeter {
  private pending = new Map<string, UsageDelta & { minute: number }>();
  /** This replica's counted-but-unflushed (or being flushed) amounts for today, per workspace. */
  private readonly unflushed = new Map<string, Today>();
  /** Admitted predictions not settled yet, per workspace: reserved against the quota. */
  private readonly inFlight = new Map<string, number>();
  /** Today's totals in the database at the last resynchronisation, per workspace. */
  private readonly flushed = new Map<string, Today & { seenAt: number }>();
  private readonly loading = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  /** See {@link today}; -Infinity until first asked. */
  private dayStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly options: UsageMeterOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Writes what is pending (final flush at shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Admits a prediction of `rows` rows under the workspace's maxPredictionsPerDay, reserving them
   * until it is settled; over the quota throws QUOTA_EXCEEDED and reserves nothing. The first
   * request of a workspace with a limit that this replica has not seen yet reads today's total
   * once (if that fails, it starts from this replica's counts until the next flush); every later
   * one is decided in memory.
   */
  async admitPredictions(auth: AuthInfo, rows: number): Promise<PredictionAdmission> {
    const limit = auth.limits.maxPredictionsPerDay;
    if (limit !== null) {
      await this.known(auth.workspaceId);
      const used = this.predictionsToday(auth.workspaceId);
      if (used + rows > limit) throw quotaExceeded('maxPredictionsPerDay', limit, used);
    }
    this.touch(auth.workspaceId);
    this.inFlight.set(auth.workspaceId, (this.inFlight.get(auth.workspaceId) ?? 0) + rows);
    let settled = false;
    return {
      settle: (ok, target) => {
        if (settled) return;
        settled = true;
        const left = (this.inFlight.get(auth.workspaceId) ?? rows) - rows;
        if (left > 0) this.inFlight.set(auth.workspaceId, left);
        else this.inFlight.delete(auth.workspaceId);
        if (ok) this.add(auth, target, { requests: 1, predictionRows: rows });
      },
    };
  }

  /**
   * Refuses with QUOTA_EXCEEDED when `tokens` more generated tokens would exceed the workspace's
   * maxTokensPerDay (for the language-model endpoints, before they generate).
   */
  async assertTokensAvailable(auth: AuthInfo, tokens = 1): Promise<void> {
    const limit = auth.limits.maxTokensPerDay;
    if (limit === null) return;
    await this.known(auth.workspaceId);
    const used = this.tokensToday(auth.workspaceId);
    if (used + tokens > limit) throw quotaExceeded('maxTokensPerDay', limit, used);
  }

  /** Counts the tokens of one language-model request: the prompt's and the generated ones. */
  recordTokens(
    auth: AuthInfo,
    target: UsageTarget,
    tokens: { promptTokens: number; completionTokens: number },
  ): void {
    this.touch(auth.workspaceId);
    this.add(auth, target, { requests: 1, ...tokens });
  }

  /** Today's (UTC) prediction rows of a workspace as the quota sees them. */
  predictionsToday(workspaceId: string): number {
    return (
      this.flushedToday(workspaceId).predictions +
      this.unflushedToday(workspaceId).predictions +
      (this.inFlight.get(workspaceId) ?? 0)
    );
  }

  /** Today's (UTC) generated tokens of a workspace as the quota sees them. */
  tokensToday(workspaceId: string): number {
    return this.flushedToday(workspaceId).tokens + this.unflushedToday(workspaceId).tokens;
  }

  /** This replica's counts of today not yet flushed to the database (add them to `usageToday`). */
  unflushedCounts(workspaceId: string): { predictions: number; tokens: number } {
    const { predictions, tokens } = this.unflushedToday(workspaceId);
    return { predictions, tokens };
  }

  /** Combinations held for the next flush. */
  get pendingKeys(): number {
    return this.pending.size;
  }

  /**
   * Adds the pending counts to `usage_counters` (in their own minutes) and reads back today's
   * totals of the workspaces seen recently, in one transaction. On failure the counts stay pending.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const now = this.now();
    for (const [id, entry] of this.flushed)
      if (now - entry.seenAt > SEEN_FOR_MS && !this.inFlight.has(id)) this.flushed.delete(id);
    const workspaces = [...this.flushed.keys()];
    if (batch.size === 0 && workspaces.length === 0) return;
    const byMinute = new Map<number, UsageDelta[]>();
    for (const d of batch.values()) {
      const list = byMinute.get(d.minute) ?? [];
      list.push(d);
      byMinute.set(d.minute, list);
    }
    let totals: Map<string, { predictions: number; tokens: number }>;
    try {
      totals = await this.db.transaction(async (m) => {
        for (const [minute, deltas] of byMinute) await recordUsage(m, deltas, new Date(minute));
        return usageToday(m, workspaces, new Date(now));
      });
    } catch (err) {
      // Kept for the next flush: merged back under what arrived meanwhile.
      for (const [key, d] of batch) if (!this.hold(key, d)) this.forget(d);
      this.logger.warn({ err, pending: this.pending.size }, 'usage flush failed; will retry');
      return;
    }
    // Synchronously, so no admission sees the batch both flushed and unflushed.
    const day = utcDayStart(new Date(now)).getTime();
    for (const d of batch.values()) this.forget(d);
    for (const [id, t] of totals) {
      const seen = this.flushed.get(id);
      if (seen) Object.assign(seen, { day, predictions: t.predictions, tokens: t.tokens });
    }
  }

  /** Takes counts that were flushed (or dropped) out of this replica's unflushed total. */
  private forget(d: UsageDelta & { minute: number }): void {
    const entry = this.unflushed.get(d.workspaceId);
    if (!entry || utcDayStart(new Date(d.minute)).getTime() !== entry.day) return;
    entry.predictions -= d.predictionRows ?? 0;
    entry.tokens -= d.completionTokens ?? 0;
    if (entry.predictions <= 0 && entry.tokens <= 0) this.unflushed.delete(d.workspaceId);
  }

  /** Loads a workspace's totals for today once, the first time it is seen with a limit. */
  private async known(workspaceId: string): Promise<void> {
    if (this.flushed.has(workspaceId)) return;
    let load = this.loading.get(workspaceId);
    if (!load) {
      load = usageToday(this.db, [workspaceId], new Date(this.now()))
        .catch((err: unknown) => {
          // Fail open: start from this replica's own counts; the next flush catches up.
          this.logger.warn({ err, workspaceId }, "usage: could not read today's totals");
          return new Map<string, { predictions: number; tokens: number }>();
        })
        .then((totals) => {
          const t = totals.get(workspaceId) ?? { predictions: 0, tokens: 0 };
          if (!this.flushed.has(workspaceId)) {
            this.flushed.set(workspaceId, {
              day: utcDayStart(new Date(this.now())).getTime(),
              ...t,
              seenAt: this.now(),
            });
          }
        })
        .finally(() => this.loading.delete(workspaceId));
      this.loading.set(workspaceId, load);
    }
    await load;
  }

  private touch(workspaceId: string): void {
    const entry = this.flushed.get(workspaceId);
    if (entry) entry.seenAt = this.now();
  }

  /**
   * The start of today (UTC), computed once a day rather than per call (each prediction asks two
   * or three times): a UTC day is always DAY_MS long.
   */
  private today(): number {
    const now = this.now();
    if (now < this.dayStart || now >= this.dayStart + DAY_MS)
      this.dayStart = utcDayStart(new Date(now)).getTime();
    return this.dayStart;
  }

  private flushedToday(workspaceId: string): Today {
    const entry = this.flushed.get(workspaceId);
    return entry && entry.day === this.today() ? entry : { day: 0, predictions: 0, tokens: 0 };
  }

  private unflushedToday(workspaceId: string): Today {
    const entry = this.unflushed.get(workspaceId);
    return entry && entry.day === this.today() ? entry : { day: 0, predictions: 0, tokens: 0 };
  }

  private add(
    auth: AuthInfo,
    target: UsageTarget,
    amounts: Pick<UsageDelta, 'requests' | 'predictionRows' | 'promptTokens' | 'completionTokens'>,
  ): void {
    const now = this.now();
    const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const delta = {
      minute,
      workspaceId: auth.workspaceId,
      apiKeyId: auth.apiKeyId,
      modelId: target.modelId,
      deploymentId: target.deploymentId,
      ...amounts,
    };
    const key = `${minute}|${auth.workspaceId}|${auth.apiKeyId}|${target.modelId}|${target.deploymentId}`;
    if (!this.hold(key, delta)) return;
    const day = this.today();
    let entry = this.unflushed.get(auth.workspaceId);
    if (!entry || entry.day !== day) {
      entry = { day, predictions: 0, tokens: 0 };
      this.unflushed.set(auth.workspaceId, entry);
    }
    entry.predictions += amounts.predictionRows ?? 0;
    entry.tokens += amounts.completionTokens ?? 0;
    const rows = amounts.predictionRows ?? 0;
    if (amounts.promptTokens !== undefined || amounts.completionTokens !== undefined)
      this.options.hooks?.onTokens?.(
        auth.workspaceId,
        amounts.promptTokens ?? 0,
        amounts.completionTokens ?? 0,
      );
    else this.options.hooks?.onPredictions?.(auth.workspaceId, amounts.requests ?? 0, rows);
  }

  /** Adds `d` to the pending counts under `key`, or its workspace's row past the cap. */
  private hold(key: string, d: UsageDelta & { minute: number }): boolean {
    let target = this.pending.get(key);
    if (!target && this.pending.size >= this.options.maxKeys) {
      const folded = `${d.minute}|${d.workspaceId}|||`;
      target = this.pending.get(folded);
      if (!target) {
        if (this.pending.size >= 2 * this.options.maxKeys) {
          this.options.hooks?.onDropped?.(d.requests ?? 0);
          return false;
        }
        target = { minute: d.minute, workspaceId: d.workspaceId };
        this.pending.set(folded, target);
      }
    } else if (!target) {
      target = { ...d, requests: 0, predictionRows: 0, promptTokens: 0, completionTokens: 0 };
      this.pending.set(key, target);
    }
    target.requests = (target.requests ?? 0) + (d.requests ?? 0);
    target.predictionRows = (target.predictionRows ?? 0) + (d.predictionRows ?? 0);
    target.promptTokens = (target.promptTokens ?? 0) + (d.promptTokens ?? 0);
    target.completionTokens = (target.completionTokens ?? 0) + (d.completionTokens ?? 0);
    return true;
  }
}
