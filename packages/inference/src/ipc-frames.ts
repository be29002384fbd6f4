// The wire between the pool and a forked pool process (`isolation: 'process'`). Node's own IPC
// channel with `serialization: 'advanced'` costs about twice a worker thread's postMessage per
// round trip (v8.serialize on both sides plus its framing); this wire is a plain pipe carrying
// frames of a JSON header and the raw bytes of every typed array in the message, which brings a
// round trip close to a thread's (apps/api/BENCHMARKS.md, "Isolation and the hardening").
//
// A frame: u32 LE total length (after these 4 bytes), u32 LE header length, the header (UTF-8
// JSON: `[message, placements]`, each typed array replaced by null and its place listed as
// `[...keys, kind, byteLength]`), zero padding to 8 bytes, then each typed array's bytes, each
// padded to 8 bytes so that it can be viewed in place.

import type { Writable } from 'node:stream';

const KINDS = [
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
] as const;
type Kind = (typeof KINDS)[number];
type AnyTypedArray = InstanceType<Kind>;

/** The length word is 32 bits: a message (a model's bytes in a `load`) must fit in 4 GiB. */
const MAX_FRAME_BYTES = 0xffffffff;

const pad8 = (n: number) => (n + 7) & ~7;
const ZEROS = new Uint8Array(8);

function kindOf(view: ArrayBufferView): number {
  for (let i = 0; i < KINDS.length; i++) if (view instanceof (KINDS[i] as Kind)) return i;
  return -1;
}

/** A typed array's place in the message: the keys leading to it, then its kind and byte length. */
type Placement = [...(string | number)[], number, number];

/**
 * A copy of `value` with every typed array replaced by `null` (its place recorded in `found`), so
 * that the header goes through JSON.stringify's fast path: a replacer function there costs a call
 * per key, and a reviver in JSON.parse the same, several microseconds a message on each side.
 */
function strip(
  value: unknown,
  path: (string | number)[],
  arrays: AnyTypedArray[],
  found: Placement[],
): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'bigint') throw new TypeError('ipc-frames: bigint outside a typed array');
    return value;
  }
  if (ArrayBuffer.isView(value)) {
    const kind = kindOf(value);
    if (kind < 0) throw new TypeError(`ipc-frames: unsupported view ${value.constructor.name}`);
    arrays.push(value as AnyTypedArray);
    found.push([...path, kind, value.byteLength]);
    return null;
  }
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      copy[i] = strip(value[i], path, arrays, found);
      path.pop();
    }
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined || typeof field === 'function') continue;
    path.push(key);
    copy[key] = strip(field, path, arrays, found);
    path.pop();
  }
  return copy;
}

/**
 * The chunks of one frame for `message`: typed arrays travel as their bytes without a copy (the
 * chunks view them), everything else as JSON. The header is `[message with nulls, placements]`.
 */
export function encodeFrame(message: unknown): Uint8Array[] {
  const arrays: AnyTypedArray[] = [];
  const found: Placement[] = [];
  const stripped = strip(message, [], arrays, found);
  const header = Buffer.from(JSON.stringify([stripped, found]), 'utf8');
  const headerEnd = pad8(8 + header.length);
  let total = headerEnd;
  for (const a of arrays) total += pad8(a.byteLength);
  if (total - 4 > MAX_FRAME_BYTES) throw new RangeError(`ipc-frames: frame of ${total} bytes`);
  const lead = Buffer.allocUnsafe(8);
  lead.writeUInt32LE(total - 4, 0);
  lead.writeUInt32LE(header.length, 4);
  const chunks: Uint8Array[] = [lead, header];
  if (headerEnd > 8 + header.length) chunks.push(ZEROS.subarray(0, headerEnd - 8 - header.length));
  for (const a of arrays) {
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const gap = pad8(a.byteLength) - a.byteLength;
    if (gap > 0) chunks.push(ZEROS.subarray(0, gap));
  }
  return chunks;
}

/** Frames up to this size are gathered into one buffer: one stream write beats a writev of five. */
const GATHER_BYTES = 64 * 1024;

/**
 * Writes `message` as one frame on `stream`. A small frame (the usual request or reply) is copied
 * into one buffer and written once, since each `write` on a Node stream costs more than copying a
 * few hundred bytes; a large one (a model's bytes, a big tensor) goes out as its chunks, corked so
 * they leave in one writev, without copying the arrays.
 */
export function writeFrame(stream: Writable, message: unknown): void {
  const chunks = encodeFrame(message);
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  if (total <= GATHER_BYTES) {
    stream.write(Buffer.concat(chunks, total));
    return;
  }
  stream.cork();
  for (const chunk of chunks) stream.write(chunk);
  stream.uncork();
}

/** Reads a frame (its bytes after the length word) back into the message. */
export function decodeFrame(frame: Buffer): unknown {
  const malformed = () => new Error('ipc-frames: malformed frame');
  const headerLength = frame.readUInt32LE(0);
  if (4 + headerLength > frame.length) throw malformed();
  const parsed: unknown = JSON.parse(frame.toString('utf8', 4, 4 + headerLength));
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Array.isArray(parsed[1])) throw malformed();
  const root: unknown[] = [parsed[0]];
  // Offsets below are within `frame`, which starts after the 4-byte length word.
  let offset = pad8(8 + headerLength) - 4;
  // Placements are in the order the arrays' bytes were written in.
  for (const placement of parsed[1] as unknown[]) {
    if (!Array.isArray(placement) || placement.length < 2) throw malformed();
    const kind = placement[placement.length - 2] as number;
    const byteLength = placement[placement.length - 1] as number;
    const Ctor = KINDS[kind];
    if (
      !Ctor ||
      !Number.isInteger(byteLength) ||
      byteLength < 0 ||
      byteLength % Ctor.BYTES_PER_ELEMENT !== 0 ||
      offset + byteLength > frame.length
    )
      throw malformed();
    const start = frame.byteOffset + offset;
    offset += pad8(byteLength);
    // A view in place when aligned (the usual case); else a copy.
    const array =
      start % Ctor.BYTES_PER_ELEMENT === 0
        ? new Ctor(frame.buffer as ArrayBuffer, start, byteLength / Ctor.BYTES_PER_ELEMENT)
        : new Ctor((frame.buffer as ArrayBuffer).slice(start, start + byteLength));
    // Walk from the root holder down to the array's parent, then put it in its place.
    let parent: Record<string | number, unknown> = root as unknown as Record<number, unknown>;
    let key: string | number = 0;
    for (let i = 0; i < placement.length - 2; i++) {
      const next = parent[key];
      if (typeof next !== 'object' || next === null) throw malformed();
      parent = next as Record<string | number, unknown>;
      key = placement[i] as string | number;
    }
    if (parent[key] !== null) throw malformed();
    parent[key] = array;
  }
  return root[0];
}

/**
 * Cuts a byte stream into frames and hands each decoded message to `onMessage`. A frame's bytes
 * are gathered once (one copy when it spans reads, none when a read holds it whole).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly onMessage: (message: unknown) => void) {}

  push(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0] as Buffer;
      const lengthBytes = head.length >= 4 ? head : Buffer.concat(this.chunks, 4);
      const length = lengthBytes.readUInt32LE(0);
      if (this.buffered < 4 + length) return;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks, this.buffered);
      const frame = all.subarray(4, 4 + length);
      const rest = all.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.onMessage(decodeFrame(frame));
    }
  }
}
