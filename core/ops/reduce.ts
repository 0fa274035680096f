import { isGradEnabled } from "../autograd/grad_mode.js";
import { record } from "../autograd/node.js";
import { gemm } from "../backend/gemm.js";
import { reduceLoop } from "../backend/reduce.js";
import { type DType, type FloatArray, type TypedArray, isFloating } from "../tensor/dtype.js";
import { InvalidArgumentError, formatShape } from "../tensor/errors.js";
import { eye } from "../tensor/creation.js";
import { normalizeDim, normalizeDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { add, broadcastBinary, cast, div, mul, pow, sub } from "./arithmetic.js";
import { expand, permute, reshape, unsqueeze } from "./shape.js";
import { abs, exp, log, mapUnary, maskWhere, sign } from "./unary.js";
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

/** From this many elements on, a sum over leading dimensions runs as a matrix product. */
const LEADING_SUM_MIN_ELEMENTS = 16384;

/**
 * Sums a large contiguous float tensor over its leading dimensions `dims` (0 to d − 1) as the
 * product ones[1, rows]·x[rows, cols], so the GEMM kernels do the work. Returns null for any other
 * case. Bias gradients take this form: summing a [32, 32, 512] gradient to [512] took 1.1 ms in
 * the reduce loop.
 */
function leadingSum(input: Tensor, dims: readonly number[]): Tensor | null {
  const lead = dims.length;
  if (!isFloating(input.dtype) || lead === 0 || lead === input.ndim || dims[lead - 1] !== lead - 1) return null;
  if (input.numel() < LEADING_SUM_MIN_ELEMENTS || !input.isContiguous()) return null;
  const rows = input.shape.slice(0, lead).reduce((a, b) => a * b, 1);
  const cols = input.numel() / rows;
  const data = input.storage.data as FloatArray;
  const ones = (data instanceof Float32Array ? new Float32Array(rows) : new Float64Array(rows)).fill(1);
  const out = empty(reducedShapes(input, dims, true).kept, input.dtype);
  gemm(false, false, 1, cols, rows, ones, 0, rows, data, input.offset, cols, out.storage.data as FloatArray, 0, cols, false);
  return out;
}

/** Broadcasts a reduced gradient back over the reduced dimensions of `inputShape`. */
export function expandReduced(grad: Tensor, inputShape: readonly number[], dims: readonly number[]): Tensor {
  const kept = inputShape.map((size, i) => (dims.includes(i) ? 1 : size));
  return expand(reshape(grad, kept), inputShape);
}

/**
 * Normalizes the arguments of a reduction the way PyTorch users write them: `keepdim` may come
 * as a boolean in place of the options object, and an object passed where the dimension goes
 * raises an error showing the expected form.
 */
function reduceArgs<O extends ReduceOptions>(op: string, dim: unknown, options: O | boolean | undefined): [number | readonly number[] | undefined, O] {
  if (dim !== undefined && dim !== null && typeof dim === "object" && !Array.isArray(dim)) {
    throw new InvalidArgumentError(`${op}: the dimension must be a number or an array of numbers, got an object. Write x.${op}(1, { keepdim: true }).`);
  }
  if (typeof options === "boolean") return [dim as number | undefined, { keepdim: options } as O];
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new InvalidArgumentError(`${op}: options must be an object such as { keepdim: true }, got ${JSON.stringify(options)}.`);
  }
  return [(dim ?? undefined) as number | readonly number[] | undefined, (options ?? {}) as O];
}

/**
 * Resolves the dimensions a reduction runs over, sorted. A 0-d tensor accepts dim 0 or -1, as
 * PyTorch's do, but has no dimension to index, so the list is empty for it.
 */
export function reductionDims(op: string, dim: number | readonly number[] | undefined, rank: number): number[] {
  return normalizeDims(op, dim, rank).filter((d) => d < rank);
}

/**
 * The sum over `dim` (one, several, or all when omitted). Integer and bool inputs sum to int32.
 * Example: `x.sum(1, { keepdim: true })` for x of shape [N, C] gives [N, 1].
 */
