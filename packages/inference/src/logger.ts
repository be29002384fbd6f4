/** The logging the engine needs: pino's signature (`logger.info({ ... }, 'message')`). */
export interface InferenceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: InferenceLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
