import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout (pino). */
export function createLogger(level: string, workerId: string): Logger {
  return pino({
    name: 'worker',
    level,
    base: { service: 'maas-worker', pid: process.pid, workerId },
  });
}
