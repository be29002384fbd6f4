import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issuePredictionId, predictionIdKind } from '../predictions/prediction-id';
import { parseFeedbackItems } from './feedback-items';
import { checkActual, MAX_ACTUAL_LABEL_LENGTH } from './feedback-values';

describe('prediction ids', () => {
  const workspace = randomUUID();
  const other = randomUUID();

  it('say whether they were logged, for their own workspace only', () => {
    for (let i = 0; i < 200; i += 1) {
      const logged = issuePredictionId(workspace, true);
      const unlogged = issuePredictionId(workspace, false);
      expect(logged).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(predictionIdKind(logged, workspace)).toBe('logged');
      expect(predictionIdKind(unlogged, workspace)).toBe('unlogged');
      expect(predictionIdKind(logged.toUpperCase(), workspace.toUpperCase())).toBe('logged');
      expect(predictionIdKind(logged, other)).toBe('unknown');
      expect(predictionIdKind(unlogged, other)).toBe('unknown');
    }
  });

  it('read as unknown when made up or altered', () => {
    expect(predictionIdKind(randomUUID(), workspace)).toBe('unknown');
    expect(predictionIdKind('not-an-id', workspace)).toBe('unknown');
    const id = issuePredictionId(workspace, false);
    // Flipping the flag (byte 8) without the check: unknown, not "logged".
    const hex = id.replace(/-/g, '');
    const flipped = (parseInt(hex.slice(16, 18), 16) ^ 0x20).toString(16).padStart(2, '0');
    const forged = `${hex.slice(0, 16)}${flipped}${hex.slice(18)}`;
    const uuid = `${forged.slice(0, 8)}-${forged.slice(8, 12)}-${forged.slice(12, 16)}-${forged.slice(16, 20)}-${forged.slice(20)}`;
    expect(predictionIdKind(uuid, workspace)).toBe('unknown');
  });

  it('carry the documented check: SHA-256 of the domain, the first ten bytes and the workspace', () => {
    // An independent computation of the layout (the one every issued id, logged or not, carries),
    // across several refills of the id module's random pool.
    const oracle = (id: string, ws: string) => {
      const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
      const digest = createHash('sha256')
        .update('maas-prediction-id\u0000')
        .update(bytes.subarray(0, 10))
        .update(ws.toLowerCase())
        .digest();
      return digest.subarray(0, 6).equals(bytes.subarray(10));
    };
    for (let i = 0; i < 1000; i += 1) {
      const id = issuePredictionId(workspace, i % 2 === 0);
      expect(oracle(id, workspace)).toBe(true);
      expect(oracle(id, other)).toBe(false);
    }
  });

  it('are distinct', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => issuePredictionId(workspace, true)));
    expect(ids.size).toBe(10_000);
  });
});

describe('checkActual', () => {
  it('takes a finite number for regression, and nothing else', () => {
    expect(checkActual(1.5, 'REGRESSION', null)).toEqual({ ok: true, value: 1.5 });
    expect(checkActual(-0, 'REGRESSION', null)).toEqual({ ok: true, value: -0 });
    for (const bad of ['1.5', true, null, undefined, [1], { a: 1 }, Number.NaN, Infinity])
      expect(checkActual(bad, 'REGRESSION', null).ok, JSON.stringify(bad)).toBe(false);
  });

  it("takes one of a classifier's labels, stored as the label", () => {
    const labels = ['0', '1'];
    expect(checkActual('1', 'BINARY_CLASSIFICATION', labels)).toEqual({ ok: true, value: '1' });
    expect(checkActual(1, 'BINARY_CLASSIFICATION', labels)).toEqual({ ok: true, value: '1' });
    expect(checkActual(2, 'BINARY_CLASSIFICATION', labels).ok).toBe(false);
    const many = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const refused = checkActual('zz', 'MULTICLASS_CLASSIFICATION', many);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.message).toMatch(/c19, … \(30 labels\)/);
  });

  it('takes a short label or a class index when the labels are unknown', () => {
    expect(checkActual('cat', 'MULTICLASS_CLASSIFICATION', null).ok).toBe(true);
    expect(checkActual(3, 'MULTICLASS_CLASSIFICATION', undefined).ok).toBe(true);
    expect(checkActual(0.5, 'MULTICLASS_CLASSIFICATION', null).ok).toBe(false);
  });

  it('bounds strings and refuses what PostgreSQL cannot store', () => {
    expect(checkActual('x'.repeat(MAX_ACTUAL_LABEL_LENGTH), 'OTHER', null).ok).toBe(true);
    expect(checkActual('x'.repeat(MAX_ACTUAL_LABEL_LENGTH + 1), 'OTHER', null).ok).toBe(false);
    expect(checkActual('', 'OTHER', null).ok).toBe(false);
    expect(checkActual('a\u0000b', 'OTHER', null).ok).toBe(false);
    expect(checkActual('a\ud800', null, null).ok).toBe(false);
    expect(checkActual(true, null, null)).toEqual({ ok: true, value: true });
  });
});

describe('parseFeedbackItems', () => {
  it('refuses, without the database, what the items and their ids say is wrong', () => {
    const workspace = randomUUID();
    const logged = issuePredictionId(workspace, true);
    const { parsed, refused } = parseFeedbackItems(
      [
        { predictionId: logged, actual: 1 },
        { predictionId: logged.toUpperCase(), record: 0, actual: 2 },
        { predictionId: logged, record: 1.5, actual: 1 },
        { predictionId: issuePredictionId(workspace, false), actual: 1 },
        { predictionId: issuePredictionId(randomUUID(), true), actual: 1 },
        { predictionId: 'nope', actual: 1 },
        null,
        { predictionId: logged, record: 1, actual: 'x' },
      ],
      workspace,
    );
    expect(parsed).toEqual([
      { index: 0, predictionId: logged, record: 0, actual: 1 },
      { index: 7, predictionId: logged, record: 1, actual: 'x' },
    ]);
    expect(refused.map((r) => [r.index, r.code, r.reason])).toEqual([
      [1, 'BAD_USER_INPUT', 'DUPLICATE'],
      [2, 'BAD_USER_INPUT', 'INVALID'],
      [3, 'NOT_FOUND', 'NOT_SAMPLED'],
      [4, 'NOT_FOUND', 'UNKNOWN'],
      [5, 'BAD_USER_INPUT', 'INVALID'],
      [6, 'BAD_USER_INPUT', 'INVALID'],
    ]);
  });
});
