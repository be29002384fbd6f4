import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  API_KEYS_CHANNEL,
  ApiKey,
  Workspace,
  WORKSPACE_QUOTA_CHANNEL,
  type EventBus,
  type Role,
} from '@maas/db';
import { LRUCache } from 'lru-cache';
import { IsNull, type DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { PLATFORM_AUDIT_ACTIONS } from '../../common/audit-actions';
import { badInput, conflict, forbidden, isUniqueViolation, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { assertValidName } from '../../common/names';
import type { QuotaValues } from '../quotas/quota-fields';

/**
 * The workspace quotas the request path enforces in memory (no database round trip per request):
 * loaded with the key, and reloaded on every replica when `setWorkspaceQuota` announces a change on
 * WORKSPACE_QUOTA_CHANNEL. `null` is unlimited.
 */
export interface RequestLimits {
  requestsPerSecond: number | null;
  maxPredictionsPerDay: number | null;
  maxTokensPerDay: number | null;
}

/** Who is calling: resolved once per request from the bearer token. */
export interface AuthInfo {
  apiKeyId: string;
  keyName: string;
  workspaceId: string;
  role: Role;
  isRoot: boolean;
  limits: RequestLimits;
  /**
   * The client address of this request or WebSocket (what Fastify sees as `req.ip`), for the
   * audit log; set per request on a copy of the cached key (see auth.hooks.ts, graphql-ws.ts).
   */
  sourceAddress?: string | null;
}

const ROLE_RANK: Record<Role, number> = { VIEWER: 1, EDITOR: 2, ADMIN: 3 };
const CACHE_TTL_MS = 30_000;
/** Unknown tokens are remembered briefly, so repeating one costs no database round trip. */
const NEGATIVE_CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 10_000;
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
export const DEFAULT_WORKSPACE = 'default';

/** SHA-256 of the key, hex (one-shot `crypto.hash`: no Hash object per request). */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The limits of a workspace row that the request path enforces (all unlimited without one). */
function limitsOf(ws: Workspace | undefined): RequestLimits {
  return {
    requestsPerSecond: ws?.requestsPerSecond ?? null,
    maxPredictionsPerDay: ws?.maxPredictionsPerDay ?? null,
    maxTokensPerDay: ws?.maxTokensPerDay ?? null,
  };
}

function digestOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const secret = match?.[1];
  return secret && secret.length <= 512 ? hashSecret(secret) : undefined;
}

export function requireRole(auth: AuthInfo, role: Role): void {
  if (ROLE_RANK[auth.role] < ROLE_RANK[role]) {
    throw forbidden(`This needs the ${role} role; your key "${auth.keyName}" has ${auth.role}`);
  }
}

export function requireRoot(auth: AuthInfo, what: string): void {
  if (!auth.isRoot) throw forbidden(`Only the root key (ADMIN_API_KEY) may ${what}`);
}

/**
 * Publishes key changes so that every replica drops its cached keys (revocations and root-key
 * rotations take effect at once, new keys are not refused as unknown); {@link createAuthService}
 * subscribes each replica's cache to API_KEYS_CHANNEL.
 */
export interface KeyEvents {
  publish(channel: string, payload: Record<string, unknown>): Promise<void>;
}

/** What API_KEYS_CHANNEL carries: a revocation, a new key, or a rotated root key. */
export interface ApiKeyEvent {
  id?: string;
  revoked?: boolean;
  created?: boolean;
  rootRotated?: boolean;
}

export class AuthService {
  // sha256(secret) -> resolved key, so the database is asked once per key and TTL. Unknown and
  // revoked tokens live in their own bounded cache: a flood of random tokens can neither evict
  // the valid keys nor cost a lookup each time one repeats.
  private readonly known = new LRUCache<string, AuthInfo>({
    max: CACHE_MAX_ENTRIES,
    ttl: CACHE_TTL_MS,
  });
  private readonly unknown = new LRUCache<string, true>({
    max: CACHE_MAX_ENTRIES,
    ttl: NEGATIVE_CACHE_TTL_MS,
  });
  // One lookup per digest at a time; concurrent requests with the same token share it.
  private readonly inFlight = new Map<string, Promise<AuthInfo | null>>();
  // Bumped by every invalidation: a lookup that started before one must not cache its answer.
  private generation = 0;
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly revocationListeners = new Set<(apiKeyId: string) => void>();
  private readonly recheckListeners = new Set<() => void>();

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly events?: KeyEvents,
    private readonly onDatabaseLookup: () => void = () => undefined,
    /** The quota a new workspace starts with (the QUOTA_DEFAULT_* settings); unlimited if absent. */
    private readonly defaultQuota: Partial<QuotaValues> = {},
  ) {}

  /** Drops every cached key, e.g. after the event listener reconnected and may have missed a revocation. */
  clearCache(): void {
    this.generation++;
    this.known.clear();
    this.unknown.clear();
    this.inFlight.clear();
  }

  /**
   * A workspace's quota changed (WORKSPACE_QUOTA_CHANNEL): the cached keys of that workspace get
   * its new limits in place, with one query, instead of every key being looked up again. Without
   * a workspace id, or when the query fails, the whole cache is dropped.
   */
  async onQuotaChanged(workspaceId: unknown): Promise<void> {
    // A lookup running now may have read the old limits: it must not cache them.
    this.generation++;
    this.inFlight.clear();
    try {
      if (typeof workspaceId !== 'string') return this.clearCache();
      let ws: Workspace | null;
      try {
        ws = await this.db.getRepository(Workspace).findOne({ where: { id: workspaceId } });
      } catch (err) {
        this.logger.warn({ err }, 'could not reload a workspace quota; dropping the key cache');
        return this.clearCache();
      }
      if (!ws) return;
      const limits = limitsOf(ws);
      // Collected first: setting an entry while iterating the LRU would move it and loop forever.
      const held = [...this.known.entries()].filter(([, info]) => info.workspaceId === workspaceId);
      for (const [digest, info] of held)
        this.known.set(digest, { ...info, limits }, { noUpdateTTL: true });
    } finally {
      this.quotaChangesApplied++;
    }
  }

  /** How many quota changes this replica has applied to its cached keys (for tests and metrics). */
  quotaChangesApplied = 0;

  /** Forgets the unknown tokens, after a key was created (its hash must not stay cached as unknown). */
  forgetUnknownTokens(): void {
    this.generation++;
    this.unknown.clear();
    this.inFlight.clear();
  }

  /**
   * Applies a key change another replica (or this one) announced on API_KEYS_CHANNEL: drops the
   * cache (only the unknown tokens for a new key), and names a revoked key to its listeners (which
   * close that key's WebSockets).
   */
  onKeyEvent(event: ApiKeyEvent | null | undefined): void {
    if (event?.created && !event.revoked && !event.rootRotated) this.forgetUnknownTokens();
    else this.clearCache();
    if (typeof event?.id === 'string' && event.revoked === true) {
      for (const listener of this.revocationListeners) listener(event.id);
    }
  }

  /**
   * Calls `listener` with the id of every key revoked on any replica (heard on API_KEYS_CHANNEL),
   * e.g. to close that key's WebSockets. Returns the function that stops listening.
   */
  onKeyRevoked(listener: (apiKeyId: string) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /**
   * Calls `listener` when revocations may have been missed (the event listener reconnected):
   * holders of long-lived authentications should check their keys again.
   */
  onRecheckNeeded(listener: () => void): () => void {
    this.recheckListeners.add(listener);
    return () => this.recheckListeners.delete(listener);
  }

  /** After the event listener reconnected: notifications sent while it was down are lost. */
  eventsMissed(): void {
    this.clearCache();
    for (const listener of this.recheckListeners) listener();
  }

  /** Which of these key ids are revoked or gone. */
  async revokedAmong(apiKeyIds: readonly string[]): Promise<string[]> {
    if (apiKeyIds.length === 0) return [];
    const rows = await this.db.query<{ id: string }[]>(
      'SELECT id FROM api_keys WHERE id = ANY($1) AND revoked_at IS NULL',
      [apiKeyIds],
    );
    const live = new Set(rows.map((r) => r.id));
    return apiKeyIds.filter((id) => !live.has(id));
  }

  /**
   * Resolves `Authorization: Bearer <secret>`; null when absent, unknown or revoked. Cached keys
   * (known and unknown ones) cost no database round trip; `beforeLookup` runs just before one is
   * made (not when joining a lookup already in flight) and may throw to refuse it.
   */
  async authenticate(
    authorization: string | undefined,
    beforeLookup?: () => void,
  ): Promise<AuthInfo | null> {
    const digest = digestOf(authorization);
    if (!digest) return null;
    const cached = this.known.get(digest);
    if (cached) {
      this.touch(cached.apiKeyId, Date.now());
      return cached;
    }
    if (this.unknown.has(digest)) return null;
    let lookup = this.inFlight.get(digest);
    if (!lookup) {
      beforeLookup?.();
      lookup = this.lookUp(digest);
      this.inFlight.set(digest, lookup);
      const forget = () => {
        if (this.inFlight.get(digest) === lookup) this.inFlight.delete(digest);
      };
      lookup.then(forget, forget);
    }
    const info = await lookup;
    if (info) this.touch(info.apiKeyId, Date.now());
    return info;
  }

  private async lookUp(digest: string): Promise<AuthInfo | null> {
    const generation = this.generation;
    this.onDatabaseLookup();
    const row = await this.db
      .getRepository(ApiKey)
      .findOne({ where: { secretSha256: digest }, relations: { workspace: true } });
    const valid =
      row !== null &&
      row.revokedAt === null &&
      timingSafeEqual(Buffer.from(row.secretSha256), Buffer.from(digest));
    const info: AuthInfo | null = valid
      ? {
          apiKeyId: row.id,
          keyName: row.name,
          workspaceId: row.workspaceId,
          role: row.role,
          isRoot: row.isRoot,
          limits: limitsOf(row.workspace),
        }
      : null;
    // A revocation (or a new key) announced while this lookup ran may postdate what it read.
    if (generation === this.generation) {
      if (info) this.known.set(digest, info);
      else this.unknown.set(digest, true);
    }
    return info;
  }

  // last_used_at is advisory: written at most once a minute per key, off the request path.
  private touch(apiKeyId: string, now: number): void {
    const last = this.lastUsedWrites.get(apiKeyId) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(apiKeyId, now);
    this.db
      .getRepository(ApiKey)
      .update({ id: apiKeyId }, { lastUsedAt: new Date(now) })
      .catch((err: unknown) => this.logger.warn({ err }, 'could not record last_used_at'));
  }

  /**
   * Makes sure the `default` workspace and the root key exist, with `secret` as the root key's
   * secret (a changed ADMIN_API_KEY rotates it). Safe to run on every start, from many processes.
   */
  async ensureRootKey(secret: string): Promise<{ workspaceId: string; apiKeyId: string }> {
    let rotated = false;
    const root = await this.db.transaction(async (m) => {
      // Serialise concurrent starters.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['maas.root-key']);
      let ws = await m.findOne(Workspace, { where: { name: DEFAULT_WORKSPACE } });
      ws ??= await m.save(m.create(Workspace, { name: DEFAULT_WORKSPACE }));
      const digest = hashSecret(secret);
      let root = await m.findOne(ApiKey, { where: { isRoot: true, revokedAt: IsNull() } });
      if (!root) {
        root = await m.save(
          m.create(ApiKey, {
            id: randomUUID(),
            workspaceId: ws.id,
            name: 'root',
            role: 'ADMIN',
            isRoot: true,
            secretSha256: digest,
            lastUsedAt: null,
            revokedAt: null,
          }),
        );
        // The platform made it (no key acted): the first start with ADMIN_API_KEY.
        await audit(m, null, ws.id, 'apiKey.create', 'api_key', root.id, {
          name: 'root',
          role: 'ADMIN',
          root: true,
        });
      } else if (root.secretSha256 !== digest) {
        await m.update(ApiKey, { id: root.id }, { secretSha256: digest });
        const { action, targetType } = PLATFORM_AUDIT_ACTIONS.rootKeyRotate;
        await audit(m, null, ws.id, action, targetType, root.id, {
          reason: 'ADMIN_API_KEY changed',
        });
        rotated = true;
      }
      return { workspaceId: ws.id, apiKeyId: root.id };
    });
    if (rotated) {
      // After the commit, on every replica: the old root secret must stop working everywhere.
      this.clearCache();
      await this.events?.publish(API_KEYS_CHANNEL, { id: root.apiKeyId, rootRotated: true });
    }
    return root;
  }

  async createApiKey(
    auth: AuthInfo,
    name: string,
    role: Role,
    workspaceId?: string | null,
  ): Promise<{ apiKey: ApiKey; secret: string }> {
    requireRole(auth, 'ADMIN');
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 128) {
      throw badInput('An API key name must have 1 to 128 characters', { field: 'name' });
    }
    let targetWorkspace = auth.workspaceId;
    if (workspaceId && workspaceId !== auth.workspaceId) {
      requireRoot(auth, 'create keys in another workspace');
      const ws = await this.db.getRepository(Workspace).findOne({ where: { id: workspaceId } });
      if (!ws) throw notFound(`Workspace ${workspaceId} does not exist`);
      targetWorkspace = ws.id;
    }
    const id = randomUUID();
    const secret = `maas_${id}_${randomBytes(24).toString('base64url')}`;
    const apiKey = await this.db.transaction(async (m) => {
      const saved = await m.save(
        m.create(ApiKey, {
          id,
          workspaceId: targetWorkspace,
          name: trimmed,
          role,
          isRoot: false,
          secretSha256: hashSecret(secret),
          lastUsedAt: null,
          revokedAt: null,
        }),
      );
      await audit(m, auth, targetWorkspace, 'apiKey.create', 'api_key', id, {
        name: trimmed,
        role,
      });
      return saved;
    });
    this.forgetUnknownTokens();
    await this.events?.publish(API_KEYS_CHANNEL, { id, created: true });
    return { apiKey, secret };
  }

  async revokeApiKey(auth: AuthInfo, id: string): Promise<ApiKey> {
    requireRole(auth, 'ADMIN');
    const repo = this.db.getRepository(ApiKey);
    const key = await repo.findOne({ where: { id } });
    if (!key || (key.workspaceId !== auth.workspaceId && !auth.isRoot)) {
      throw notFound(`API key ${id} does not exist`);
    }
    if (key.isRoot) throw badInput('The root key cannot be revoked; change ADMIN_API_KEY instead');
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await this.db.transaction(async (m) => {
        await m.update(ApiKey, { id }, { revokedAt: key.revokedAt });
        await audit(m, auth, key.workspaceId, 'apiKey.revoke', 'api_key', id, null);
      });
      // This replica at once (cache, its WebSockets); every replica through the channel.
      this.onKeyEvent({ id, revoked: true });
      await this.events?.publish(API_KEYS_CHANNEL, { id, revoked: true });
    }
    return key;
  }

  async listApiKeys(auth: AuthInfo): Promise<ApiKey[]> {
    requireRole(auth, 'ADMIN');
    return this.db
      .getRepository(ApiKey)
      .find({ where: { workspaceId: auth.workspaceId }, order: { name: 'ASC', id: 'ASC' } });
  }

  async listWorkspaces(auth: AuthInfo): Promise<Workspace[]> {
    requireRoot(auth, 'list workspaces');
    return this.db.getRepository(Workspace).find({ order: { name: 'ASC' } });
  }

  async createWorkspace(auth: AuthInfo, name: string): Promise<Workspace> {
    requireRoot(auth, 'create workspaces');
    assertValidName('workspace', name);
    try {
      return await this.db.transaction(async (m) => {
        const ws = await m.save(m.create(Workspace, { name, ...this.defaultQuota }));
        await audit(m, auth, ws.id, 'workspace.create', 'workspace', ws.id, { name });
        return ws;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A workspace named "${name}" already exists`);
      throw err;
    }
  }
}

/**
 * The AuthService of this replica: its key cache is cleared by any replica's revocation or
 * root-key rotation, its unknown-token cache by any replica's new key, and both by a listener
 * reconnect (notifications sent while it was down are lost). With `rootKey`
 * (ADMIN_API_KEY) it makes sure the root key exists.
 */
export async function createAuthService(
  db: DataSource,
  logger: Logger,
  bus: EventBus,
  rootKey?: string,
  onDatabaseLookup?: () => void,
  defaultQuota?: Partial<QuotaValues>,
): Promise<AuthService> {
  const auth = new AuthService(db, logger, bus, onDatabaseLookup, defaultQuota);
  await bus.subscribe<ApiKeyEvent>(API_KEYS_CHANNEL, (event) => auth.onKeyEvent(event), {
    onReconnect: () => auth.eventsMissed(),
  });
  // A changed quota: the cached keys carry their workspace's limits.
  await bus.subscribe<{ workspaceId?: unknown }>(WORKSPACE_QUOTA_CHANNEL, (event) =>
    auth.onQuotaChanged(event?.workspaceId),
  );
  if (rootKey) await auth.ensureRootKey(rootKey);
  return auth;
}
