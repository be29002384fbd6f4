import type { Writable } from 'node:stream';

/** The supervisor's own messages: plain lines labelled `[maas]`, for a person to read. */
export interface SupervisorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A {@link SupervisorLog} writing info to `stdout` and warnings and errors to `stderr`. */
export function createSupervisorLog(stdout: Writable, stderr: Writable): SupervisorLog {
  const write = (sink: Writable, level: string, message: string) => {
    for (const line of message.split('\n')) sink.write(`[maas] ${level}${line}\n`);
  };
  return {
    info: (message) => write(stdout, '', message),
    warn: (message) => write(stderr, 'warning: ', message),
    error: (message) => write(stderr, 'error: ', message),
  };
}

/** `postgres://user:secret@host/db` with the password replaced by `***`, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