export function sum(input: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("sum", dim, options);
  const dims = normalizeDims("sum", dim, input.ndim);
  const dtype = isFloating(input.dtype) ? input.dtype : "int32";
  const kept = leadingSum(input, dims) ?? reduceKept(input, dims, dtype, "0", "acc + x");
  const { out: outShape } = reducedShapes(input, dims, options.keepdim ?? false);
  const out = new Tensor(kept.storage, outShape);
  const inputShape = input.shape;
  return record(out, "sum", [input], (g) => [expandReduced(g, inputShape, dims)]);
}

/** The arithmetic mean over `dim` (all dimensions when omitted). */
export function mean(input: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("mean", dim, options);
  const dims = reductionDims("mean", dim, input.ndim);
  const count = dims.reduce((n, d) => n * input.shape[d], 1);
  const total = sum(input.dtype === "float64" ? input : input.to("float32"), dims, options);
  return total.div(count);
}

/** Options of var and std. */
export interface VarianceOptions extends ReduceOptions {
  /**
   * The number subtracted from the count N of reduced elements in the divisor N − correction:
   * 1 (Bessel's correction, the sample variance) by default, 0 for the population variance.
   */
  correction?: number;
}

function floatInput(input: Tensor): Tensor {
  return isFloating(input.dtype) ? input : cast(input, "float32");
}

function checkCorrection(op: string, correction: number | undefined): number {
  const value = correction ?? 1;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `${op}: correction=${String(value)} is invalid; expected a finite non-negative number, such as 1 (sample, the default) or 0 (population).`,
    );
  }
  return value;
}

function varianceOf(op: string, input: Tensor, dim: number | readonly number[] | undefined, options: VarianceOptions): Tensor {
  const dims = reductionDims(op, dim, input.ndim);
  const correction = checkCorrection(op, options.correction);
  const x = floatInput(input);

  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  const centered = sub(x, mean(x, dims, { keepdim: true }));
  return div(sum(mul(centered, centered), dims, { keepdim: options.keepdim ?? false }), Math.max(0, count - correction));
}

/**
 * Computes the variance Σ(x − mean)² / max(0, N − correction) over `dim` (all dimensions when omitted),
 * where N counts the reduced elements, so N ≤ correction gives NaN or Infinity, as in PyTorch.
 * Also exported as `var`, a reserved word in JavaScript, so that name works as `pl.var(x)` or
 * `x.var()` but cannot be imported directly.
 * Example: `variance(x, 0, { correction: 0 })` for x of shape [N, C] gives the population variance of each column.
 */
export function variance(input: Tensor, dim?: number | readonly number[], options: VarianceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("var", dim, options);
  return varianceOf("var", input, dim, options);
}

export { variance as var };

/** Computes the standard deviation √var with the same options. Its gradient is 0 where the result is 0, as PyTorch's is. */
export function std(input: Tensor, dim?: number | readonly number[], options: VarianceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("std", dim, options);
  return safeSqrt("std", varianceOf("std", input, dim, options));
}

/** Computes √s, with the gradient g / (2√s) replaced by 0 instead of NaN where s is 0. */
function safeSqrt(op: string, s: Tensor): Tensor {
  const out = mapUnary(s, "Math.sqrt(x)");
  return record(
    out,
    op,
    [s],
    (g, [y]) => {
      const zero = maskWhere(y, "x === 0");
      return [div(mul(g, sub(1, zero)), add(mul(y, 2), zero))];
    },
    [out],
  );
}

/** The maxima or minima along one dimension and their positions, as `max(dim)` returns them. */
export interface ValuesIndices {
  values: Tensor;
  /** The int32 position of each value along the reduced dimension. */
  indices: Tensor;
}

type Extreme = "max" | "min";

const EXTREME_INIT: Record<Extreme, Record<DType, string>> = {
  max: { float32: "-Infinity", float64: "-Infinity", int32: "-2147483648", bool: "0" },
  min: { float32: "Infinity", float64: "Infinity", int32: "2147483647", bool: "1" },
};

