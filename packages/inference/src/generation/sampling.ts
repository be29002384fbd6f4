// Token sampling: pure functions shared by the pool member that runs the decode loop (which picks
// each token) and the main thread (which draws the random numbers from each request's own PRNG).

/** How one sequence picks its next token. `temperature` 0 is greedy (argmax). */
export interface SamplingParams {
  temperature: number;
  /** Keep only the k most likely tokens; 0 disables. */
  topK: number;
  /** Keep the smallest set of most likely tokens whose probability reaches this; 1 disables. */
  topP: number;
}

/**
 * A small, fast, seedable PRNG (sfc32, seeded through splitmix32), one per request: a request's
 * draws do not depend on what else runs in its batch, so a seeded request samples the same tokens
 * alone or among others.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // Both halves of a safe integer count, so seeds 1 and 2**32 + 1 differ.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform number in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 2 ** 32;
  }
}

/** The index of the largest value (the first one on a tie). */
export function argmax(logits: ArrayLike<number>, offset = 0, length = logits.length): number {
  let best = 0;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = logits[offset + i] as number;
    if (v > max) {
      max = v;
      best = i;
    }
  }
  return best;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
function topIndices(
  logits: ArrayLike<number>,
  offset: number,
  length: number,
  k: number,
): number[] {
  // A min-heap of the best k seen so far: O(V log k).
  const heap: number[] = [];
  const value = (i: number) => logits[offset + i] as number;
  const worse = (x: number, y: number) => value(x) < value(y) || (value(x) === value(y) && x > y);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < heap.length && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  for (let i = 0; i < length; i++) {
    if (heap.length < k) {
      heap.push(i);
      for (let j = heap.length - 1; j > 0; ) {
        const p = (j - 1) >> 1;
        if (!worse(heap[j] as number, heap[p] as number)) break;
        [heap[j], heap[p]] = [heap[p] as number, heap[j] as number];
        j = p;
      }
    } else if (worse(heap[0] as number, i)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((x, y) => (worse(x, y) ? 1 : worse(y, x) ? -1 : 0));
}

/**
 * Picks a token from one row of logits with `u`, a uniform number in [0, 1) the caller drew from
 * the request's PRNG. Temperature 0: argmax. Otherwise softmax(logits / temperature), cut to the
 * top k and then to the top-p nucleus (most likely first), renormalised; `u` walks the cumulative
 * distribution. With neither cut the walk is in vocabulary order (no sort: O(V)).
 */
export function sampleToken(
  logits: ArrayLike<number>,
  offset: number,
  vocab: number,
  params: SamplingParams,
  u: number,
): number {
  if (params.temperature <= 0) return argmax(logits, offset, vocab);
  const inv = 1 / params.temperature;
  const topK = params.topK > 0 && params.topK < vocab ? Math.floor(params.topK) : 0;
  const topP = params.topP > 0 && params.topP < 1 ? params.topP : 1;
  if (topK === 0 && topP === 1) {
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] as number);
    const weights = new Float64Array(vocab);
    let sum = 0;
    for (let i = 0; i < vocab; i++) {
      const w = Math.exp(((logits[offset + i] as number) - max) * inv);
      weights[i] = w;
      sum += w;
    }
    let target = u * sum;
    for (let i = 0; i < vocab; i++) {
      target -= weights[i] as number;
      if (target < 0) return i;
    }
    return argmax(logits, offset, vocab);
  }
  const candidates =
    topK > 0
      ? topIndices(logits, offset, vocab, topK)
      : Array.from({ length: vocab }, (_, i) => i).sort(
          (x, y) => (logits[offset + y] as number) - (logits[offset + x] as number) || x - y,
        );
  const max = logits[offset + (candidates[0] as number)] as number;
  const weights = candidates.map((i) => Math.exp(((logits[offset + i] as number) - max) * inv));
  let total = 0;
  for (const w of weights) total += w;
  let keep = weights.length;
  if (topP < 1) {
    let cumulative = 0;
    for (let j = 0; j < weights.length; j++) {
      cumulative += (weights[j] as number) / total;
      if (cumulative >= topP) {
        keep = j + 1;
        break;
      }
    }
  }
  let kept = 0;
  for (let j = 0; j < keep; j++) kept += weights[j] as number;
  let target = u * kept;
  for (let j = 0; j < keep; j++) {
    target -= weights[j] as number;
    if (target < 0) return candidates[j] as number;
  }
  return candidates[0] as number;
}
