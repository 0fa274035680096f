import { record } from "../autograd/node.js";
import { full } from "../tensor/creation.js";
import { promoteTypes } from "../tensor/dtype.js";
import { InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { normalizeDim, normalizeDims } from "../tensor/shape.js";
import { Tensor, copyStrided } from "../tensor/tensor.js";
import { cast } from "./arithmetic.js";
import { indexSelect } from "./indexing.js";
import { clone, contiguous, expand, narrow, reshape, unsqueeze, writeStrided } from "./shape.js";
import { describe, empty } from "./util.js";

/**
 * Joining, splitting and rearranging ops: cat, stack, split, chunk, pad, flip, repeat, tril and
 * triu. Each gradient is written with differentiable ops (narrow, pad, flip, indexSelect, sum),
 * so second and higher derivatives exist.
 */

function checkTensorList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new InvalidArgumentError(`${op}: expected a non-empty array of tensors, got ${Array.isArray(tensors) ? "an empty array" : describe(tensors)}.`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new InvalidArgumentError(`${op}: element ${i} is ${describe(t)}; expected a tensor.`);
  });
  return tensors as Tensor[];
}

/**
 * Concatenates tensors along `dim`. All must have the same rank and the same sizes in every
 * other dimension; dtypes promote as in arithmetic. Example: cat([a [2, 3], b [4, 3]], 0) is [6, 3].
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = "cat";
  const list = checkTensorList(op, tensors);
  const first = list[0];
  if (first.ndim === 0) throw new ShapeError(`${op}: 0-d tensors cannot be concatenated; use stack, or unsqueeze them first.`);
  const d = normalizeDim(op, dim, first.ndim);
  list.forEach((t, i) => {
    const matches = t.ndim === first.ndim && t.shape.every((s, k) => k === d || s === first.shape[k]);
    if (!matches) {
      throw new ShapeError(
        `${op}: tensor ${i} has shape ${formatShape(t.shape)}, which does not match tensor 0 of shape ${formatShape(first.shape)} outside dim ${d}. ` +
          `All tensors need the same rank and the same sizes except along dim.`,
      );
    }
  });

  const dtype = list.map((t) => t.dtype).reduce(promoteTypes);
  const inputs = list.map((t) => cast(t, dtype));
  const sizes = inputs.map((t) => t.shape[d]);
  const shape = first.shape.map((s, k) => (k === d ? sizes.reduce((a, b) => a + b, 0) : s));
  const out = empty(shape, dtype);
  const starts: number[] = [];
  let start = 0;
  for (const t of inputs) {
    starts.push(start);
    writeStrided(new Tensor(out.storage, t.shape, out.strides, start * out.strides[d]), t);
    start += t.shape[d];
  }

  return record(out, op, inputs, (g, _saved, needs) => inputs.map((_, i) => (needs[i] ? narrow(g, d, starts[i], sizes[i]) : null)));
}

/** Stacks tensors of one shape along a new dimension `dim`. Example: stack of three [2, 3] at 0 is [3, 2, 3]. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = "stack";
  const list = checkTensorList(op, tensors);
  const d = normalizeDim(op, dim, list[0].ndim + 1);
  list.forEach((t, i) => {
    if (t.ndim !== list[0].ndim || !t.shape.every((s, k) => s === list[0].shape[k])) {
      throw new ShapeError(`${op}: tensor ${i} has shape ${formatShape(t.shape)}, but tensor 0 has ${formatShape(list[0].shape)}; stack needs equal shapes.`);
    }
  });

  return cat(list.map((t) => unsqueeze(t, d)), d);
}

/**
 * Splits `input` along `dim` into views: pieces of `sizeOrSizes` elements (the last may be
 * shorter), or pieces of the listed sizes, which must add up to the dimension's size.
 */
