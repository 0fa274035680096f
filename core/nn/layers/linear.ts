import { ShapeError, InvalidArgumentError, formatShape } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add } from "../../ops/arithmetic.js";
import { matmul } from "../../ops/matmul.js";
import { reshape, sumToShape, transpose } from "../../ops/shape.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { record } from "../../autograd/node.js";
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkOptions } from "../options.js";

/**
 * y = x·Wᵀ + b. Shapes: x [..., inFeatures] → y [..., outFeatures]; W [outFeatures, inFeatures].
 * Functional form of Linear.
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2 || input.ndim === 0) {
    const product = matmul(input, transpose(weight, 0, 1));
    return bias ? add(product, bias) : product;
  }
  // One node instead of transpose, matmul and add. Its rule computes dW = gᵀ·x as one product
  // laid out like W, where the composed ops would give the transpose of xᵀ·g, a strided view.
  const out = noGrad(() => {
    const product = matmul(input, transpose(weight, 0, 1));
    return bias ? add(product, bias) : product;
  });
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return record(out, "linear", inputs, (g, [x, w], needs) => {
    const rows = (t: Tensor): Tensor => reshape(t, [-1, t.shape[t.ndim - 1]]);
    return [
      needs[0] ? matmul(g, w) : null,
      needs[1] ? matmul(transpose(rows(g), 0, 1), rows(x)) : null,
      needs[2] ? sumToShape(g, bias!.shape) : null,
    ];
  }, [input, weight]);
}

export interface LinearOptions {
  bias?: boolean;
  dtype?: "float32" | "float64";
}

/** A fully connected layer, initialized as PyTorch's: W and b from U(−1/√in, 1/√in). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions("Linear", options, ["bias", "dtype"]);
    for (const [name, value] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`Linear: ${name}=${value} is invalid; expected a non-negative integer.`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(empty([outFeatures, inFeatures], dtype));
    this.bias = options.bias === false ? null : new Parameter(empty([outFeatures], dtype));
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    if (input.ndim === 0 || input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures}, ${this.outFeatures}): expected input of shape [..., ${this.inFeatures}], got ${formatShape(input.shape)}. ` +
          `Flatten or reshape the input so its last dimension is ${this.inFeatures}.`,
      );
    }
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Passes its input through unchanged. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
