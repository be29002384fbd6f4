import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout (pino). */
export function createLogger(level: string, name = 'api'): Logger {
  return pino({ name, level, base: { service: `maas-${name}`, pid: process.pid } });
}
