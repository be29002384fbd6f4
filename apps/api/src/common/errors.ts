import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'QUOTA_EXCEEDED'
  | 'MODEL_UNAVAILABLE'
  | 'PREDICT_TIMEOUT'
  | 'INTERNAL_SERVER_ERROR';

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 429,
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
