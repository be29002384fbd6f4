import { describeQueryError } from '@maas/db';
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * pino's error serializer without the values a database error carries: TypeORM's
 * QueryFailedError holds the failed query's `parameters` (other tenants' inputs) and the driver's
 * error its `detail`/`where`; only the SQLSTATE of the driver error is kept, and the message up
 * to where PostgreSQL quotes the refused value.
 */
export function serializeError(err: Error): pino.SerializedError {
  const serialized = pino.stdSerializers.err(err) as pino.SerializedError & Record<string, unknown>;
  delete serialized.parameters;
  delete serialized.detail;
  delete serialized.where;
  const driverError = serialized.driverError as { code?: unknown } | undefined;
  if (driverError !== undefined) {
    // A database error's message may quote the value it refused.
    serialized.driverError = { code: driverError?.code };
    serialized.message = describeQueryError(err);
    serialized.stack = serialized.stack.split(err.message).join(serialized.message);
  }
  return serialized;
}

/** Structured JSON logs on stdout (pino). */
export function createLogger(level: string, name = 'api'): Logger {
  return pino({
    name,
    level,
    base: { service: `maas-${name}`, pid: process.pid },
    serializers: { err: serializeError },
  });
}
