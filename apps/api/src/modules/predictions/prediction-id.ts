import { createHash, randomBytes } from 'node:crypto';

/**
 * What a prediction id says about itself, read by {@link predictionIdKind}: `logged` (its row is
 * in `prediction_log`, or was), `unlogged` (sampled out: there never was a row), or `unknown`
 * (not an id this API issued to this workspace).
 */
export type PredictionIdKind = 'logged' | 'unlogged' | 'unknown';

const DOMAIN = 'maas-prediction-id\u0000';
/** In byte 8, after the two variant bits. */
const LOGGED_FLAG = 0x20;
const CHECK_OFFSET = 10;

/** The check bytes: a digest of the id's first ten bytes (flag included) and the workspace. */
function check(bytes: Buffer, workspaceId: string): Buffer {
  return createHash('sha256')
    .update(DOMAIN)
    .update(bytes.subarray(0, CHECK_OFFSET))
    .update(workspaceId.toLowerCase())
    .digest()
    .subarray(0, bytes.length - CHECK_OFFSET);
}

/**
 * A new prediction id: a UUID (version 8, RFC 9562's custom layout) of 73 random bits, a flag that
 * says whether the prediction was logged, and 48 check bits bound to the workspace. Unsampled
 * predictions leave no row, so the flag is what lets feedback on one say "not sampled" rather
 * than "unknown"; the check makes another workspace's id (or a made-up one) read as unknown. It is
 * a check, not a secret: it proves nothing to anyone but this API, and a forged id gains nothing.
 */
export function issuePredictionId(workspaceId: string, logged: boolean): string {
  const bytes = randomBytes(16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x80, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x1f) | 0x80 | (logged ? LOGGED_FLAG : 0), 8);
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