// NaN compares false both ways, so `x !== x` lets the first NaN win and stay, as PyTorch propagates NaN.
const EXTREME_COMBINE: Record<Extreme, string> = {
  max: "x > acc || x !== x ? x : acc",
  min: "x < acc || x !== x ? x : acc",
};

function checkReducible(op: string, kind: Extreme, input: Tensor, dims: readonly number[]): void {
  for (const d of dims) {
    if (input.shape[d] !== 0) continue;
    throw new InvalidArgumentError(
      `${op}: dimension ${d} of the input of shape ${formatShape(input.shape)} has size 0, and an empty slice has no ${kind}imum. ` +
        `Reduce over dimensions of nonzero size.`,
    );
  }
}

/**
 * Computes the maximum over `dim` (all dimensions when omitted). The gradient is split evenly among the
 * elements equal to the maximum, as in PyTorch. NaN propagates.
 */
export function amax(input: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("amax", dim, options);
  return extremeOver("amax", "max", input, dim, options);
}

/** Computes the minimum over `dim` (all dimensions when omitted), with the gradient split evenly among ties. */
export function amin(input: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("amin", dim, options);
  return extremeOver("amin", "min", input, dim, options);
}

function extremeOver(op: string, kind: Extreme, input: Tensor, dim: number | readonly number[] | undefined, options: ReduceOptions): Tensor {
  const dims = reductionDims(op, dim, input.ndim);
  checkReducible(op, kind, input, dims);

  const kept = reduceKept(input, dims, input.dtype, EXTREME_INIT[kind][input.dtype], EXTREME_COMBINE[kind]);
  const out = new Tensor(kept.storage, reducedShapes(input, dims, options.keepdim ?? false).out);

  return record(out, op, [input], (g, [xs, y]) => [mul(expandReduced(g, xs.shape, dims), tieWeights(xs, y, dims, g.dtype))], [input, out]);
}

/** Builds a constant that is 1/k at each of the k elements equal to their slice's reduced value, and 0 elsewhere. */
function tieWeights(x: Tensor, reduced: Tensor, dims: readonly number[], dtype: DType): Tensor {
  const { kept } = reducedShapes(x, dims, true);
  const target = reshape(reduced.detach(), kept);
  const hits = broadcastBinary("amax", x, target, "x === y || (x !== x && y !== y) ? 1 : 0", dtype);
  const counts = reduceKept(hits, dims, dtype, "0", "acc + x");
  return broadcastBinary("amax", hits, counts, "x / y", dtype);
}

/** The elements of `input` as rows: the dimensions `dims` moved last and flattened into each row. */
interface Rows {
  data: TypedArray;
  count: number;
  length: number;
  /** The permutation that moved `dims` last. */
  order: number[];
}

function rowsOf(input: Tensor, dims: readonly number[]): Rows {
  const order = [...input.shape.keys()].filter((d) => !dims.includes(d)).concat(dims);
  const data = permute(input.detach(), order).dataSync();
  const length = dims.reduce((n, d) => n * input.shape[d], 1);
  const count = input.shape.reduce((n, size, d) => (dims.includes(d) ? n : n * size), 1);
  return { data, count, length, order };
}

function inversePermutation(order: readonly number[]): number[] {
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return inverse;
}

/** Writes the first position of each row's maximum or minimum (and the value, when `values` is given). */
function findExtremes(kind: Extreme, rows: Rows, values: TypedArray | null, indices: TypedArray): void {
  const { data, count, length } = rows;
  const better = kind === "max" ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  for (let r = 0; r < count; r++) {
    const start = r * length;
    let best = data[start];
    let position = 0;
    // The first NaN is the result, so the scan stops there.
    for (let k = 1; k < length && best === best; k++) {
      const v = data[start + k];
      if (better(v, best) || v !== v) {
        best = v;
        position = k;
      }
    }
    if (values) values[r] = best;
    indices[r] = position;
  }
}

/**
 * Computes the maximum over all elements, or with `dim` the maxima along that dimension and the
 * position of the first maximum in each slice. Along `dim` the gradient goes to the returned
 * position. Over all elements it is split evenly among ties, as in PyTorch.
 * Example: `const { values, indices } = x.max(1)` for x of shape [N, C] gives two tensors of shape [N].
 */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number, options?: ReduceOptions | boolean): ValuesIndices;
