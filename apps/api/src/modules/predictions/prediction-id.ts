import { hash, randomFillSync } from 'node:crypto';

/**
 * What a prediction id says about itself, read by {@link predictionIdKind}: `logged` (its row is
 * in `prediction_log`, or was), `unlogged` (sampled out: there never was a row), or `unknown`
 * (not an id this API issued to this workspace).
 */
export type PredictionIdKind = 'logged' | 'unlogged' | 'unknown';

const DOMAIN = Buffer.from('maas-prediction-id\u0000', 'utf8');
/** In byte 8, after the two variant bits. */
const LOGGED_FLAG = 0x20;
const CHECK_OFFSET = 10;
const ID_BYTES = 16;

/**
 * Random bytes for ids, drawn from the CSPRNG a page at a time (as `crypto.randomUUID` does): a
 * `randomBytes(16)` per prediction was a synchronous native job per request, ~3 % of the API's
 * main thread at 3,000 predictions/s. Every byte is used once.
 */
const POOL_BYTES = ID_BYTES * 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomIdBytes(): Buffer {
  if (poolOffset + ID_BYTES > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    poolOffset = 0;
  }
  const bytes = Buffer.allocUnsafe(ID_BYTES);
  pool.copy(bytes, 0, poolOffset, poolOffset + ID_BYTES);
  // Not left behind in the pool once handed out.
  pool.fill(0, poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return bytes;
}

/**
 * The check bytes: SHA-256 over the domain, the id's first ten bytes (flag included) and the
 * lower-cased workspace, hashed as one buffer by the one-shot `crypto.hash` (one native call, not
 * a Hash object and three updates).
 */
function check(bytes: Buffer, workspaceId: string): Buffer {
  const workspace = workspaceId.toLowerCase();
  const input = Buffer.allocUnsafe(
    DOMAIN.length + CHECK_OFFSET + Buffer.byteLength(workspace, 'utf8'),
  );
  DOMAIN.copy(input, 0);
  bytes.copy(input, DOMAIN.length, 0, CHECK_OFFSET);
  input.write(workspace, DOMAIN.length + CHECK_OFFSET, 'utf8');
  return hash('sha256', input, 'buffer').subarray(0, bytes.length - CHECK_OFFSET);
}

/**
 * A new prediction id: a UUID (version 8, RFC 9562's custom layout) of 73 random bits, a flag that
 * says whether the prediction was logged, and 48 check bits bound to the workspace. Unsampled
 * predictions leave no row, so the flag is what lets feedback on one say "not sampled" rather
 * than "unknown"; the check makes another workspace's id (or a made-up one) read as unknown. It is
 * a check, not a secret: it proves nothing to anyone but this API, and a forged id gains nothing.
 */
export function issuePredictionId(workspaceId: string, logged: boolean): string {
  const bytes = randomIdBytes();
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x1f) | 0x80 | (logged ? LOGGED_FLAG : 0);
  check(bytes, workspaceId).copy(bytes, CHECK_OFFSET);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What `id` says for `workspaceId` (see {@link issuePredictionId}). */
export function predictionIdKind(id: string, workspaceId: string): PredictionIdKind {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return 'unknown';
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  if ((bytes.readUInt8(6) & 0xf0) !== 0x80 || (bytes.readUInt8(8) & 0xc0) !== 0x80)
    return 'unknown';
  if (!check(bytes, workspaceId).equals(bytes.subarray(CHECK_OFFSET))) return 'unknown';
  return bytes.readUInt8(8) & LOGGED_FLAG ? 'logged' : 'unlogged';
}
