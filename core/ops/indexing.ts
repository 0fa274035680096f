import { record } from "../autograd/node.js";
import { ternaryLoop } from "../backend/elementwise.js";
import { zeros } from "../tensor/creation.js";
import type { TypedArray } from "../tensor/dtype.js";
import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { type Shape, broadcastShapes, broadcastStrides, normalizeDim, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { gradFor, metaOf } from "./arithmetic.js";
import { contiguous, expand, reshape, sliceBackward } from "./shape.js";
import { describe, empty, operand, scalarTensor, toTensor } from "./util.js";

/**
 * Indexing with index tensors and masks: indexSelect/indexAdd, gather/scatterAdd, maskedFill
 * and maskedSelect. Each differentiable pair is the other's gradient (indexSelect and indexAdd,
 * gather and scatterAdd, maskedSelect and its scatter), so gradients of every order exist.
 * Index tensors are int32 and are never differentiated. The NumPy-style `index` method is in
 * index_method.ts.
 */

/** Raises unless `index` is an int32 tensor, naming the op and the fix. */
export function requireIndex(op: string, index: unknown, argument = "index"): Tensor {
  if (!(index instanceof Tensor)) {
    throw new InvalidArgumentError(`${op}: ${argument} must be an int32 tensor, got ${describe(index)}. Create it with tensor(values, { dtype: "int32" }).`);
  }
  if (index.dtype !== "int32") {
    throw new DTypeError(`${op}: ${argument} has dtype ${index.dtype}, but indices must be int32. Convert it with .int().`);
  }
  return index;
}

function requireMask(op: string, mask: unknown): Tensor {
  if (!(mask instanceof Tensor)) {
    throw new InvalidArgumentError(`${op}: mask must be a bool tensor, got ${describe(mask)}. Build it with a comparison such as x.gt(0), or tensor([true, false]).`);
  }
  if (mask.dtype !== "bool") {
    throw new DTypeError(`${op}: mask has dtype ${mask.dtype}, but a bool mask is required. Compare first (for example x.gt(0)) or convert it with .to("bool").`);
  }
  return mask;
}

function outOfRange(op: string, value: number, dim: number, size: number): InvalidArgumentError {
  return new InvalidArgumentError(
    `${op}: index ${value} is out of range for dimension ${dim} of size ${size}; indices must be in [0, ${size - 1}].`,
  );
}

/** Reads the int32 values of `index` in row-major order, checking each against `size`. */
function checkedIndices(op: string, index: Tensor, dim: number, size: number): Int32Array {
  const values = index.dataSync() as Int32Array;
  for (const value of values) if (value < 0 || value >= size) throw outOfRange(op, value, dim, size);
  return values;
}

// ---------------------------------------------------------------- indexSelect / indexAdd

/** Sizes of `shape` before `dim`, at `dim`, and after it, as a [outer, size, inner] triple. */
function splitAt(shape: Shape, dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape[dim] ?? 1, inner];
}

function checkIndexVector(op: string, index: Tensor): void {
  if (index.ndim > 1) {
    throw new ShapeError(`${op}: index must be 0-d or 1-d, got shape ${formatShape(index.shape)}. Flatten it with .flatten() and reshape the result.`);
  }
}

/**
 * Selects the entries of `input` at positions `index` along `dim`. The output has `input`'s
 * shape with dimension `dim` replaced by index.numel(). Example: `indexSelect(x, 0, tensor([2, 0], { dtype: "int32" }))`
 * picks rows 2 and 0 of a matrix.
 */
