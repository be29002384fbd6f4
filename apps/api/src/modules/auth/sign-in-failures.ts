import { Workspace } from '@maas/db';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { PLATFORM_AUDIT_ACTIONS } from '../../common/audit-actions';
import type { Logger } from '../../common/logger';
import { DEFAULT_WORKSPACE } from './auth.service';

const MINUTE_MS = 60_000;
const MAX_TRACKED_ADDRESSES = 10_000;

/** Why a sign-in failed: no key sent, or a key that is unknown or revoked. The token never. */
export type SignInFailure = 'missing_key' | 'unknown_or_revoked_key';

/**
 * Records failed sign-ins (401s) in the audit log, sampled so a flood cannot fill the table: at
 * most one row per source address per minute, and at most `perMinute`
 * (AUDIT_FAILED_SIGNIN_PER_MINUTE) rows per minute in all, on this replica. Rows go to the
 * `default` workspace (the platform's, read by the root key) with action `auth.signIn` and
 * outcome `failed`; they are written off the request path.
 */
export class SignInFailures {
  private readonly lastByAddress = new LRUCache<string, number>({
    max: MAX_TRACKED_ADDRESSES,
    ttl: MINUTE_MS,
  });
  private minute = -1;
  private recordedThisMinute = 0;
  private defaultWorkspaceId: string | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a failure from `address` now is one of the sampled rows (and counts it). */
  sample(address: string): boolean {
    if (this.perMinute <= 0) return false;
    const minute = Math.floor(this.now() / MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.recordedThisMinute = 0;
    }
    if (this.lastByAddress.get(address) === minute) return false;
    if (this.recordedThisMinute >= this.perMinute) return false;
    this.lastByAddress.set(address, minute);
    this.recordedThisMinute++;
    return true;
  }

  /** Notes a failed sign-in from `address`; writes its row only if it is sampled. */
  record(address: string, reason: SignInFailure, transport: 'http' | 'websocket', route: string) {
    if (!this.sample(address)) return;
    const { action, targetType } = PLATFORM_AUDIT_ACTIONS.signIn;
    void this.workspaceId()
      .then((workspaceId) =>
        workspaceId
          ? audit(
              this.db.manager,
              { apiKeyId: null, sourceAddress: address },
              workspaceId,
              action,
              targetType,
              null,
              { reason, transport, route: route.slice(0, 200) },
              'failed',
            ).then(() => undefined)
          : undefined,
      )
      .catch((err: unknown) => this.logger.warn({ err }, 'could not record a failed sign-in'));
  }

  private async workspaceId(): Promise<string | null> {
    if (this.defaultWorkspaceId) return this.defaultWorkspaceId;
    const ws = await this.db
      .getRepository(Workspace)
      .findOne({ where: { name: DEFAULT_WORKSPACE }, select: { id: true } });
    this.defaultWorkspaceId = ws?.id ?? null;
    return this.defaultWorkspaceId;
  }
}
