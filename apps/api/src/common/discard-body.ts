import type { Readable } from 'node:stream';

/** At most this much of a refused request body is read and thrown away; past it, the connection goes. */
export const MAX_DISCARDED_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Reads the rest of a refused request body and throws it away, so the refusal reaches the client
 * (closing a socket with unread data in it resets the connection before the client reads the
 * answer) and the connection can serve the next request. Past `maxBytes`, the connection is
 * closed instead.
 */
export function discardBody(body: Readable, maxBytes = MAX_DISCARDED_BODY_BYTES): void {
  let discarded = 0;
  body.unpipe();
  body.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) body.destroy();
  });
  body.on('error', () => {});
  body.resume();
}
