// Dense linear algebra on Float64Array, written for V8: 4×4 register blocks keep 16 sums in
// locals, so each step of the inner loop loads 8 values for 16 multiply-adds. Float64 is faster
// than Float32 here (JS arithmetic is double; Float32 loads and stores convert).

/**
 * C[m·cs + n] = (or +=) Σ_k A[m·am + k·ak] · B[k·bk + n·bn], for m < M, n < N, k < K.
 * Strides make one routine serve X·W (forward), Xᵀ·Δ (weight gradients) and Δ·Wᵀ (back-propagation).
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  am: number,
  ak: number,
  B: Float64Array,
  bk: number,
  bn: number,
  C: Float64Array,
  cs: number,
  accumulate: boolean,
): void {
  const am2 = 2 * am;
  const am3 = 3 * am;
  const bn2 = 2 * bn;
  const bn3 = 3 * bn;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let a = m * am;
      let b = n * bn;
      for (let k = 0; k < K; k++) {
        const a0 = A[a] as number;
        const a1 = A[a + am] as number;
        const a2 = A[a + am2] as number;
        const a3 = A[a + am3] as number;
        const b0 = B[b] as number;
        const b1 = B[b + bn] as number;
        const b2 = B[b + bn2] as number;
        const b3 = B[b + bn3] as number;
        a += ak;
        b += bk;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      const c = m * cs + n;
      store4(C, c, c00, c01, c02, c03, accumulate);
      store4(C, c + cs, c10, c11, c12, c13, accumulate);
      store4(C, c + 2 * cs, c20, c21, c22, c23, accumulate);
      store4(C, c + 3 * cs, c30, c31, c32, c33, accumulate);
    }
    for (; n < N; n++) {
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0;
      let a = m * am;
      let b = n * bn;
      for (let k = 0; k < K; k++) {
        const bv = B[b] as number;
        c0 += (A[a] as number) * bv;
        c1 += (A[a + am] as number) * bv;
        c2 += (A[a + am2] as number) * bv;
        c3 += (A[a + am3] as number) * bv;
        a += ak;
        b += bk;
      }
      const c = m * cs + n;
      if (accumulate) {
        C[c] = (C[c] as number) + c0;
        C[c + cs] = (C[c + cs] as number) + c1;
        C[c + 2 * cs] = (C[c + 2 * cs] as number) + c2;
        C[c + 3 * cs] = (C[c + 3 * cs] as number) + c3;
      } else {
        C[c] = c0;
        C[c + cs] = c1;
        C[c + 2 * cs] = c2;
        C[c + 3 * cs] = c3;
      }
    }
  }
  for (; m < M; m++) {
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0;
      let a = m * am;
      let b = n * bn;
      for (let k = 0; k < K; k++) {
        const av = A[a] as number;
        c0 += av * (B[b] as number);
        c1 += av * (B[b + bn] as number);
        c2 += av * (B[b + bn2] as number);
        c3 += av * (B[b + bn3] as number);
        a += ak;
        b += bk;
      }
      store4(C, m * cs + n, c0, c1, c2, c3, accumulate);
    }
    for (; n < N; n++) {
      let sum = 0;
      let a = m * am;
      let b = n * bn;
      for (let k = 0; k < K; k++) {
        sum += (A[a] as number) * (B[b] as number);
        a += ak;
        b += bk;
      }
      const c = m * cs + n;
      C[c] = accumulate ? (C[c] as number) + sum : sum;
    }
  }
}

function store4(
  C: Float64Array,
  c: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
  accumulate: boolean,
): void {
  if (accumulate) {
    C[c] = (C[c] as number) + v0;
    C[c + 1] = (C[c + 1] as number) + v1;
    C[c + 2] = (C[c + 2] as number) + v2;
    C[c + 3] = (C[c + 3] as number) + v3;
  } else {
    C[c] = v0;
    C[c + 1] = v1;
    C[c + 2] = v2;
    C[c + 3] = v3;
  }
}

/** Y[r, o] += bias[o] for r < R. */
export function addBias(Y: Float64Array, R: number, O: number, bias: Float64Array): void {
  for (let r = 0, y = 0; r < R; r++, y += O) {
    for (let o = 0; o < O; o++) Y[y + o] = (Y[y + o] as number) + (bias[o] as number);
  }
}

/** In place: v = max(v, 0) on the first `count` values. */
export function relu(values: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) if ((values[i] as number) < 0) values[i] = 0;
}

/** In place: delta = 0 where the ReLU output was 0 (its input was not positive). */
export function reluBackward(delta: Float64Array, activation: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) if ((activation[i] as number) <= 0) delta[i] = 0;
}

/** sums[o] += Σ_r D[r, o]. */
export function addColumnSums(sums: Float64Array, D: Float64Array, R: number, O: number): void {
  for (let r = 0, d = 0; r < R; r++, d += O) {
    for (let o = 0; o < O; o++) sums[o] = (sums[o] as number) + (D[d + o] as number);
  }
}

/**
 * dW[i] += Σ_r X[r, i] · d[r]: the weight gradient of a layer with one output, in one pass over
 * the rows, four at a time (the general gemm would stride down columns once per block of four).
 */
