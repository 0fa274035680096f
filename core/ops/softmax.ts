import { record } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { cast, mul, sub } from "./arithmetic.js";
import { reduceKept, sum } from "./reduce.js";
import { exp, log } from "./unary.js";
import { type TensorLike, toTensor } from "./util.js";

/**
 * softmax and logSoftmax along one dimension. Both subtract the maximum along `dim` before
 * exponentiating, so large inputs do not overflow. Integer inputs are computed in float32.
 */

function floatInput(op: string, value: TensorLike): Tensor {
  const x = toTensor(op, value);
  return isFloating(x.dtype) ? x : cast(x, "float32");
}

/** Computes `x − max(x, dim)` without recording a graph, because the shift does not change either result. */
function shiftedByMax(x: Tensor, dim: number): Tensor {
  const constant = x.detach();
  const maxima = reduceKept(constant, [dim], constant.dtype, "-Infinity", "x > acc ? x : acc");
  return sub(constant, maxima);
}

/**
 * Computes softmax(x)_i = exp(x_i) / Σ_j exp(x_j) along `dim`. The output has the input's shape.
 * A slice that is entirely −Infinity gives NaN, as in PyTorch.
 * Gradient: y · (g − Σ(g · y)) along `dim`.
 * Example: `softmax(logits, -1)` for logits of shape [N, C] gives rows that sum to 1.
 */
export function softmax(input: TensorLike, dim: number): Tensor {
  const x = floatInput("softmax", input);
  const d = normalizeDim("softmax", dim, x.ndim);

  const exps = exp(shiftedByMax(x, d));
  const out = exps.div(sum(exps, d, { keepdim: true }));

  return record(out, "softmax", [x], (g, [y]) => [mul(y, sub(g, sum(mul(g, y), d, { keepdim: true })))], [out]);
}

/**
 * Computes logSoftmax(x)_i = x_i − log Σ_j exp(x_j) along `dim`, more accurate than log(softmax(x)) for
 * very negative values. Gradient: g − exp(y) · Σ g along `dim`.
 */
export function logSoftmax(input: TensorLike, dim: number): Tensor {
  const x = floatInput("logSoftmax", input);
  const d = normalizeDim("logSoftmax", dim, x.ndim);

  const shifted = shiftedByMax(x, d);
  const out = sub(shifted, log(sum(exp(shifted), d, { keepdim: true })));

  return record(out, "logSoftmax", [x], (g, [y]) => [sub(g, mul(exp(y), sum(g, d, { keepdim: true })))], [out]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

Tensor.prototype.softmax = function (dim) {
  return softmax(this, dim);
};
Tensor.prototype.logSoftmax = function (dim) {
  return logSoftmax(this, dim);
};
