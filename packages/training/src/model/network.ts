import {
  addBias,
  addColumnSums,
  addWeightedRows,
  gemm,
  matVec,
  outerProduct,
  relu,
  reluBackward,
  residualSums,
  squaredErrorRows,
  squaredErrorStep,
} from './kernels';

/** Rows processed at once; bounds scratch memory whatever the batch size. */
export const CHUNK_ROWS = 256;

/**
 * A stack of dense layers, ReLU between them, over one flat Float64Array of parameters
 * (per layer: weights `[inputs][outputs]` then bias), so optimizers and checkpoints see one vector.
 */
export class Network {
  readonly params: Float64Array;
  readonly weights: Float64Array[] = [];
  readonly biases: Float64Array[] = [];
  /** [start, end) of each layer's weights in `params`: where L2 applies. */
  readonly weightRanges: [number, number][] = [];
  private readonly activations: Float64Array[];
  private readonly deltas: [Float64Array, Float64Array];
  private readonly errorSums = new Float64Array(3);

  constructor(
    readonly sizes: readonly number[],
    params?: Float64Array,
  ) {
    const total = Network.parameterCount(sizes);
    this.params = params ?? new Float64Array(total);
    if (this.params.length !== total)
      throw new Error(`expected ${total} parameters, got ${this.params.length}`);
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inputs = sizes[l] as number;
      const outputs = sizes[l + 1] as number;
      this.weights.push(this.params.subarray(offset, offset + inputs * outputs));
      this.weightRanges.push([offset, offset + inputs * outputs]);
      offset += inputs * outputs;
      this.biases.push(this.params.subarray(offset, offset + outputs));
      offset += outputs;
    }
    // activations[0] is never allocated: the input chunk is used in place.
    this.activations = sizes.map((size, l) => new Float64Array(l === 0 ? 0 : CHUNK_ROWS * size));
    const widest = Math.max(...sizes);
    this.deltas = [new Float64Array(CHUNK_ROWS * widest), new Float64Array(CHUNK_ROWS * widest)];
  }

  static parameterCount(sizes: readonly number[]): number {
    let total = 0;
    for (let l = 0; l + 1 < sizes.length; l++)
      total += ((sizes[l] as number) + 1) * (sizes[l + 1] as number);
    return total;
  }

  get layerCount(): number {
    return this.sizes.length - 1;
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1] as number;
  }

  /** Runs `rows` (≤ CHUNK_ROWS) input rows; returns the output buffer (row-major, `rows × outputSize`, valid until the next call). */
  forward(input: Float64Array, rows: number): Float64Array {
    let current = input;
    for (let l = 0; l < this.layerCount; l++) {
      const inputs = this.sizes[l] as number;
      const outputs = this.sizes[l + 1] as number;
      const out = this.activations[l + 1] as Float64Array;
      const weights = this.weights[l] as Float64Array;
      const bias = this.biases[l] as Float64Array;
      // One output (linear models, regression heads): a dot product per row beats gemm's edge loop.
      if (outputs === 1) matVec(rows, inputs, current, weights, bias[0] as number, out);
      else {
        gemm(rows, outputs, inputs, current, inputs, 1, weights, outputs, 1, out, outputs, false);
        addBias(out, rows, outputs, bias);
      }
      if (l + 1 < this.layerCount) relu(out, rows * outputs);
      current = out;
    }
    return current;
  }

  /** One dense layer with one output (a linear model); with squared error, {@link squaredErrorStep} applies. */
  get isSingleUnit(): boolean {
    return this.sizes.length === 2 && this.sizes[1] === 1;
  }

  /**
   * Forward pass, squared error and gradient in one pass over rows [from, to) of `input` (row-major)
   * and `targets`, for a {@link isSingleUnit} network; the gradient is added to `grads`, scaled by
   * 2·gradientScale as {@link backward} would. Adds Σe² and Σ|e| to sums[0..1]. Any number of rows:
   * chunks of CHUNK_ROWS go through the residual buffer.
   */
  squaredErrorStep(
    input: Float64Array,
    targets: Float64Array,
    from: number,
    to: number,
    gradientScale: number,
    grads: Float64Array,
    sums: Float64Array,
  ): void {
    const inputs = this.sizes[0] as number;
    const scale = 2 * gradientScale;
    const residuals = this.deltas[0];
    const weights = this.weights[0] as Float64Array;
    const bias = (this.biases[0] as Float64Array)[0] as number;
    const weightGrads = grads.subarray(0, inputs);
    const errors = this.errorSums;
    errors.fill(0);
    for (let first = from; first < to; first += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, to - first);
      const X = input.subarray(first * inputs, (first + rows) * inputs);
      const done = squaredErrorStep(
        rows,
        inputs,
        X,
        weights,
        bias,
        targets,
        first,
        scale,
        weightGrads,
        residuals,
      );
      if (done < rows)
        squaredErrorRows(
          done,
          rows,
          inputs,
          X,
          weights,
          bias,
          targets,
          first,
          scale,
          weightGrads,
          residuals,
        );
      residualSums(residuals, rows, errors);
    }
    grads[inputs] = (grads[inputs] as number) + scale * (errors[0] as number);
    sums[0] = (sums[0] as number) + (errors[1] as number);
    sums[1] = (sums[1] as number) + (errors[2] as number);
  }

  /** The buffer into which the caller writes ∂loss/∂output for {@link backward} (`rows × outputSize`). */
  outputDelta(): Float64Array {
    return this.deltas[0];
  }

  /**
   * Adds the gradients of the last {@link forward} call to `grads` (laid out like `params`),
   * given ∂loss/∂output in {@link outputDelta}. `input` must be the same buffer given to forward.
   */
  backward(input: Float64Array, rows: number, grads: Float64Array): void {
    let delta = this.deltas[0];
    let spare = this.deltas[1];
    let offset = this.params.length;
    for (let l = this.layerCount - 1; l >= 0; l--) {
      const inputs = this.sizes[l] as number;
      const outputs = this.sizes[l + 1] as number;
      const layerInput = l === 0 ? input : (this.activations[l] as Float64Array);
      offset -= outputs;
      const biasGrad = grads.subarray(offset, offset + outputs);
      offset -= inputs * outputs;
      const weightGrad = grads.subarray(offset, offset + inputs * outputs);
      // dW += inputᵀ · delta (one pass over the rows when the layer has a single output)
      if (outputs === 1) addWeightedRows(rows, inputs, layerInput, delta, weightGrad);
      else
        gemm(
          inputs,
          outputs,
          rows,
          layerInput,
          1,
          inputs,
          delta,
          outputs,
          1,
          weightGrad,
          outputs,
          true,
        );
      // db += Σ_rows delta
      addColumnSums(biasGrad, delta, rows, outputs);
      if (l > 0) {
        // delta_prev = delta · Wᵀ, masked by the ReLU of layer l-1
        if (outputs === 1)
          outerProduct(rows, inputs, delta, this.weights[l] as Float64Array, spare);
        else
          gemm(
            rows,
            inputs,
            outputs,
            delta,
            outputs,
            1,
            this.weights[l] as Float64Array,
            1,
            outputs,
            spare,
            inputs,
            false,
          );
        reluBackward(spare, layerInput, rows * inputs);
        [delta, spare] = [spare, delta];
      }
    }
  }
}
