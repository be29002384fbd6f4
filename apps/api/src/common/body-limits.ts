import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { payloadTooLarge } from './errors';

/** A body limit: its size in bytes and the variable that sets it (named in the 413). */
export interface BodyLimit {
  bytes: number;
  variable: string;
}

/** The declared `Content-Length`, or undefined for a chunked (or malformed) one. */
export function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const text = headers['content-length'];
  if (typeof text !== 'string' || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/**
 * An `onRequest` hook (run it after authentication): refuses with 413 a request whose
 * Content-Length is over the limit, before a byte of its body is read. Chunked bodies are counted
 * by whoever reads them ({@link readBodyWithin}, the upload services).
 */
export function refuseDeclaredOversize(
  limitOf: (req: FastifyRequest) => BodyLimit,
): onRequestAsyncHookHandler {
  return function (this: unknown, req: FastifyRequest, _reply: FastifyReply) {
    const limit = limitOf(req);
    const length = declaredLength(req.headers);
    if (length !== undefined && length > limit.bytes) {
      return Promise.reject(payloadTooLarge('The request body', limit.variable, limit.bytes));
    }
    return Promise.resolve();
  };
}

/**
 * A Buffer of `length` bytes whose byte `alignAt` sits on an 8-byte boundary of its ArrayBuffer,
 * so that typed arrays of any element size can view the data from there on without a copy.
 */
function alignedBuffer(length: number, alignAt: number | undefined): Buffer {
  if (alignAt === undefined) return Buffer.allocUnsafe(length);
  const pad = (8 - (alignAt % 8)) % 8;
  return Buffer.allocUnsafeSlow(length + pad).subarray(pad);
}

/**
 * Reads a body into one Buffer: 413 at once when Content-Length is over the limit, else counts
 * the bytes as they arrive and stops reading (413) as soon as a chunked body passes the limit.
 * A declared length is allocated once, so the body is never held twice. With `alignAt` (an
 * offset into the body, e.g. where OIP binary tensor data starts) that byte of the result is
 * 8-byte aligned, so the tensors can be viewed in place.
 */
export function readBodyWithin(
  stream: Readable,
  headers: IncomingHttpHeaders,
  limit: BodyLimit,
  alignAt?: number,
): Promise<Buffer> {
  const declared = declaredLength(headers);
  if (declared !== undefined && declared > limit.bytes) {
    return Promise.reject(payloadTooLarge('The request body', limit.variable, limit.bytes));
  }
  const align =
    alignAt !== undefined && Number.isSafeInteger(alignAt) && alignAt > 0 ? alignAt : undefined;
  return new Promise<Buffer>((resolve, reject) => {
    const target = declared !== undefined ? alignedBuffer(declared, align) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (err: Error | null, body?: Buffer) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
      if (err) {
        stream.pause();
        reject(err);
      } else resolve(body as Buffer);
    };
    const onData = (chunk: Buffer) => {
      const next = received + chunk.byteLength;
      if (next > limit.bytes || (target && next > target.byteLength)) {
        finish(
          next > limit.bytes
            ? payloadTooLarge('The request body', limit.variable, limit.bytes)
            : Object.assign(new Error('The body is longer than its Content-Length'), {
                statusCode: 400,
              }),
        );
        return;
      }
      if (target) chunk.copy(target, received);
      else chunks.push(chunk);
      received = next;
    };
    const onEnd = () => {
      if (target && received !== target.byteLength) {
        finish(
          Object.assign(new Error('The body is shorter than its Content-Length'), {
            statusCode: 400,
          }),
        );
      } else if (target) finish(null, target);
      else if (align === undefined) finish(null, Buffer.concat(chunks, received));
      else {
        const body = alignedBuffer(received, align);
        let at = 0;
        for (const chunk of chunks) at += chunk.copy(body, at);
        finish(null, body);
      }
    };
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new Error('The client aborted the request'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
  });
}
