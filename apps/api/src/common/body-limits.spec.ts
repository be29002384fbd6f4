import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBodyWithin } from './body-limits';

const LIMIT = { bytes: 1_000_000, variable: 'TEST_LIMIT' };

describe('readBodyWithin', () => {
  it('puts byte `alignAt` on an 8-byte boundary, with and without a Content-Length', async () => {
    const body = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    for (const alignAt of [1, 3, 8, 13, 99]) {
      for (const headers of [{ 'content-length': '100' }, {}]) {
        const stream = Readable.from([body.subarray(0, 37), body.subarray(37)]);
        const read = await readBodyWithin(stream, headers, LIMIT, alignAt);
        expect(read.equals(body)).toBe(true);
        expect((read.byteOffset + alignAt) % 8).toBe(0);
      }
    }
  });

  it('refuses a body over its limit with 413, declared or counted', async () => {
    const stream = () => Readable.from([Buffer.alloc(600_000), Buffer.alloc(600_000)]);
    await expect(
      readBodyWithin(stream(), { 'content-length': '1200000' }, LIMIT, 5),
    ).rejects.toMatchObject({ httpStatus: 413 });
    await expect(readBodyWithin(stream(), {}, LIMIT, 5)).rejects.toMatchObject({
      httpStatus: 413,
    });
  });
});
