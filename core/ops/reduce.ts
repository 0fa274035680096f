import { record } from "../autograd/node.js";
import { reduceLoop } from "../backend/reduce.js";
import { type DType, isFloating } from "../tensor/dtype.js";
import { normalizeDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { expand, reshape } from "./shape.js";
import { empty, operand } from "./util.js";

/** Options of reductions over dimensions. */
export interface ReduceOptions {
  /** Keep reduced dimensions with size 1, so the result broadcasts against the input. */
  keepdim?: boolean;
}

/** Shapes of a reduction: with reduced dimensions kept as size 1, and as returned. */
export function reducedShapes(input: Tensor, dims: readonly number[], keepdim: boolean): { kept: number[]; out: number[] } {
  const kept = input.shape.map((size, i) => (dims.includes(i) ? 1 : size));
  const out = keepdim ? kept : input.shape.filter((_, i) => !dims.includes(i));
  return { kept, out };
}

/** Runs a reduce loop over `dims` of `input` into a new tensor of `dtype`, returned in the kept shape. */
export function reduceKept(input: Tensor, dims: readonly number[], dtype: DType, init: string, combine: string): Tensor {
  const { kept } = reducedShapes(input, dims, true);
  const out = empty(kept, dtype);
  const reduced = input.shape.map((_, i) => dims.includes(i));
  reduceLoop(init, combine)(out.storage.data, operand(input), input.shape, reduced);
  return out;
}

/** Broadcasts a reduced gradient back over the reduced dimensions of `inputShape`. */
export function expandReduced(grad: Tensor, inputShape: readonly number[], dims: readonly number[]): Tensor {
  const kept = inputShape.map((size, i) => (dims.includes(i) ? 1 : size));
  return expand(reshape(grad, kept), inputShape);
}

/**
 * The sum over `dim` (one, several, or all when omitted). Integer and bool inputs sum to int32.
 * Example: `x.sum(1, { keepdim: true })` for x of shape [N, C] gives [N, 1].
 */
export function sum(input: Tensor, dim?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const dims = normalizeDims("sum", dim, input.ndim);
  const dtype = isFloating(input.dtype) ? input.dtype : "int32";
  const kept = reduceKept(input, dims, dtype, "0", "acc + x");
  const { out: outShape } = reducedShapes(input, dims, options.keepdim ?? false);
  const out = new Tensor(kept.storage, outShape);
  const inputShape = input.shape;
  return record(out, "sum", [input], (g) => [expandReduced(g, inputShape, dims)]);
}

/** The arithmetic mean over `dim` (all dimensions when omitted). */
export function mean(input: Tensor, dim?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const dims = normalizeDims("mean", dim, input.ndim);
  const count = dims.reduce((n, d) => n * input.shape[d], 1);
  const total = sum(input.dtype === "float64" ? input : input.to("float32"), dims, options);
  return total.div(count);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    sum(dim?: number | readonly number[], options?: ReduceOptions): Tensor;
    mean(dim?: number | readonly number[], options?: ReduceOptions): Tensor;
  }
}

Tensor.prototype.sum = function (dim, options) {
  return sum(this, dim, options);
};
Tensor.prototype.mean = function (dim, options) {
  return mean(this, dim, options);
};