export function split(input: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  const op = "split";
  const d = normalizeDim(op, dim, input.ndim);
  if (input.ndim === 0) throw new ShapeError(`${op}: a 0-d tensor cannot be split; reshape it to [1] first.`);
  const total = input.shape[d];
  let sizes: number[];
  if (typeof sizeOrSizes === "number") {
    if (!Number.isInteger(sizeOrSizes) || sizeOrSizes < 0 || (sizeOrSizes === 0 && total > 0)) {
      throw new InvalidArgumentError(`${op}: size=${sizeOrSizes} is invalid for dimension ${d} of size ${total}; expected a positive integer.`);
    }
    const count = Math.max(Math.ceil(total / Math.max(sizeOrSizes, 1)), 1);
    sizes = Array.from({ length: count }, (_, i) => Math.min(sizeOrSizes, total - i * sizeOrSizes));
  } else {
    sizes = checkSizes(op, sizeOrSizes, d, total);
  }

  const pieces: Tensor[] = [];
  let start = 0;
  for (const size of sizes) {
    pieces.push(narrow(input, d, start, size));
    start += size;
  }
  return pieces;
}

function checkSizes(op: string, sizes: unknown, dim: number, total: number): number[] {
  if (!Array.isArray(sizes) || !sizes.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new InvalidArgumentError(`${op}: sizes ${JSON.stringify(sizes)} are invalid; expected a positive integer or an array of non-negative integers.`);
  }
  const sum = sizes.reduce((a: number, b: number) => a + b, 0);
  if (sum !== total) {
    throw new InvalidArgumentError(`${op}: sizes ${JSON.stringify(sizes)} add up to ${sum}, but dimension ${dim} has size ${total}.`);
  }
  return sizes;
}

/**
 * Splits `input` into views of ceil(size / chunks) elements along `dim`. As in PyTorch, the last
 * view may be shorter and fewer than `chunks` views may be returned. A dimension of size 0 gives
 * `chunks` empty views.
 */
export function chunk(input: Tensor, chunks: number, dim = 0): Tensor[] {
  const op = "chunk";
  if (!Number.isInteger(chunks) || chunks < 1) throw new InvalidArgumentError(`${op}: chunks=${chunks} is invalid; expected a positive integer.`);
  const d = normalizeDim(op, dim, input.ndim);
  if (input.ndim === 0) throw new ShapeError(`${op}: a 0-d tensor cannot be chunked; reshape it to [1] first.`);

  const total = input.shape[d];
  if (total === 0) return split(input, new Array<number>(chunks).fill(0), d);
  return split(input, Math.ceil(total / chunks), d);
}

// ---------------------------------------------------------------- pad

/** The border fill of pad: a constant, the mirror image without the edge, the edge value, or wrap-around. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadOptions {
  mode?: PadMode;
  /** The fill value of constant mode; 0 by default. */
  value?: number;
}

/**
 * Pads `input` by `pads`, given last dimension first as in PyTorch: [left, right] pads the last
 * dimension, [left, right, top, bottom] the last two, and so on. In constant mode negative pads
 * crop. reflect mirrors without repeating the edge (each pad must be smaller than the size),
 * replicate repeats the edge, and circular wraps around.
 * Example: `pad(x, [1, 1, 2, 0], { mode: "reflect" })` for x of shape [N, C, H, W].
 */
export function pad(input: Tensor, pads: readonly number[], options: PadOptions = {}): Tensor {
  const op = "pad";
  const mode = options.mode ?? "constant";
  const value = options.value ?? 0;
  checkPadArguments(op, input, pads, options);

  const perDim = input.shape.map((): [number, number] => [0, 0]);
  for (let i = 0; i < pads.length / 2; i++) perDim[input.ndim - 1 - i] = [pads[2 * i], pads[2 * i + 1]];
  perDim.forEach(([before, after], d) => {
    const size = input.shape[d] + before + after;
    if (size < 0) throw new ShapeError(`${op}: pads [${before}, ${after}] shrink dimension ${d} of size ${input.shape[d]} below zero.`);
  });
  if (mode === "constant") return padConstant(input, perDim, value);
  if (value !== 0) throw new InvalidArgumentError(`${op}: value=${value} applies only to constant mode, but mode is "${mode}".`);

  let out = input;
  perDim.forEach(([before, after], d) => {
    if (before === 0 && after === 0) return;
    out = indexSelect(out, d, borderIndex(op, mode, input.shape[d], before, after, d));
  });
  return out === input ? clone(input) : out;
}