export function indexSelect(input: Tensor, dim: number, index: Tensor): Tensor {
  const op = "indexSelect";
  const d = normalizeDim(op, dim, input.ndim);
  requireIndex(op, index);
  checkIndexVector(op, index);

  const [outer, size, inner] = splitAt(input.shape, d);
  const positions = checkedIndices(op, index, d, size);
  if (input.ndim === 0 && positions.length !== 1) {
    throw new ShapeError(`${op}: a 0-d input takes exactly one index, got ${positions.length}.`);
  }
  const shape = input.ndim === 0 ? [] : input.shape.map((s, i) => (i === d ? positions.length : s));
  const out = empty(shape, input.dtype);
  const source = contiguous(input).dataSync();
  const target = out.storage.data;
  let t = 0;
  for (let o = 0; o < outer; o++) {
    for (const position of positions) {
      const start = (o * size + position) * inner;
      for (let i = 0; i < inner; i++) target[t++] = source[start + i];
    }
  }

  const inputShape = input.shape;
  return record(out, op, [input], (g, [savedIndex]) => [indexAdd(zeros(inputShape, { dtype: g.dtype }), d, savedIndex, g)], [index]);
}

/**
 * Adds `source` into a copy of `input` at positions `index` along `dim`, so for each i
 * out[..., index[i], ...] += source[..., i, ...]. Repeated indices accumulate. `source` has
 * `input`'s shape with dimension `dim` replaced by index.numel().
 */
export function indexAdd(input: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const op = "indexAdd";
  const d = normalizeDim(op, dim, input.ndim);
  requireIndex(op, index);
  checkIndexVector(op, index);
  if (!(source instanceof Tensor)) throw new InvalidArgumentError(`${op}: source must be a tensor, got ${describe(source)}.`);
  if (source.dtype !== input.dtype) {
    throw new DTypeError(`${op}: source has dtype ${source.dtype} but input has ${input.dtype}; convert it with .to("${input.dtype}").`);
  }
  if (input.ndim === 0 && index.numel() !== 1) {
    throw new ShapeError(`${op}: a 0-d input takes exactly one index, got ${index.numel()}.`);
  }
  const expected = input.ndim === 0 ? [] : input.shape.map((s, i) => (i === d ? index.numel() : s));
  if (!shapesEqual(source.shape, expected)) {
    throw new ShapeError(
      `${op}: source has shape ${formatShape(source.shape)}, but input ${formatShape(input.shape)} with ${index.numel()} indices along dim ${d} needs ${formatShape(expected)}.`,
    );
  }

  const [outer, size, inner] = splitAt(input.shape, d);
  const positions = checkedIndices(op, index, d, size);
  const out = empty(input.shape, input.dtype);
  const target = out.storage.data;
  target.set(input.dataSync());
  const values = source.dataSync();
  let s = 0;
  for (let o = 0; o < outer; o++) {
    for (const position of positions) {
      const start = (o * size + position) * inner;
      for (let i = 0; i < inner; i++) target[start + i] += values[s++];
    }
  }

  return record(
    out,
    op,
    [input, source],
    (g, [savedIndex], needs) => [needs[0] ? g : null, needs[1] ? indexSelect(g, d, savedIndex) : null],
    [index],
  );
}

// ---------------------------------------------------------------- gather / scatterAdd

/**
 * Walks the positions of `shape` in row-major order. `visit` receives the flat position, the
 * offset into `base` with dimension `dim` left out, and the offset into `full` (all dimensions).
 */
