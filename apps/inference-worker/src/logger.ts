import type { InferenceLogger } from '@maas/inference';

/** One JSON line per entry on stdout (errors as their message): the worker's log. */
export function createLogger(): InferenceLogger {
  const line = (level: string) => (obj: object, msg?: string) =>
    process.stdout.write(
      `${JSON.stringify({ level, time: Date.now(), msg, ...obj }, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`,
    );
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
