// The wire between the pool and a forked pool process (`isolation: 'process'`). Node's own IPC
// channel with `serialization: 'advanced'` costs about twice a worker thread's postMessage per
// round trip (v8.serialize on both sides plus its framing); this wire is a plain pipe carrying
// frames of a JSON header and the raw bytes of every typed array in the message, which brings a
// round trip close to a thread's (packages/inference/BENCHMARKS.md, "Isolation").
//
// A frame: u32 LE total length (after these 4 bytes), u32 LE header length, the header (UTF-8
// JSON, typed arrays replaced by `{"$b":[kind, byteLength]}`), zero padding to 8 bytes, then each
// typed array's bytes, each padded to 8 bytes so that it can be viewed in place.

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

/**
 * The chunks of one frame for `message`: typed arrays travel as their bytes without a copy (the
 * chunks view them), everything else as JSON.
 */
export function encodeFrame(message: unknown): Uint8Array[] {
  const arrays: AnyTypedArray[] = [];
  const header = Buffer.from(
    JSON.stringify(message, function (this: Record<string, unknown>, key, given: unknown) {
      // `this[key]`, not `given`: a Buffer has been through its toJSON by now.
      const value = this[key];
      if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value)) {
        const kind = kindOf(value);
        if (kind < 0) throw new TypeError(`ipc-frames: unsupported view ${value.constructor.name}`);
        arrays.push(value as AnyTypedArray);
        return { $b: [kind, value.byteLength] };
      }
      if (typeof value === 'bigint')
        throw new TypeError('ipc-frames: bigint outside a typed array');
      return given;
    }),
    'utf8',
  );
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

/** Reads a frame (its bytes after the length word) back into the message. */
export function decodeFrame(frame: Buffer): unknown {
  const headerLength = frame.readUInt32LE(0);
  const header = frame.toString('utf8', 4, 4 + headerLength);
  // Offsets below are within `frame`, which starts after the 4-byte length word.
  let offset = pad8(8 + headerLength) - 4;
  return JSON.parse(header, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !('$b' in value)) return value;
    // Placeholders are revived in document order, the order their bytes were written in.
    const [kind, byteLength] = (value as { $b: [number, number] }).$b;
    const Ctor = KINDS[kind];
    if (!Ctor || byteLength % Ctor.BYTES_PER_ELEMENT !== 0 || offset + byteLength > frame.length)
      throw new Error('ipc-frames: malformed frame');
    const start = frame.byteOffset + offset;
    offset += pad8(byteLength);
    // A view in place when aligned (the usual case); else a copy.
    return start % Ctor.BYTES_PER_ELEMENT === 0
      ? new Ctor(frame.buffer as ArrayBuffer, start, byteLength / Ctor.BYTES_PER_ELEMENT)
      : new Ctor((frame.buffer as ArrayBuffer).slice(start, start + byteLength));
  });
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