function checkPadArguments(op: string, input: Tensor, pads: readonly number[], options: PadOptions): void {
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || !pads.every((p) => Number.isInteger(p))) {
    throw new InvalidArgumentError(`${op}: pads ${JSON.stringify(pads)} are invalid; expected an even number of integers, last dimension first, such as [left, right, top, bottom].`);
  }
  if (pads.length / 2 > input.ndim) {
    throw new InvalidArgumentError(`${op}: pads ${JSON.stringify(pads)} cover ${pads.length / 2} dimensions, but the input of shape ${formatShape(input.shape)} has ${input.ndim}.`);
  }
  const unknown = Object.keys(options).filter((key) => key !== "mode" && key !== "value");
  if (unknown.length > 0) throw new InvalidArgumentError(`${op}: unknown option "${unknown[0]}"; valid options are mode, value.`);
  const mode = options.mode ?? "constant";
  if (!["constant", "reflect", "replicate", "circular"].includes(mode)) {
    throw new InvalidArgumentError(`${op}: mode "${mode}" is invalid; expected "constant", "reflect", "replicate" or "circular".`);
  }
  if (options.value !== undefined && typeof options.value !== "number") {
    throw new InvalidArgumentError(`${op}: value=${String(options.value)} is invalid; expected a number.`);
  }
}

/**
 * Constant padding, with negative pads cropping. The gradient is the same op with the pads
 * negated and a zero fill, which crops what was padded and zero-pads what was cropped.
 */
function padConstant(input: Tensor, perDim: readonly [number, number][], value: number): Tensor {
  const shape = input.shape.map((s, d) => s + perDim[d][0] + perDim[d][1]);
  const out = full(shape, value, { dtype: input.dtype });
  let region = input.detach();
  let offset = 0;
  perDim.forEach(([before, after], d) => {
    const cropStart = Math.max(-before, 0);
    const length = Math.max(input.shape[d] - cropStart - Math.max(-after, 0), 0);
    region = narrow(region, d, Math.min(cropStart, input.shape[d]), length);
    offset += Math.max(before, 0) * out.strides[d];
  });
  writeStrided(new Tensor(out.storage, region.shape, out.strides, offset), region);

  const inverse = perDim.map(([before, after]) => [-before, -after] as [number, number]);
  return record(out, "pad", [input], (g) => [padConstant(g, inverse, 0)]);
}

/** Computes the source position of each output position along one dimension for the border modes. */
function borderIndex(op: string, mode: PadMode, size: number, before: number, after: number, dim: number): Tensor {
  const length = size + before + after;
  if (length > 0 && size === 0) throw new ShapeError(`${op}: ${mode} padding needs a non-empty dimension ${dim}, but its size is 0.`);
  if (mode === "reflect" && (before >= size || after >= size)) {
    throw new InvalidArgumentError(`${op}: reflect pads [${before}, ${after}] must each be smaller than dimension ${dim} of size ${size}; use replicate or circular mode for wider borders.`);
  }
  const positions = new Int32Array(length);
  for (let j = 0; j < length; j++) {
    const p = j - before;
    if (mode === "reflect") {
      if (p < 0) positions[j] = -p;
      else if (p >= size) positions[j] = 2 * (size - 1) - p;
      else positions[j] = p;
    } else if (mode === "replicate") {
      positions[j] = Math.min(Math.max(p, 0), size - 1);
    } else {
      positions[j] = ((p % size) + size) % size;
    }
  }
  return Tensor.fromTypedArray(positions, [length]);
}

// ---------------------------------------------------------------- flip, repeat, tril/triu

