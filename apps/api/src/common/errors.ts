import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'QUOTA_EXCEEDED'
  | 'RATE_LIMITED'
  | 'MODEL_UNAVAILABLE'
  | 'PREDICT_TIMEOUT'
  | 'INTERNAL_SERVER_ERROR';

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 403,
  RATE_LIMITED: 429,
  MODEL_UNAVAILABLE: 503,
  PREDICT_TIMEOUT: 504,
  INTERNAL_SERVER_ERROR: 500,
};

/** An error the caller caused and can fix: its message says what to change. */
export class UserError extends GraphQLError {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  /** Extra fields for the REST/OIP JSON body and GraphQL `extensions` (e.g. `retryable`). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
    this.code = code;
    this.httpStatus = HTTP_STATUS[code];
    this.details = details;
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new UserError('BAD_USER_INPUT', message, details);
export const notFound = (message: string) => new UserError('NOT_FOUND', message);
export const conflict = (message: string) => new UserError('CONFLICT', message);
export const forbidden = (message: string) => new UserError('FORBIDDEN', message);
export const unauthenticated = (message: string) => new UserError('UNAUTHENTICATED', message);

/** 413 QUOTA_EXCEEDED: a request body over `variable` (`limit` bytes), refused before or while reading it. */
export function payloadTooLarge(what: string, variable: string, limit: number): UserError {
  const err = new UserError(
    'QUOTA_EXCEEDED',
    `${what} is larger than ${variable} (${limit} bytes)`,
    { limit: variable, limitBytes: limit },
  );
  Object.defineProperty(err, 'httpStatus', { value: 413 });
  return err;
}

/**
 * 403 QUOTA_EXCEEDED: the workspace is at a hard quota. Names the quota (`Quota` field name, e.g.
 * `maxModels`), its limit and the current usage; the request changed nothing.
 */
export function quotaExceeded(
  quota: string,
  limit: number,
  usage: number,
  what = `the workspace's ${quota} quota`,
): UserError {
  return new UserError('QUOTA_EXCEEDED', `This would exceed ${what}: ${usage} of ${limit} used`, {
    quota,
    limit,
    usage,
  });
}

/**
 * 429 RATE_LIMITED: over a request rate or a concurrency budget that frees itself. The HTTP answer
 * carries `Retry-After: retryAfterSeconds` (whole seconds, at least 1).
 */
export function rateLimited(
  message: string,
  retryAfterSeconds: number,
  details: Record<string, unknown> = {},
): UserError {
  return new UserError('RATE_LIMITED', message, {
    ...details,
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });
}

export function httpStatusOf(code: string | undefined): number {
  return code && code in HTTP_STATUS ? HTTP_STATUS[code as ErrorCode] : 500;
}

/** PostgreSQL unique_violation, e.g. a duplicate model name that slipped past a pre-check. */
export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    ((err as { code?: string }).code === '23505' ||
      (err as { driverError?: { code?: string } }).driverError?.code === '23505')
  );
}

/** PostgreSQL foreign_key_violation: a row is still referenced. */
export function isForeignKeyViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    ((err as { code?: string }).code === '23503' ||
      (err as { driverError?: { code?: string } }).driverError?.code === '23503')
  );
}
