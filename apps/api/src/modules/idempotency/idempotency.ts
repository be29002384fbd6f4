import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { badInput, conflict } from '../../common/errors';

/** How long a key answers retries with its first result; the retention sweep removes it after. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

/** What a key was used for: a key is only ever compared with requests of the same kind. */
export type IdempotencyScope =
  | 'version.upload'
  | 'dataset.upload'
  | 'dataset.create'
  | 'trainingJob.start';

/** One request that carries an idempotency key. */
export interface IdempotentRequest {
  workspaceId: string;
  scope: IdempotencyScope;
  key: string;
  /** {@link requestSha256} of what the request asks for. */
  requestSha256: string;
}

const KEY_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/**
 * An idempotency key as given (header or argument): absent stays absent; otherwise 1 to 255
 * printable ASCII characters, not starting or ending with a space.
 */
export function assertIdempotencyKey(
  key: string | string[] | null | undefined,
  field = 'idempotencyKey',
): string | null {
  if (key == null) return null;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key))
    throw badInput(
      `${field} must be 1 to 255 printable ASCII characters (e.g. a UUID), sent once per request`,
      { field },
    );
  return key;
}

/** JSON with object keys sorted, so that equal requests hash equally whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** The hash a retry must match: sha256 of the request's canonical JSON. */
export function requestSha256(request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)) ?? 'null')
    .digest('hex');
}

function checkSameRequest(req: IdempotentRequest, storedSha256: string): void {
  if (storedSha256 !== req.requestSha256)
    throw conflict(
      `Idempotency key "${req.key}" was already used within ${IDEMPOTENCY_WINDOW_HOURS} h for a different request: use a new key`,
    );
}

/**
 * The id the key's first request created, if it was used within the window (committed); CONFLICT
 * when that was a different request. A cheap look before any work.
 */
export async function findIdempotentResult(
  m: Pick<EntityManager, 'query'>,
  req: IdempotentRequest,
): Promise<string | null> {
  const rows = await m.query<{ request_sha256: string; result_id: string | null }[]>(
    `SELECT request_sha256, result_id FROM idempotency_keys
      WHERE workspace_id = $1 AND scope = $2 AND key = $3
        AND created_at > now() - make_interval(hours => $4)`,
    [req.workspaceId, req.scope, req.key, IDEMPOTENCY_WINDOW_HOURS],
  );
  const row = rows[0];
  if (!row) return null;
  checkSameRequest(req, row.request_sha256);
  return row.result_id;
}

/**
 * Runs a creation under an idempotency key, inside the creating transaction `m`: claims the key
 * first (a concurrent request with the same key waits here until this one commits or rolls
 * back), then either answers the first request's result through `load` or calls `create` and
 * records its id with the key. Without a key it just creates.
 */
export async function idempotent<T>(
  m: EntityManager,
  req: IdempotentRequest | null,
  load: (resultId: string) => Promise<T>,
  create: () => Promise<{ id: string; result: T }>,
): Promise<T> {
  if (!req) return (await create()).result;
  // A key past the window is taken over, as if new.
  const claimed = await m.query<unknown[]>(
    `INSERT INTO idempotency_keys (workspace_id, scope, key, request_sha256)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, scope, key) DO UPDATE
       SET request_sha256 = EXCLUDED.request_sha256, result_id = NULL, created_at = now()
       WHERE idempotency_keys.created_at <= now() - make_interval(hours => $5)
     RETURNING 1`,
    [req.workspaceId, req.scope, req.key, req.requestSha256, IDEMPOTENCY_WINDOW_HOURS],
  );
  if (claimed.length === 0) {
    const first = await findIdempotentResult(m, req);
    if (first) return load(first);
  }
  const { id, result } = await create();
  await m.query(
    `UPDATE idempotency_keys SET result_id = $4 WHERE workspace_id = $1 AND scope = $2 AND key = $3`,
    [req.workspaceId, req.scope, req.key, id],
  );
  return result;
}

/** CONFLICT for a key whose first result was deleted since. */
export function resultGone(what: string, req: IdempotentRequest): Error {
  return conflict(
    `The ${what} created with idempotency key "${req.key}" was deleted since: use a new key`,
  );
}