function walkIndex(
  shape: Shape,
  dim: number,
  base: { offset: number; strides: readonly number[] },
  full: { offset: number; strides: readonly number[] },
  visit: (flat: number, baseOffset: number, fullOffset: number) => void,
): void {
  const rank = shape.length;
  let size = 1;
  for (const s of shape) size *= s;
  if (size === 0) return;
  const counter = new Array<number>(rank).fill(0);
  let b = base.offset;
  let f = full.offset;
  for (let flat = 0; flat < size; flat++) {
    visit(flat, b, f);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      if (d !== dim) b += base.strides[d];
      f += full.strides[d];
      if (counter[d] < shape[d]) break;
      if (d !== dim) b -= base.strides[d] * shape[d];
      f -= full.strides[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** Checks that `index` has `input`'s rank and fits inside `input` (and `source`, if given). */
function checkScatterShapes(op: string, input: Tensor, dim: number, index: Tensor, source?: Tensor): void {
  if (index.ndim !== input.ndim) {
    throw new ShapeError(`${op}: index has shape ${formatShape(index.shape)} but input has ${formatShape(input.shape)}; they must have the same number of dimensions.`);
  }
  for (let d = 0; d < input.ndim; d++) {
    if (d !== dim && index.shape[d] > input.shape[d]) {
      throw new ShapeError(`${op}: index of shape ${formatShape(index.shape)} is larger than input ${formatShape(input.shape)} in dimension ${d}; it may only be larger along dim ${dim}.`);
    }
    if (source && index.shape[d] > source.shape[d]) {
      throw new ShapeError(`${op}: index of shape ${formatShape(index.shape)} is larger than source ${formatShape(source.shape)} in dimension ${d}.`);
    }
  }
}

/**
 * Picks values along `dim` by `index`: for dim = 1 of a 3-d input,
 * out[i][j][k] = input[i][index[i][j][k]][k]. `index` has `input`'s rank and `out` has `index`'s shape.
 */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  const op = "gather";
  const d = normalizeDim(op, dim, input.ndim);
  requireIndex(op, index);
  if (input.ndim === 0 && index.ndim <= 1) return reshape(gather(reshape(input, [1]), 0, reshape(index, [index.numel()])), index.shape);
  checkScatterShapes(op, input, d, index);

  const size = input.shape[d];
  const positions = index.dataSync() as Int32Array;
  const out = empty(index.shape, input.dtype);
  const target = out.storage.data;
  const data = input.storage.data;
  const step = input.strides[d];
  walkIndex(index.shape, d, input, { offset: 0, strides: out.strides }, (flat, inputOffset) => {
    const position = positions[flat];
    if (position < 0 || position >= size) throw outOfRange(op, position, d, size);
    target[flat] = data[inputOffset + position * step];
  });

  const inputShape = input.shape;
  return record(out, op, [input], (g, [savedIndex]) => [scatterAdd(zeros(inputShape, { dtype: g.dtype }), d, savedIndex, g)], [index]);
}

/**
 * Adds `source` into a copy of `input` at positions `index` along `dim`. For dim = 1,
 * out[i][index[i][j][k]][k] += source[i][j][k] for every position of `index`. Repeated indices
 * accumulate. `source` may be larger than `index`; only its leading part is read.
 * The gradient is `g` for `input` and gather(g, dim, index) for `source` (zero where unread).
 */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const op = "scatterAdd";
  const d = normalizeDim(op, dim, input.ndim);
  requireIndex(op, index);
  if (!(source instanceof Tensor)) throw new InvalidArgumentError(`${op}: source must be a tensor, got ${describe(source)}.`);
  if (source.dtype !== input.dtype) {
    throw new DTypeError(`${op}: source has dtype ${source.dtype} but input has ${input.dtype}; convert it with .to("${input.dtype}").`);
  }
  if (input.ndim === 0 && index.ndim <= 1 && source.ndim <= 1) {
    const flat = scatterAdd(reshape(input, [1]), 0, reshape(index, [index.numel()]), reshape(source, [source.numel()]));
    return reshape(flat, []);
  }
  if (source.ndim !== input.ndim) {
    throw new ShapeError(`${op}: source has shape ${formatShape(source.shape)} but input has ${formatShape(input.shape)}; they must have the same number of dimensions.`);
  }
  checkScatterShapes(op, input, d, index, source);

  const size = input.shape[d];
  const positions = index.dataSync() as Int32Array;
  const out = empty(input.shape, input.dtype);
  const target = out.storage.data;
  target.set(input.dataSync());
  const values = source.storage.data;
  const step = out.strides[d];
  walkIndex(index.shape, d, out, source, (flat, outOffset, sourceOffset) => {
    const position = positions[flat];
    if (position < 0 || position >= size) throw outOfRange(op, position, d, size);
    target[outOffset + position * step] += values[sourceOffset];
  });

  const sourceShape = source.shape;
  return record(
    out,
    op,
    [input, source],
    (g, [savedIndex], needs) => [needs[0] ? g : null, needs[1] ? padTo(gather(g, d, savedIndex), sourceShape) : null],
    [index],
  );
}

/** Zero-pads `grad` at the end of each dimension up to `shape`, differentiably. */
function padTo(grad: Tensor, shape: Shape): Tensor {
  let out = grad;
  for (let d = 0; d < shape.length; d++) {
    if (out.shape[d] === shape[d]) continue;
    const wider = out.shape.map((s, i) => (i === d ? shape[d] : s));
    out = sliceBackward(out, wider, d, 0, 1);
  }
  return out;
}

// ---------------------------------------------------------------- masks

/**
 * Writes `value` into a copy of `input` where the bool `mask` is true. The mask broadcasts against
 * `input`; the gradient with respect to `input` is zero at the filled positions.
 */
export function maskedFill(input: Tensor, mask: Tensor, value: number | boolean): Tensor {
  const op = "maskedFill";
  requireMask(op, mask);
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new InvalidArgumentError(`${op}: value must be a number or a boolean, got ${describe(value)}.`);
  }

  const shape = broadcastShapes(op, input.shape, mask.shape);
  const out = empty(shape, input.dtype);
  const fill = scalarTensor(input.dtype === "bool" ? Boolean(value) : Number(value), input.dtype);
  const x = { ...operand(input), strides: broadcastStrides(input.shape, input.strides, shape) };
  const m = { ...operand(mask), strides: broadcastStrides(mask.shape, mask.strides, shape) };
  const v = { ...operand(fill), strides: shape.map(() => 0) };
  ternaryLoop("y ? z : x")(out.storage.data, x, m, v, shape);

  const inputMeta = metaOf(input);
  return record(out, op, [input], (g, [savedMask]) => [gradFor(maskedFill(g, savedMask, 0), inputMeta)], [mask]);
}

