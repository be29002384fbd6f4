import { decodeFrame, encodeFrame, FrameReader } from './ipc-frames';

function bytesOf(chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

describe('ipc-frames', () => {
  const message = {
    op: 'run',
    seq: 7,
    versionId: 'v',
    feeds: {
      a: { datatype: 'FP32', shape: [1, 3], data: new Float32Array([1.5, -2, Number.NaN]) },
      b: {
        datatype: 'INT64',
        shape: [2],
        data: new BigInt64Array([-(2n ** 62n), 9007199254740993n]),
      },
      c: { datatype: 'BYTES', shape: [2], data: ['x', 'é'] },
      d: { datatype: 'UINT8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      e: { datatype: 'FP64', shape: [1], data: new Float64Array([Math.PI]) },
      f: { datatype: 'UINT8', shape: [2], data: Buffer.from([4, 5]) },
    },
    fetches: ['y'],
  };

  it('carries typed arrays as their bytes and the rest as JSON', () => {
    const frame = bytesOf(encodeFrame(message));
    expect(frame.readUInt32LE(0)).toBe(frame.length - 4);
    const back = decodeFrame(frame.subarray(4)) as typeof message;
    expect(back.op).toBe('run');
    expect(back.feeds.a.data).toBeInstanceOf(Float32Array);
    expect([...back.feeds.a.data].slice(0, 2)).toEqual([1.5, -2]);
    expect(Number.isNaN(back.feeds.a.data[2])).toBe(true);
    expect(back.feeds.b.data).toEqual(new BigInt64Array([-(2n ** 62n), 9007199254740993n]));
    expect(back.feeds.c.data).toEqual(['x', 'é']);
    expect(back.feeds.d.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(back.feeds.e.data[0]).toBe(Math.PI);
    expect([...back.feeds.f.data]).toEqual([4, 5]);
  });

  it('sends a view of part of a buffer as that part only', () => {
    const big = new Float32Array([9, 8, 7, 6]);
    const frame = bytesOf(encodeFrame({ data: big.subarray(1, 3) }));
    expect((decodeFrame(frame.subarray(4)) as { data: Float32Array }).data).toEqual(
      new Float32Array([8, 7]),
    );
  });

  it('cuts a stream into frames whatever the read sizes, aligned or not', () => {
    const stream = Buffer.concat([
      bytesOf(encodeFrame(message)),
      bytesOf(encodeFrame({ seq: 8, ok: true, value: 3 })),
      bytesOf(encodeFrame(message)),
    ]);
    for (const step of [1, 3, 5, 64, stream.length]) {
      const got: unknown[] = [];
      const reader = new FrameReader((m) => got.push(m));
      // Copies at odd offsets, so typed arrays cannot always be viewed in place.
      for (let i = 0; i < stream.length; i += step) {
        const piece = Buffer.alloc(Math.min(step, stream.length - i) + 1).subarray(1);
        stream.copy(piece, 0, i, i + piece.length);
        reader.push(piece);
      }
      expect(got).toHaveLength(3);
      expect((got[1] as { value: number }).value).toBe(3);
      expect((got[2] as typeof message).feeds.b.data[1]).toBe(9007199254740993n);
      expect([...(got[0] as typeof message).feeds.a.data].slice(0, 2)).toEqual([1.5, -2]);
    }
  });

  it('refuses a bigint outside a typed array and a frame whose arrays overrun it', () => {
    expect(() => encodeFrame({ n: 1n })).toThrow(/bigint/);
    const frame = bytesOf(encodeFrame({ data: new Float32Array(4) }));
    expect(() => decodeFrame(frame.subarray(4, frame.length - 8))).toThrow(/malformed/);
  });
});
