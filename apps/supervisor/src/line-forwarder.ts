import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';

// A child that never writes a newline must not make the supervisor buffer without bound.
const MAX_PENDING_CHARS = 1 << 20;

/**
 * Labels one line of a child's output with the child's name. Plain text becomes
 * `[api] text`. A JSON object line stays one parseable JSON object: unchanged when it already
 * says who wrote it (`name` or `service`, as pino logs do), otherwise with `"child":"api"`
 * inserted as its first key, so log collectors keep reading the fleet's output as JSON lines.
 */
export function labelLine(name: string, line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      if ('name' in parsed || 'service' in parsed) return text;
      const body = trimmed.slice(1);
      const label = `"child":${JSON.stringify(name)}`;
      return body.trim() === '}' ? `{${label}}` : `{${label},${body}`;
    }
  }
  return `[${name}] ${text}`;
}

/** Receives a child's raw output chunks and writes whole, labelled lines. */
export interface LineForwarder {
  write(chunk: Buffer | string): void;
  /** Writes a last unterminated line, if any (call when the stream ends). */
  flush(): void;
}

/**
 * Splits `name`'s output into lines (UTF-8 safe across chunk boundaries) and writes each one,
 * labelled by {@link labelLine}, to `sink`; lines of different children never interleave.
 */
export function createLineForwarder(name: string, sink: Writable): LineForwarder {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emit = (line: string) => sink.write(`${labelLine(name, line)}\n`);
  return {
    write(chunk) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        emit(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      if (pending.length > MAX_PENDING_CHARS) {
        emit(pending);
        pending = '';
      }
    },
    flush() {
      pending += decoder.end();
      if (pending.length > 0) emit(pending);
      pending = '';
    },
  };
}