/**
 * Collects the elements of `input` where the bool `mask` is true into a 1-d tensor, in row-major order.
 * `input` and `mask` broadcast together.
 */
export function maskedSelect(input: Tensor, mask: Tensor): Tensor {
  const op = "maskedSelect";
  requireMask(op, mask);

  const shape = broadcastShapes(op, input.shape, mask.shape);
  const flags = expand(mask, shape).dataSync();
  const values = expand(input.detach(), shape).dataSync();
  const selected: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) selected.push(values[i]);
  const out = empty([selected.length], input.dtype);
  out.storage.data.set(selected);

  const inputMeta = metaOf(input);
  return record(out, op, [input], (g, [savedMask]) => [gradFor(maskedScatter(g, savedMask, shape), inputMeta)], [mask]);
}

/**
 * Computes the gradient of maskedSelect: writes the 1-d `grad`, in order, into zeros of `shape`
 * where the broadcast mask is true. Its own gradient is maskedSelect, so the pair nests to any order.
 */
function maskedScatter(grad: Tensor, mask: Tensor, shape: Shape): Tensor {
  const flags = expand(mask, shape).dataSync();
  const values = grad.dataSync();
  const out = empty(shape, grad.dtype);
  const target: TypedArray = out.storage.data;
  let next = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i]) target[i] = values[next++];
  return record(out, "maskedScatter", [grad], (g, [savedMask]) => [maskedSelect(g, savedMask)], [mask]);
}

/** Converts a list of numbers to an int32 index tensor; tensors pass through unchanged. */
export function toIndex(op: string, value: Tensor | readonly number[]): Tensor {
  if (value instanceof Tensor) return value;
  return toTensor(op, value as number[], "int32");
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, source: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number | boolean): Tensor;
    maskedSelect(mask: Tensor): Tensor;
  }
}

Tensor.prototype.indexSelect = function (dim, index) {
  return indexSelect(this, dim, index);
};
Tensor.prototype.indexAdd = function (dim, index, source) {
  return indexAdd(this, dim, index, source);
};
Tensor.prototype.gather = function (dim, index) {
  return gather(this, dim, index);
};
Tensor.prototype.scatterAdd = function (dim, index, source) {
  return scatterAdd(this, dim, index, source);
};
Tensor.prototype.maskedFill = function (mask, value) {
  return maskedFill(this, mask, value);
};
Tensor.prototype.maskedSelect = function (mask) {
  return maskedSelect(this, mask);
};