export function addWeightedRows(
  R: number,
  I: number,
  X: Float64Array,
  d: Float64Array,
  dW: Float64Array,
): void {
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const d0 = d[r] as number;
    const d1 = d[r + 1] as number;
    const d2 = d[r + 2] as number;
    const d3 = d[r + 3] as number;
    const x0 = r * I;
    const x1 = x0 + I;
    const x2 = x1 + I;
    const x3 = x2 + I;
    for (let i = 0; i < I; i++) {
      dW[i] =
        (dW[i] as number) +
        d0 * (X[x0 + i] as number) +
        d1 * (X[x1 + i] as number) +
        d2 * (X[x2 + i] as number) +
        d3 * (X[x3 + i] as number);
    }
  }
  for (; r < R; r++) {
    const dr = d[r] as number;
    const x = r * I;
    for (let i = 0; i < I; i++) dW[i] = (dW[i] as number) + dr * (X[x + i] as number);
  }
}

/** Y[r, i] = d[r] · w[i]: back-propagation through a layer with one output. */
export function outerProduct(
  R: number,
  I: number,
  d: Float64Array,
  w: Float64Array,
  Y: Float64Array,
): void {
  for (let r = 0, y = 0; r < R; r++, y += I) {
    const dr = d[r] as number;
    for (let i = 0; i < I; i++) Y[y + i] = dr * (w[i] as number);
  }
}

/** out[r] = X[r]·w + b for r < R: the forward pass of a layer with one output, four rows at a time. */
export function matVec(
  R: number,
  I: number,
  X: Float64Array,
  w: Float64Array,
  b: number,
  out: Float64Array,
): void {
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    let z0 = b,
      z1 = b,
      z2 = b,
      z3 = b;
    const x0 = r * I;
    const x1 = x0 + I;
    const x2 = x1 + I;
    const x3 = x2 + I;
    for (let i = 0; i < I; i++) {
      const wi = w[i] as number;
      z0 += (X[x0 + i] as number) * wi;
      z1 += (X[x1 + i] as number) * wi;
      z2 += (X[x2 + i] as number) * wi;
      z3 += (X[x3 + i] as number) * wi;
    }
    out[r] = z0;
    out[r + 1] = z1;
    out[r + 2] = z2;
    out[r + 3] = z3;
  }
  for (; r < R; r++) {
    let z = b;
    for (let i = 0, x = r * I; i < I; i++) z += (X[x + i] as number) * (w[i] as number);
    out[r] = z;
  }
}

/**
 * The training step of a linear regression on the first R − R mod 4 of R rows, in one pass four
 * rows at a time (each row is re-read for the gradient while still in L1, no prediction or delta
 * goes through memory): e_r = X[r]·w + b − T[t + r] into residuals[r], and
 * dW += scale · Σ_r e_r · X[r]. Returns the number of rows done; {@link squaredErrorRows} does the
 * rest. Written for V8's register allocator: one row offset plus fixed strides, the loss sums left
 * to {@link residualSums} and the remainder to another function, since each further value live
 * across the inner loops made V8 spill inside them (measured 1.5–2× slower).
 */
export function squaredErrorStep(
  R: number,
  I: number,
  X: Float64Array,
  w: Float64Array,
  b: number,
  T: Float64Array,
  t: number,
  scale: number,
  dW: Float64Array,
  residuals: Float64Array,
): number {
  const I2 = 2 * I;
  const I3 = 3 * I;
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    let z0 = b,
      z1 = b,
      z2 = b,
      z3 = b;
    const x0 = r * I;
    for (let i = 0, x = x0; i < I; i++, x++) {
      const wi = w[i] as number;
      z0 += (X[x] as number) * wi;
      z1 += (X[x + I] as number) * wi;
      z2 += (X[x + I2] as number) * wi;
      z3 += (X[x + I3] as number) * wi;
    }
    const u = t + r;
    const e0 = z0 - (T[u] as number);
    const e1 = z1 - (T[u + 1] as number);
    const e2 = z2 - (T[u + 2] as number);
    const e3 = z3 - (T[u + 3] as number);
    residuals[r] = e0;
    residuals[r + 1] = e1;
    residuals[r + 2] = e2;
    residuals[r + 3] = e3;
    const d0 = e0 * scale;
    const d1 = e1 * scale;
    const d2 = e2 * scale;
    const d3 = e3 * scale;
    for (let i = 0, x = x0; i < I; i++, x++) {
      dW[i] =
        (dW[i] as number) +
        (d0 * (X[x] as number) +
          d1 * (X[x + I] as number) +
          d2 * (X[x + I2] as number) +
          d3 * (X[x + I3] as number));
    }
  }
  return r;
}

/** {@link squaredErrorStep} one row at a time, for rows [from, to). */
export function squaredErrorRows(
  from: number,
  to: number,
  I: number,
  X: Float64Array,
  w: Float64Array,
  b: number,
  T: Float64Array,
  t: number,
  scale: number,
  dW: Float64Array,
  residuals: Float64Array,
): void {
  for (let r = from; r < to; r++) {
    const x = r * I;
    let z = b;
    for (let i = 0; i < I; i++) z += (X[x + i] as number) * (w[i] as number);
    const e = z - (T[t + r] as number);
    residuals[r] = e;
    const d = e * scale;
    for (let i = 0; i < I; i++) dW[i] = (dW[i] as number) + d * (X[x + i] as number);
  }
}

/** sums[0..2] += Σe, Σe², Σ|e| over residuals[0..R). */
export function residualSums(residuals: Float64Array, R: number, sums: Float64Array): void {
  let sum = 0;
  let squares = 0;
  let abs = 0;
  for (let r = 0; r < R; r++) {
    const e = residuals[r] as number;
    sum += e;
    squares += e * e;
    abs += Math.abs(e);
  }
  sums[0] = (sums[0] as number) + sum;
  sums[1] = (sums[1] as number) + squares;
  sums[2] = (sums[2] as number) + abs;
}
