import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

// A protobuf wire-format walker over bytes in memory or a file read in small positional chunks.
// Fields are visited one by one; what a visitor does not read is skipped by its length, without
// reading it, so large payloads (tensor data) cost neither memory nor I/O.

/** Protobuf wire types. */
export const Wire = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Malformed protobuf: a varint too long, a length past its message's end, a bad wire type… */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/** Random access to the bytes being walked. */
export interface ByteSource {
  readonly length: number;
  /** The byte at `pos` (`0 <= pos < length`). */
  byteAt(pos: number): number;
  /** The `length` bytes at `pos`, decoded as UTF-8. */
  utf8(pos: number, length: number): string;
}

/** A source over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    length: buffer.length,
    byteAt: (pos) => buffer[pos] as number,
    utf8: (pos, length) => buffer.toString('utf8', pos, pos + length),
  };
}

const WINDOW_BYTES = 64 * 1024;
const MAX_GROUP_DEPTH = 64;

/** A source over an open file, read through one small window with positional reads. */
export class FileSource implements ByteSource {
  readonly length: number;
  private readonly window = Buffer.allocUnsafe(WINDOW_BYTES);
  private windowStart = 0;
  private windowEnd = 0;

  private constructor(private readonly fd: number) {
    this.length = fstatSync(fd).size;
  }

  /** Opens `path`, hands the source to `use`, and closes the file whatever happens. */
  static use<T>(path: string, use: (source: FileSource) => T): T {
    const fd = openSync(path, 'r');
    try {
      return use(new FileSource(fd));
    } finally {
      closeSync(fd);
    }
  }

  byteAt(pos: number): number {
    if (pos < this.windowStart || pos >= this.windowEnd) {
      const read = readSync(this.fd, this.window, 0, WINDOW_BYTES, pos);
      this.windowStart = pos;
      this.windowEnd = pos + read;
      if (read === 0) throw new WireFormatError(`the file ended early at offset ${pos}`);
    }
    return this.window[pos - this.windowStart] as number;
  }

  utf8(pos: number, length: number): string {
    if (pos >= this.windowStart && pos + length <= this.windowEnd) {
      const start = pos - this.windowStart;
      return this.window.toString('utf8', start, start + length);
    }
    const bytes = Buffer.allocUnsafe(length);
    const read = readSync(this.fd, bytes, 0, length, pos);
    if (read !== length) throw new WireFormatError(`the file ended early at offset ${pos + read}`);
    return bytes.toString('utf8');
  }
}

/**
 * Called for each field of a message whose bytes end at `end`; reads the value with the reader's
 * `int64`/`string`/`message` methods (passing `end`) and returns true, or returns false to have
 * the value skipped.
 */
export type FieldVisitor = (field: number, wire: number, end: number) => boolean;

/** Walks protobuf messages in a {@link ByteSource}. */
export class WireReader {
  pos = 0;
  constructor(readonly source: ByteSource) {}

  private byte(): number {
    if (this.pos >= this.source.length)
      throw new WireFormatError(`truncated message at offset ${this.pos}`);
    return this.source.byteAt(this.pos++);
  }

  /** An unsigned varint as a number (exact below 2^53, which every length and tag is). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new WireFormatError(`invalid varint encoding at offset ${this.pos}`);
  }

  /** A varint as an int64 (two's complement), converted to a number (exact up to 2^53). */
  int64(): number {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return Number(BigInt.asIntN(64, value));
    }
    throw new WireFormatError(`invalid varint encoding at offset ${this.pos}`);
  }

  /** A varint as an int32 (protobuf `int32`/enum: the low 32 bits, signed). */
  int32(): number {
    return Number(BigInt.asIntN(32, BigInt(this.int64())));
  }

  /** A length prefix, checked against the end of the enclosing message. */
  length(end: number): number {
    const length = this.varint();
    if (length > end - this.pos)
      throw new WireFormatError(`length ${length} at offset ${this.pos} runs past its message`);
    return length;
  }

  /** A length-delimited UTF-8 string. */
  string(end: number): string {
    const length = this.length(end);
    const value = this.source.utf8(this.pos, length);
    this.pos += length;
    return value;
  }

  /** An embedded message: `visit` sees each of its fields; unread ones are skipped. */
  message(end: number, visit: FieldVisitor): void {
    const length = this.length(end);
    this.fields(this.pos + length, visit);
  }

  /** The fields from the current position up to `end`, each visited or skipped. */
  fields(end: number, visit: FieldVisitor): void {
    while (this.pos < end) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0 || field > 0x1fffffff)
        throw new WireFormatError(`invalid field number ${field} at offset ${this.pos}`);
      if (!visit(field, wire, end)) this.skip(wire, field, end);
      if (this.pos > end)
        throw new WireFormatError(`field ${field} at offset ${this.pos} runs past its message`);
    }
  }

  /** Skips one value of wire type `wire` (a group up to its matching end). */
  skip(wire: number, field: number, end: number, depth = 0): void {
    switch (wire) {
      case Wire.VARINT:
        this.varint();
        return;
      case Wire.I64:
        this.advance(8, end);
        return;
      case Wire.LEN:
        this.advance(this.length(end), end);
        return;
      case Wire.I32:
        this.advance(4, end);
        return;
      case Wire.SGROUP:
        if (depth >= MAX_GROUP_DEPTH)
          throw new WireFormatError(`groups nested deeper than ${MAX_GROUP_DEPTH} levels`);
        for (;;) {
          if (this.pos >= end) throw new WireFormatError(`unterminated group ${field}`);
          const tag = this.varint();
          if (tag % 8 === Wire.EGROUP) {
            if (Math.floor(tag / 8) !== field)
              throw new WireFormatError(`mismatched end of group ${field} at offset ${this.pos}`);
            return;
          }
          this.skip(tag % 8, Math.floor(tag / 8), end, depth + 1);
        }
      default:
        throw new WireFormatError(`invalid wire type ${wire} at offset ${this.pos}`);
    }
  }

  private advance(count: number, end: number): void {
    if (count > end - this.pos)
      throw new WireFormatError(`truncated message at offset ${this.pos}`);
    this.pos += count;
  }
}
