import { createHash } from 'node:crypto';
import type { ArtifactLoader, DecodedTensor, VersionKey } from '@maas/inference';

/** An in-memory artifact store for tests: register bytes under a version id, load them back. */
export class MemoryArtifacts {
  private readonly byId = new Map<string, Uint8Array>();
  loads = 0;

  add(id: string, bytes: Uint8Array): VersionKey {
    this.byId.set(id, bytes);
    return { id, sha256: sha256(bytes) };
  }

  loader: ArtifactLoader = (key) => {
    this.loads++;
    const bytes = this.byId.get(key.id);
    return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`no artifact for ${key.id}`));
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function fp32(rows: readonly (readonly number[])[]): DecodedTensor {
  return {
    datatype: 'FP32',
    shape: [rows.length, rows[0]?.length ?? 0],
    data: Float32Array.from(rows.flat()),
  };
}

/** Rows of a [N, F] FP32 tensor as nested arrays of numbers. */
export function rowsOf(t: DecodedTensor | undefined): number[][] {
  if (!t) throw new Error('missing output');
  const [n = 0, f = 1] = t.shape;
  const data = Array.from(t.data as Float32Array);
  return Array.from({ length: n }, (_, i) => data.slice(i * f, (i + 1) * f));
}

export function expectClose(actual: number[][], expected: number[][], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i] ?? [];
    expect(row.length).toBe(want.length);
    row.forEach((v, j) => {
      const w = want[j] ?? NaN;
      if (Math.abs(v - w) > tolerance * Math.max(1, Math.abs(w))) {
        throw new Error(`row ${i} column ${j}: got ${v}, expected ${w}`);
      }
    });
  });
}
