import { matVec, residualSums, squaredErrorRows, squaredErrorStep } from './kernels';
import { Network } from './network';
import { SeededRandom } from './random';

function randomArray(random: SeededRandom, length: number): Float64Array {
  return Float64Array.from({ length }, () => random.nextNormal());
}

describe('one-output kernels', () => {
  const random = new SeededRandom(7);
  // 11 rows: two blocks of four and three rows left over.
  const R = 11;
  const I = 6;
  const X = randomArray(random, R * I);
  const w = randomArray(random, I);
  const T = randomArray(random, R + 3);
  const b = 0.25;
  const dot = (r: number): number => {
    let z = b;
    for (let i = 0; i < I; i++) z += (X[r * I + i] as number) * (w[i] as number);
    return z;
  };

  it('matVec gives X·w + b for every row', () => {
    const out = new Float64Array(R);
    matVec(R, I, X, w, b, out);
    for (let r = 0; r < R; r++) expect(out[r]).toBeCloseTo(dot(r), 12);
  });

  it('squaredErrorStep and squaredErrorRows give the residuals and the gradient Σ scale·e·x, added to dW', () => {
    const residuals = new Float64Array(R);
    const dW = new Float64Array(I).fill(1);
    const done = squaredErrorStep(R, I, X, w, b, T, 3, 0.5, dW, residuals);
    expect(done).toBe(8);
    squaredErrorRows(done, R, I, X, w, b, T, 3, 0.5, dW, residuals);
    const expected = new Float64Array(I).fill(1);
    for (let r = 0; r < R; r++) {
      const e = dot(r) - (T[3 + r] as number);
      expect(residuals[r]).toBeCloseTo(e, 12);
      for (let i = 0; i < I; i++)
        expected[i] = (expected[i] as number) + 0.5 * e * (X[r * I + i] as number);
    }
    for (let i = 0; i < I; i++) expect(dW[i]).toBeCloseTo(expected[i] as number, 12);
    const sums = new Float64Array([1, 2, 3]);
    residualSums(residuals, R, sums);
    let sum = 0;
    let squares = 0;
    let abs = 0;
    for (const e of residuals) {
      sum += e;
      squares += e * e;
      abs += Math.abs(e);
    }
    expect(sums[0]).toBeCloseTo(1 + sum, 12);
    expect(sums[1]).toBeCloseTo(2 + squares, 12);
    expect(sums[2]).toBeCloseTo(3 + abs, 12);
  });

  it("Network.squaredErrorStep matches forward + backward with the squared error's delta", () => {
    const network = new Network([I, 1], Float64Array.from([...w, b]));
    expect(network.isSingleUnit).toBe(true);
    expect(new Network([I, 3, 1]).isSingleUnit).toBe(false);
    const gradientScale = 1 / R;
    const fused = new Float64Array(I + 1);
    const sums = new Float64Array(2);
    // Targets line up with the input rows: rows [0, R) of X against T[0..R).
    network.squaredErrorStep(X, T, 0, R, gradientScale, fused, sums);

    const reference = new Float64Array(I + 1);
    const outputs = network.forward(X, R);
    const delta = network.outputDelta();
    let squares = 0;
    for (let r = 0; r < R; r++) {
      const e = (outputs[r] as number) - (T[r] as number);
      squares += e * e;
      delta[r] = 2 * e * gradientScale;
    }
    network.backward(X, R, reference);
    for (let k = 0; k <= I; k++) expect(fused[k]).toBeCloseTo(reference[k] as number, 12);
    expect(sums[0]).toBeCloseTo(squares, 12);
  });
});
