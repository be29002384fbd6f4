import type { Hyperparameters } from '../hyperparameters';

/** Updates parameters from gradients; its state (moments, step) goes into checkpoints. */
export interface Optimizer {
  /** One update with this step's learning rate. */
  step(params: Float64Array, grads: Float64Array, learningRate: number): void;
  /** Moment vectors and step count, for a checkpoint. */
  state(): { step: number; moments: Float64Array[] };
}

/** Stochastic gradient descent, optionally with (heavy-ball) momentum. */
export class Sgd implements Optimizer {
  private readonly velocity: Float64Array;
  private steps = 0;

  constructor(
    size: number,
    private readonly momentum: number,
    saved?: { step: number; moments: Float64Array[] },
  ) {
    this.velocity = saved?.moments[0] ?? new Float64Array(momentum > 0 ? size : 0);
    this.steps = saved?.step ?? 0;
  }

  step(params: Float64Array, grads: Float64Array, learningRate: number): void {
    const lr = learningRate;
    const n = params.length;
    if (this.momentum > 0) {
      const v = this.velocity;
      const mu = this.momentum;
      for (let i = 0; i < n; i++) {
        const vi = mu * (v[i] as number) + (grads[i] as number);
        v[i] = vi;
        params[i] = (params[i] as number) - lr * vi;
      }
    } else {
      for (let i = 0; i < n; i++) params[i] = (params[i] as number) - lr * (grads[i] as number);
    }
    this.steps++;
  }

  state(): { step: number; moments: Float64Array[] } {
    return { step: this.steps, moments: [this.velocity] };
  }
}

/** Adam (Kingma & Ba) with bias correction and ε = 1e-8. */
export class Adam implements Optimizer {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private steps: number;

  constructor(
    size: number,
    private readonly beta1: number,
    private readonly beta2: number,
    saved?: { step: number; moments: Float64Array[] },
  ) {
    this.m = saved?.moments[0] ?? new Float64Array(size);
    this.v = saved?.moments[1] ?? new Float64Array(size);
    this.steps = saved?.step ?? 0;
  }

  step(params: Float64Array, grads: Float64Array, learningRate: number): void {
    this.steps++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    // Bias corrections folded into the step size and ε, as in the paper's efficient form.
    const correction1 = 1 - b1 ** this.steps;
    const correction2 = 1 - b2 ** this.steps;
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
    const epsilon = 1e-8 * Math.sqrt(correction2);
    const m = this.m;
    const v = this.v;
    const n = params.length;
    for (let i = 0; i < n; i++) {
      const g = grads[i] as number;
      const mi = b1 * (m[i] as number) + (1 - b1) * g;
      const vi = b2 * (v[i] as number) + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = (params[i] as number) - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
    }
  }

  state(): { step: number; moments: Float64Array[] } {
    return { step: this.steps, moments: [this.m, this.v] };
  }
}

/** The optimizer the hyperparameters ask for, optionally restored from a checkpoint. */
export function createOptimizer(
  size: number,
  hp: Hyperparameters,
  saved?: { step: number; moments: Float64Array[] },
): Optimizer {
  return hp.optimizer === 'sgd'
    ? new Sgd(size, hp.momentum, saved)
    : new Adam(size, hp.beta1, hp.beta2, saved);
}

/** The learning rate of a (0-based) epoch: constant, or cosine-annealed from `learningRate` towards 0 over `epochs`. */
export function learningRateAt(hp: Hyperparameters, epoch: number): number {
  if (hp.learningRateSchedule === 'constant') return hp.learningRate;
  return hp.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / hp.epochs));
}