export function max(input: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor | ValuesIndices {
  [dim, options] = reduceArgs("max", dim, options) as [number | undefined, ReduceOptions];
  if (dim === undefined) return extremeOver("max", "max", input, undefined, {});
  return extremeAlong("max", "max", input, dim, options.keepdim ?? false);
}

/** Computes the minimum over all elements, or with `dim` the minima along it and their positions, as max does. */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number, options?: ReduceOptions | boolean): ValuesIndices;
export function min(input: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor | ValuesIndices {
  [dim, options] = reduceArgs("min", dim, options) as [number | undefined, ReduceOptions];
  if (dim === undefined) return extremeOver("min", "min", input, undefined, {});
  return extremeAlong("min", "min", input, dim, options.keepdim ?? false);
}

function extremeAlong(op: string, kind: Extreme, input: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const d = normalizeDim(op, dim, input.ndim);
  if (input.ndim === 0) return extremeAlong(op, kind, reshape(input, [1]), 0, false);
  checkReducible(op, kind, input, [d]);

  const { out: outShape } = reducedShapes(input, [d], keepdim);
  const values = empty(outShape, input.dtype);
  const indices = empty(outShape, "int32");
  findExtremes(kind, rowsOf(input, [d]), values.storage.data, indices.storage.data);

  const inputShape = input.shape;
  record(values, op, [input], (g, [positions]) => [mul(expandReduced(g, inputShape, [d]), oneHot(positions, inputShape, d, g.dtype))], [indices]);
  return { values, indices };
}

/** Builds a constant of `shape` that is 1 where the position along `dim` equals `indices` and 0 elsewhere. */
function oneHot(indices: Tensor, shape: readonly number[], dim: number, dtype: DType): Tensor {
  const positions = empty(
    shape.map((size, i) => (i === dim ? size : 1)),
    "int32",
  );
  for (let i = 0; i < shape[dim]; i++) positions.storage.data[i] = i;
  const kept = shape.map((size, i) => (i === dim ? 1 : size));
  return broadcastBinary("max", positions, reshape(indices.detach(), kept), "x === y ? 1 : 0", dtype);
}

/**
 * Returns the int32 position of the first maximum along `dim`, or the row-major position over all
 * elements when `dim` is omitted. It has no gradient.
 */
export function argmax(input: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("argmax", dim, options) as [number | undefined, ReduceOptions];
  return argExtreme("argmax", "max", input, dim, options.keepdim ?? false);
}

/** Returns the int32 position of the first minimum along `dim`, or over all elements when `dim` is omitted. */
export function argmin(input: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("argmin", dim, options) as [number | undefined, ReduceOptions];
  return argExtreme("argmin", "min", input, dim, options.keepdim ?? false);
}

function argExtreme(op: string, kind: Extreme, input: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const all = [...input.shape.keys()];
  const dims = dim === undefined ? all : [normalizeDim(op, dim, input.ndim)].filter((d) => d < input.ndim);
  checkReducible(op, kind, input, dims);

  const out = empty(reducedShapes(input, dims, keepdim).out, "int32");
  findExtremes(kind, rowsOf(input, dims), null, out.storage.data);
  return out;
}

/**
 * Computes log Σ exp(x) over `dim` (all dimensions when omitted) as m + log Σ exp(x − m) with m
 * the maximum of the slice, so large inputs do not overflow. An empty slice gives −Infinity.
 */
export function logsumexp(input: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("logsumexp", dim, options);
  const dims = reductionDims("logsumexp", dim, input.ndim);
  const x = floatInput(input);

  // The shift is a constant and the result does not depend on it, so no gradient flows through it.
  const shift = reduceKept(x, dims, x.dtype, "-Infinity", "x > acc ? x : acc");
  const shiftData = shift.storage.data;
  for (let i = 0; i < shiftData.length; i++) if (!Number.isFinite(shiftData[i])) shiftData[i] = 0;

  const total = log(sum(exp(sub(x, shift)), dims, { keepdim: options.keepdim ?? false }));
  return add(total, reshape(shift, total.shape));
}

/**
 * Computes the product over `dim` (all dimensions when omitted). Integer and bool inputs multiply in int32.
 * The gradient of each element is the product of the other elements of its slice, which stays
 * exact where the slice contains zeros.
 */
export function prod(input: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  [dim, options] = reduceArgs("prod", dim, options);
  const dims = reductionDims("prod", dim, input.ndim);
  const dtype = isFloating(input.dtype) ? input.dtype : "int32";

  const kept = reduceKept(input, dims, dtype, "1", "acc * x");
  const out = new Tensor(kept.storage, reducedShapes(input, dims, options.keepdim ?? false).out);

  return record(out, "prod", [input], (g, [xs, y]) => [mul(expandReduced(g, xs.shape, dims), productOfOthers(xs, y, dims))], [input, out]);
}

/**
 * Computes, for each element, the product of the other elements of its slice over `dims`. Without
 * zeros that is product / x, and with zeros it is computed without dividing.
 */
function productOfOthers(x: Tensor, product: Tensor, dims: readonly number[]): Tensor {
  if (!x.dataSync().includes(0)) return div(expandReduced(product, x.shape, dims), x);
  if (!isGradEnabled()) return exclusiveProducts(x, dims);
  return exclusiveProductsGraph(x, dims);
}

/** Computes the products of the other elements from prefix and suffix products along each row, without a graph. */
function exclusiveProducts(x: Tensor, dims: readonly number[]): Tensor {
  const rows = rowsOf(x, dims);
  const { data, count, length, order } = rows;
  const out = empty(
    order.map((d) => x.shape[d]),
    x.dtype,
  );
  const result = out.storage.data;
  for (let r = 0; r < count; r++) {
    const start = r * length;
    let prefix = 1;
    for (let k = 0; k < length; k++) {
      result[start + k] = prefix;
      prefix *= data[start + k];
    }
    let suffix = 1;
    for (let k = length - 1; k >= 0; k--) {
      result[start + k] *= suffix;
      suffix *= data[start + k];
    }
  }
  return permute(out, inversePermutation(order));
}

/**
 * Computes the same products with differentiable ops, for when higher-order gradients are recorded.
 * Each element's slice is copied with that element replaced by 1 and multiplied out with prod.
 * NOTE: this takes O(n²) memory for a slice of n elements, and runs only for inputs with zeros.
 */
function exclusiveProductsGraph(x: Tensor, dims: readonly number[]): Tensor {
  const order = [...x.shape.keys()].filter((d) => !dims.includes(d)).concat(dims);
  const permutedShape = order.map((d) => x.shape[d]);
  const outer = permutedShape.slice(0, order.length - dims.length);
  const length = dims.reduce((n, d) => n * x.shape[d], 1);

  const rows = unsqueeze(reshape(permute(x, order), [...outer, length]), -2);
  const diagonal = eye(length, length, { dtype: x.dtype });
  const replaced = add(mul(expand(rows, [...outer, length, length]), sub(1, diagonal)), diagonal);
  const products = prod(replaced, -1);

  return permute(reshape(products, permutedShape), inversePermutation(order));
}

/**
 * Computes the vector p-norm over `dim` (all elements when omitted): (Σ|x|^p)^(1/p) for finite p ≠ 0,
 * max|x| for Infinity, min|x| for −Infinity, and the count of nonzero elements for 0. "fro" is p = 2.
 * The gradient is 0 where the norm is 0, the subgradient PyTorch picks.
 * Example: `norm(x, 2, -1)` for x of shape [N, D] gives the Euclidean length of each row.
 */
export function norm(input: Tensor, p: number | "fro" = 2, dim?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const order = p === "fro" ? 2 : p;
  if (typeof order !== "number" || Number.isNaN(order)) {
    throw new InvalidArgumentError(`norm: p=${String(p)} is invalid; expected a number (such as 2, 1, Infinity or 0) or "fro".`);
  }
  const dims = reductionDims("norm", dim, input.ndim);
  const x = floatInput(input);
  const reduceOptions = { keepdim: options.keepdim ?? false };

  if (order === Infinity) return extremeOver("norm", "max", abs(x), dims, reduceOptions);
  if (order === -Infinity) return extremeOver("norm", "min", abs(x), dims, reduceOptions);
  // mul(x, 0) keeps the count connected to x, so its gradient is zero rather than missing.
  if (order === 0) return sum(add(mul(x, 0), maskWhere(x, "x !== 0")), dims, reduceOptions);
  if (order === 1) return sum(abs(x), dims, reduceOptions);
  return powerNorm(x, order, dims, reduceOptions.keepdim);
}

/**
 * Computes (Σ|x|^p)^(1/p). The gradient g · sign(x)·|x|^(p−1) / norm^(p−1) is written so that it is 0
 * rather than NaN where x or the norm is 0.
 */
function powerNorm(x: Tensor, p: number, dims: readonly number[], keepdim: boolean): Tensor {
  const constant = x.detach();
  const total = sum(p === 2 ? mul(constant, constant) : pow(abs(constant), p), dims, { keepdim });
  const out = mapUnary(total, p === 2 ? "Math.sqrt(x)" : `Math.pow(x, ${1 / p})`);

  const rule = (g: Tensor, [xs, y]: readonly Tensor[]): Tensor[] => {
    const shape = xs.shape;
    const direction = p === 2 ? xs : mul(sign(xs), pow(add(abs(xs), maskWhere(xs, "x === 0")), p - 1));
    const normExpanded = expandReduced(y, shape, dims);
    const scale = p === 2 ? normExpanded : pow(normExpanded, p - 1);
    const denominator = add(scale, maskWhere(normExpanded, "x === 0"));
    return [div(mul(expandReduced(g, shape, dims), direction), denominator)];
  };
  return record(out, "norm", [x], rule, [x, out]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    sum(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    mean(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    var(dim?: number | readonly number[], options?: VarianceOptions): Tensor;
    std(dim?: number | readonly number[], options?: VarianceOptions): Tensor;
    max(): Tensor;
    max(dim: number, options?: ReduceOptions | boolean): ValuesIndices;
    min(): Tensor;
    min(dim: number, options?: ReduceOptions | boolean): ValuesIndices;
    amax(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    amin(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    argmax(dim?: number, options?: ReduceOptions | boolean): Tensor;
    argmin(dim?: number, options?: ReduceOptions | boolean): Tensor;
    logsumexp(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    prod(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    norm(p?: number | "fro", dim?: number | readonly number[], options?: ReduceOptions): Tensor;
  }
}

Tensor.prototype.sum = function (dim, options) {
  return sum(this, dim, options);
};
Tensor.prototype.mean = function (dim, options) {
  return mean(this, dim, options);
};
Tensor.prototype.var = function (dim, options) {
  return variance(this, dim, options);
};
Tensor.prototype.std = function (dim, options) {
  return std(this, dim, options);
};
Tensor.prototype.max = function (this: Tensor, dim?: number, options?: ReduceOptions) {
  return dim === undefined ? max(this) : max(this, dim, options);
} as Tensor["max"];
Tensor.prototype.min = function (this: Tensor, dim?: number, options?: ReduceOptions) {
  return dim === undefined ? min(this) : min(this, dim, options);
} as Tensor["min"];
Tensor.prototype.amax = function (dim, options) {
  return amax(this, dim, options);
};
Tensor.prototype.amin = function (dim, options) {
  return amin(this, dim, options);
};
Tensor.prototype.argmax = function (dim, options) {
  return argmax(this, dim, options);
};
Tensor.prototype.argmin = function (dim, options) {
  return argmin(this, dim, options);
};
Tensor.prototype.logsumexp = function (dim, options) {
  return logsumexp(this, dim, options);
};
Tensor.prototype.prod = function (dim, options) {
  return prod(this, dim, options);
};
Tensor.prototype.norm = function (p, dim, options) {
  return norm(this, p, dim, options);
};