/** Reverses the order of elements along each of `dims`; the result is a copy. */
export function flip(input: Tensor, dims: number | readonly number[]): Tensor {
  const list = normalizeDims("flip", dims, input.ndim);

  const strides = [...input.strides];
  let offset = input.offset;
  for (const d of list) {
    if (d >= input.ndim || input.shape[d] === 0) continue;
    offset += (input.shape[d] - 1) * input.strides[d];
    strides[d] = -strides[d];
  }
  const out = empty(input.shape, input.dtype);
  copyStrided(new Tensor(input.storage, input.shape, strides, offset), out.storage.data);

  return record(out, "flip", [input], (g) => [flip(g, list)]);
}

/**
 * Tiles `input` `sizes[i]` times along dimension i, as PyTorch's Tensor.repeat. `sizes` may be
 * longer than the rank, which prepends dimensions. Built from reshape and expand, so the gradient
 * sums the tiles back.
 */
export function repeat(input: Tensor, sizes: readonly number[]): Tensor {
  const op = "repeat";
  if (!Array.isArray(sizes) || !sizes.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new InvalidArgumentError(`${op}: sizes ${JSON.stringify(sizes)} are invalid; expected an array of non-negative integers.`);
  }
  if (sizes.length < input.ndim) {
    throw new InvalidArgumentError(`${op}: sizes ${formatShape(sizes)} has ${sizes.length} entries, but the tensor of shape ${formatShape(input.shape)} has ${input.ndim} dimensions; give one size per dimension.`);
  }

  const shape = [...new Array<number>(sizes.length - input.ndim).fill(1), ...input.shape];
  const single = shape.flatMap((s) => [1, s]);
  const tiled = shape.flatMap((s, i) => [sizes[i], s]);
  const out = reshape(contiguous(expand(reshape(input, single), tiled)), shape.map((s, i) => s * sizes[i]));
  return out.storage === input.storage ? clone(out) : out;
}

/** Keeps the lower triangle of the last two dimensions (column − row ≤ diagonal) and zeros the rest. */
export function tril(input: Tensor, diagonal = 0): Tensor {
  return triangle("tril", input, diagonal, true);
}

/** Keeps the upper triangle of the last two dimensions (column − row ≥ diagonal) and zeros the rest. */
export function triu(input: Tensor, diagonal = 0): Tensor {
  return triangle("triu", input, diagonal, false);
}

function triangle(op: string, input: Tensor, diagonal: number, lower: boolean): Tensor {
  if (input.ndim < 2) throw new ShapeError(`${op}: expects a tensor of rank 2 or more, got shape ${formatShape(input.shape)}.`);
  if (!Number.isInteger(diagonal)) throw new InvalidArgumentError(`${op}: diagonal=${diagonal} is invalid; expected an integer.`);

  const rows = input.shape[input.ndim - 2];
  const cols = input.shape[input.ndim - 1];
  const out = empty(input.shape, input.dtype);
  const data = out.storage.data;
  copyStrided(input, data);
  for (let start = 0; start < data.length; start += rows * cols) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const zero = lower ? c - r > diagonal : c - r < diagonal;
        if (zero) data[start + r * cols + c] = 0;
      }
    }
  }

  return record(out, op, [input], (g) => [triangle(op, g, diagonal, lower)]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    split(sizeOrSizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    pad(pads: readonly number[], options?: PadOptions): Tensor;
    flip(dims: number | readonly number[]): Tensor;
    repeat(...sizes: number[] | [readonly number[]]): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
  }
}

Tensor.prototype.split = function (sizeOrSizes, dim) {
  return split(this, sizeOrSizes, dim);
};
Tensor.prototype.chunk = function (chunks, dim) {
  return chunk(this, chunks, dim);
};
Tensor.prototype.pad = function (pads, options) {
  return pad(this, pads, options);
};
Tensor.prototype.flip = function (dims) {
  return flip(this, dims);
};
Tensor.prototype.repeat = function (...sizes) {
  const list = sizes.length === 1 && Array.isArray(sizes[0]) ? (sizes[0] as readonly number[]) : (sizes as number[]);
  return repeat(this, list);
};
Tensor.prototype.tril = function (diagonal) {
  return triangle("tril", this, diagonal ?? 0, true);
};
Tensor.prototype.triu = function (diagonal) {
  return triangle("triu", this, diagonal ?? 0, false);
};
