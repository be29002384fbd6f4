import {
  addBias,
  addColumnSums,
  addWeightedRows,
  gemm,
  outerProduct,
  relu,
  reluBackward,
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
      gemm(
        rows,
        outputs,
        inputs,
        current,
        inputs,
        1,
        this.weights[l] as Float64Array,
        outputs,
        1,
        out,
        outputs,
        false,
      );
      addBias(out, rows, outputs, this.biases[l] as Float64Array);
      if (l + 1 < this.layerCount) relu(out, rows * outputs);
      current = out;
    }
    return current;
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
