import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { serializeError } from './logger';

describe('serializeError', () => {
  it("keeps a failed query's SQLSTATE, never its parameters or the value it quotes", () => {
    const driverError = Object.assign(
      new Error('invalid input syntax for type uuid: "tenant-secret-7"'),
      { code: '22P02', detail: 'Key (x)=(tenant-secret-8)', where: 'tenant-secret-9' },
    );
    const err = new QueryFailedError(
      'INSERT INTO "prediction_log" VALUES ($1, $2)',
      ['tenant-secret-1', { input: 'tenant-secret-2' }],
      driverError,
    );
    const serialized = serializeError(err);
    const text = JSON.stringify(serialized);
    expect(text).not.toMatch(/tenant-secret/);
    expect(serialized).toMatchObject({
      message: '[22P02] invalid input syntax for type uuid',
      driverError: { code: '22P02' },
    });
    expect(serialized.stack).toMatch(/^QueryFailedError: \[22P02\] invalid input syntax/);
  });

  it('leaves other errors as pino writes them', () => {
    const serialized = serializeError(new Error('plain: message'));
    expect(serialized.message).toBe('plain: message');
    expect(serialized.stack).toMatch(/plain: message/);
  });
});
