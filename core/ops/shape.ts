import { Node, record } from "../autograd/node.js";
import { InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { type Shape, checkShape, contiguousStrides, normalizeDim, numel, shapesEqual } from "../tensor/shape.js";
import { Tensor, copyStrided } from "../tensor/tensor.js";
import { binaryLoop } from "../backend/elementwise.js";
import { empty, operand } from "./util.js";

/**
 * Shape ops that return views sharing storage (reshape of contiguous data, view, transpose,
 * permute, expand, squeeze, unsqueeze, slice) and the copy that makes a tensor contiguous.
 */

function makeView(source: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const view = new Tensor(source.storage, shape, strides, offset);
  view.base = source.base ?? source;
  return view;
}

/** Resolves one -1 entry and checks that the element count is kept. */
function resolveShape(op: string, input: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const inferred = out.indexOf(-1);
  if (out.filter((d) => d === -1).length > 1) {
    throw new InvalidArgumentError(`${op}: shape ${formatShape(shape)} has more than one -1; only one dimension can be inferred.`);
  }
  if (out.some((d, i) => i !== inferred && (!Number.isInteger(d) || d < 0))) {
    throw new InvalidArgumentError(`${op}: shape ${formatShape(shape)} is invalid; use non-negative integers and at most one -1.`);
  }
  const known = out.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
  if (inferred >= 0) {
    if (known === 0 || input.numel() % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape a tensor of shape ${formatShape(input.shape)} (${input.numel()} elements) into ${formatShape(shape)}.`);
    }
    out[inferred] = input.numel() / known;
  }
  if (numel(out) !== input.numel()) {
    throw new ShapeError(
      `${op}: cannot reshape a tensor of shape ${formatShape(input.shape)} (${input.numel()} elements) into ${formatShape(shape)} (${numel(out)} elements).`,
    );
  }
  return out;
}

/** Returns a contiguous tensor: `input` itself when already contiguous, otherwise a copy. */
export function contiguous(input: Tensor): Tensor {
  if (input.isContiguous()) return input;
  const out = empty(input.shape, input.dtype);
  copyStrided(input, out.storage.data);
  return record(out, "contiguous", [input], (g) => [g]);
}

/** Returns a copy that owns its storage, with the gradient flowing back to `input`. */
export function clone(input: Tensor): Tensor {
  const out = empty(input.shape, input.dtype);
  copyStrided(input, out.storage.data);
  return record(out, "clone", [input], (g) => [g]);
}

/**
 * Views `input` with a new shape of the same element count; one entry may be -1.
 * Raises when the tensor is not contiguous; use reshape, which copies in that case.
 */
export function view(input: Tensor, shape: readonly number[]): Tensor {
  const target = resolveShape("view", input, shape);
  if (!input.isContiguous()) {
    throw new ShapeError(
      `view: a tensor of shape ${formatShape(input.shape)} with strides ${formatShape(input.strides)} is not contiguous, so it cannot be viewed as ${formatShape(target)}. Use reshape(), which copies when needed.`,
    );
  }
  const inputShape = input.shape;
  const out = makeView(input, target, contiguousStrides(target), input.offset);
  return record(out, "view", [input], (g) => [reshape(g, inputShape)]);
}

/** Reshapes `input`, as a view when the data is contiguous and as a copy otherwise. */
export function reshape(input: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(input.shape, shape)) return input;
  return view(contiguous(input), shape);
}

/** Flattens dimensions `startDim` through `endDim` into one. */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  if (input.ndim === 0) return reshape(input, [1]);
  const start = normalizeDim("flatten", startDim, input.ndim, "startDim");
  const end = normalizeDim("flatten", endDim, input.ndim, "endDim");
  if (start > end) throw new InvalidArgumentError(`flatten: startDim=${startDim} comes after endDim=${endDim}.`);
  const shape = [...input.shape.slice(0, start), numel(input.shape.slice(start, end + 1)), ...input.shape.slice(end + 1)];
  return reshape(input, shape);
}

/** Reorders dimensions: output dimension i is input dimension dims[i]. */
export function permute(input: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== input.ndim) {
    throw new InvalidArgumentError(`permute: dims ${formatShape(dims)} has ${dims.length} entries, but the tensor of shape ${formatShape(input.shape)} has ${input.ndim} dimensions.`);
  }
  const order = dims.map((d) => normalizeDim("permute", d, input.ndim));
  if (new Set(order).size !== order.length) throw new InvalidArgumentError(`permute: dims ${formatShape(dims)} repeats a dimension; it must be a permutation of 0..${input.ndim - 1}.`);
  const out = makeView(input, order.map((d) => input.shape[d]), order.map((d) => input.strides[d]), input.offset);
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return record(out, "permute", [input], (g) => [permute(g, inverse)]);
}

/** Swaps two dimensions. */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  const order = Array.from({ length: input.ndim }, (_, i) => i);
  const a = normalizeDim("transpose", dim0, input.ndim, "dim0");
  const b = normalizeDim("transpose", dim1, input.ndim, "dim1");
  if (input.ndim < 2) return input;
  [order[a], order[b]] = [order[b], order[a]];
  return permute(input, order);
}

/** The transpose of a tensor of rank 2 or less (`t()` in PyTorch). */
export function t(input: Tensor): Tensor {
  if (input.ndim > 2) throw new ShapeError(`t: expects a tensor of rank 2 or less, got shape ${formatShape(input.shape)}; use transpose(dim0, dim1).`);
  return input.ndim < 2 ? input : transpose(input, 0, 1);
}

/** Inserts a dimension of size 1 at `dim`. */
export function unsqueeze(input: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, input.ndim + 1);
  const shape = [...input.shape];
  const strides = [...input.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < input.ndim ? input.strides[d] * input.shape[d] : 1);
  const out = makeView(input, shape, strides, input.offset);
  return record(out, "unsqueeze", [input], (g) => [squeeze(g, d)]);
}

/** Removes dimensions of size 1: all of them, or those named in `dim`. */
export function squeeze(input: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? input.shape.map((_, i) => i) : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim("squeeze", d, input.ndim));
  const keep = input.shape.map((size, i) => !(size === 1 && dims.includes(i)));
  if (keep.every(Boolean)) return input;
  const inputShape = input.shape;
  const out = makeView(input, input.shape.filter((_, i) => keep[i]), input.strides.filter((_, i) => keep[i]), input.offset);
  return record(out, "squeeze", [input], (g) => [reshape(g, inputShape)]);
}

/** Broadcasts `input` to `shape` without copying; -1 keeps a dimension's size. */
export function expand(input: Tensor, shape: readonly number[]): Tensor {
  checkShape("expand", shape.map((d) => (d === -1 ? 0 : d)));
  const lead = shape.length - input.ndim;
  if (lead < 0) throw new ShapeError(`expand: cannot expand shape ${formatShape(input.shape)} to the shorter ${formatShape(shape)}.`);
  const target = shape.map((d, i) => (d === -1 && i >= lead ? input.shape[i - lead] : d));
  const strides = target.map((d, i) => {
    if (i < lead) return 0;
    const size = input.shape[i - lead];
    if (size === d) return input.strides[i - lead];
    if (size === 1) return 0;
    throw new ShapeError(`expand: dimension ${i} of ${formatShape(input.shape)} has size ${size}, which cannot expand to ${d}; only size-1 dimensions expand.`);
  });
  if (shapesEqual(target, input.shape)) return input;
  const inputShape = input.shape;
  const out = makeView(input, target, strides, input.offset);
  return record(out, "expand", [input], (g) => [sumToShape(g, inputShape)]);
}

/**
 * Sums `grad` down to `shape`, undoing broadcasting: leading dimensions are summed away and
 * dimensions of size 1 in `shape` are summed with keepdim.
 */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < grad.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length > 0 ? grad.sum(dims, { keepdim: true }) : grad;
  return reshape(summed, shape);
}

/**
 * A view of `input` along `dim` from `start` (inclusive) to `end` (exclusive) in steps of `step`,
 * as Python's `x[start:end:step]`. Negative start and end count from the end and are clamped.
 */
export function slice(input: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeDim("slice", dim, input.ndim);
  if (!Number.isInteger(step) || step < 1) throw new InvalidArgumentError(`slice: step=${step} is invalid; expected a positive integer.`);
  const size = input.shape[d];
  const clampIndex = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const from = clampIndex(start);
  const to = Math.max(from, clampIndex(end ?? size));
  const length = Math.ceil((to - from) / step);
  const shape = [...input.shape];
  const strides = [...input.strides];
  shape[d] = length;
  strides[d] = input.strides[d] * step;
  const out = makeView(input, shape, strides, input.offset + from * input.strides[d]);
  const inputShape = input.shape;
  record(out, "slice", [input], (g) => [sliceBackward(g, inputShape, d, from, step)]);
  if (out.gradFn instanceof Node) {
    out.gradFn.addGradInto = (target, grad) => addInto(slicedRegion(target, grad.shape, d, from, step), grad);
  }
  return out;
}

/** The `length` elements along `dim` from `start`, as a view. */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim("narrow", dim, input.ndim);
  if (!Number.isInteger(start) || !Number.isInteger(length) || length < 0) {
    throw new InvalidArgumentError(`narrow: start=${start} and length=${length} must be integers, with length >= 0.`);
  }
  const from = start < 0 ? start + input.shape[d] : start;
  if (from < 0 || from + length > input.shape[d]) {
    throw new InvalidArgumentError(`narrow: start=${start}, length=${length} runs past dimension ${d} of size ${input.shape[d]} in shape ${formatShape(input.shape)}.`);
  }
  return slice(input, d, from, from + length);
}

/** The slice at `index` along `dim`, with that dimension removed. */
export function select(input: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim("select", dim, input.ndim);
  const size = input.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new InvalidArgumentError(`select: index ${index} is out of range for dimension ${d} of size ${size} in shape ${formatShape(input.shape)}.`);
  }
  return squeeze(narrow(input, d, index < 0 ? index + size : index, 1), d);
}

/**
 * The gradient of slice: zeros of `inputShape` with `grad` written at the sliced positions.
 * Its own gradient is the same slice, so the pair is differentiable to any order.
 */
export function sliceBackward(grad: Tensor, inputShape: Shape, dim: number, start: number, step: number): Tensor {
  const out = empty(inputShape, grad.dtype);
  writeStrided(slicedRegion(out, grad.shape, dim, start, step), grad);
  return record(out, "sliceBackward", [grad], (g) => [slice(g, dim, start, start + grad.shape[dim] * step, step)]);
}

/** Returns the view of the contiguous tensor `whole` that slice(whole, dim, start, …, step) of `shape` covers. */
function slicedRegion(whole: Tensor, shape: Shape, dim: number, start: number, step: number): Tensor {
  const strides = [...whole.strides];
  strides[dim] *= step;
  return new Tensor(whole.storage, shape, strides, whole.offset + start * whole.strides[dim]);
}

/** Copies the elements of `source` into the strided positions of `target` (same shape). */
export function writeStrided(target: Tensor, source: Tensor): void {
  const flat = source.dataSync();
  const data = target.storage.data;
  const rank = target.ndim;
  const size = flat.length;
  if (size === 0) return;
  if (target.isContiguous() && flat.constructor === data.constructor) {
    data.set(flat, target.offset);
    return;
  }
  if (rank === 0) {
    data[target.offset] = flat[0];
    return;
  }
  const index = new Array<number>(rank).fill(0);
  let position = target.offset;
  for (let i = 0; i < size; i++) {
    data[position] = flat[i];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      position += target.strides[d];
      if (index[d] < target.shape[d]) break;
      position -= target.strides[d] * target.shape[d];
      index[d] = 0;
    }
  }
}

/**
 * Adds `source` into `target` in place (same shape, same dtype), either of them strided. Records
 * no graph and does not bump the version: it is meant for buffers that nothing else refers to,
 * such as the gradient sums of a backward pass.
 */
export function addInto(target: Tensor, source: Tensor): void {
  const size = target.numel();
  if (size === 0) return;
  const data = target.storage.data;
  if (target.offset === 0 && target.isContiguous()) {
    binaryLoop("x + y")(data, operand(target), operand(source), target.shape);
    return;
  }
  // Walk the rows of the last dimension, keeping a start position in each tensor.
  const from = source.storage.data;
  const rank = target.ndim;
  const inner = rank === 0 ? 1 : target.shape[rank - 1];
  const targetStep = rank === 0 ? 0 : target.strides[rank - 1];
  const sourceStep = rank === 0 ? 0 : source.strides[rank - 1];
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let t = target.offset;
  let f = source.offset;
  for (let row = 0; row < size; row += inner) {
    for (let i = 0, ti = t, fi = f; i < inner; i++, ti += targetStep, fi += sourceStep) data[ti] += from[fi];
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      t += target.strides[d];
      f += source.strides[d];
      if (index[d] < target.shape[d]) break;
      t -= target.strides[d] * target.shape[d];
      f -= source.strides[d] * target.shape[d];
      index[d] = 0;
    }
  }
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    contiguous(): Tensor;
    clone(): Tensor;
    view(...shape: number[] | [readonly number[]]): Tensor;
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    /** The transpose of a matrix (`.T` in PyTorch): all dimensions reversed. */
    readonly T: Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    expand(...shape: number[] | [readonly number[]]): Tensor;
    expandAs(other: Tensor): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
  }
}

/** Accepts both `f(2, 3)` and `f([2, 3])`, as PyTorch's varargs shapes do. */
function shapeArgs(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}

Tensor.prototype.contiguous = function () {
  return contiguous(this);
};
Tensor.prototype.clone = function () {
  return clone(this);
};
Tensor.prototype.view = function (...shape) {
  return view(this, shapeArgs(shape));
};
Tensor.prototype.reshape = function (...shape) {
  return reshape(this, shapeArgs(shape));
};
Tensor.prototype.flatten = function (startDim, endDim) {
  return flatten(this, startDim, endDim);
};
Tensor.prototype.permute = function (...dims) {
  return permute(this, shapeArgs(dims));
};
Tensor.prototype.transpose = function (dim0, dim1) {
  return transpose(this, dim0, dim1);
};
Tensor.prototype.t = function () {
  return t(this);
};
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return permute(this, this.shape.map((_, i) => this.ndim - 1 - i));
  },
  configurable: true,
});
Tensor.prototype.unsqueeze = function (dim) {
  return unsqueeze(this, dim);
};
Tensor.prototype.squeeze = function (dim) {
  return squeeze(this, dim);
};
Tensor.prototype.expand = function (...shape) {
  return expand(this, shapeArgs(shape));
};
Tensor.prototype.expandAs = function (other) {
  return expand(this, other.shape);
};
Tensor.prototype.slice = function (dim, start, end, step) {
  return slice(this, dim, start, end, step);
};
Tensor.prototype.narrow = function (dim, start, length) {
  return narrow(this, dim, start, length);
};
Tensor.prototype.select = function (dim, index) {
  return select(this, dim, index);
};
