import { InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { indexSelect, maskedSelect, requireIndex, toIndex } from "./indexing.js";
import { reshape, select, slice, squeeze, unsqueeze } from "./shape.js";
import { describe } from "./util.js";

/**
 * NumPy-style indexing, `x.index(...items)`, one item per dimension from the left:
 *
 * - an integer picks one position and removes the dimension (negative counts from the end);
 * - a slice keeps the dimension. Write it as a Python-style string `"start:end:step"`, where any
 *   part may be omitted (`":"`, `"1:3"`, `"-2:"`, `"::2"`), or as an object `{ start, end, step }`.
 *   Start and end are clamped as in Python. The step must be positive, so use flip to reverse;
 * - `null` inserts a new dimension of size 1, as NumPy's `None`;
 * - `"..."` stands for as many `":"` as needed (at most one per call);
 * - an int32 tensor or an array of integers picks positions along the dimension, which is
 *   replaced by the index's shape (at most one per call, negative indices count from the end);
 * - a bool tensor of exactly the input's shape, as the only item, selects like maskedSelect.
 *
 * Dimensions after the last item are kept whole. Integers, slices and `null` give views that
 * share storage; index tensors and masks copy. Every result is differentiable.
 * Example: `x.index(0, "1:3", [2, 0])` for x of shape [4, 5, 6] gives shape [2, 2].
 */
export type IndexItem = number | string | null | SliceSpec | Tensor | readonly number[];

/** A slice as an object; omitted fields mean the start, the end and a step of 1. */
export interface SliceSpec {
  start?: number;
  end?: number;
  step?: number;
}

type ParsedItem =
  | { kind: "integer"; value: number }
  | { kind: "slice"; start: number | undefined; end: number | undefined; step: number }
  | { kind: "newAxis" }
  | { kind: "ellipsis" }
  | { kind: "tensor"; index: Tensor }
  | { kind: "mask"; mask: Tensor };

const SLICE_PATTERN = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function parseSliceString(text: string): ParsedItem {
  if (text.trim() === "...") return { kind: "ellipsis" };
  const match = SLICE_PATTERN.exec(text);
  if (!match) {
    throw new InvalidArgumentError(
      `index: "${text}" is not a valid slice; expected "start:end" or "start:end:step" with optional integers, such as ":", "1:3" or "::2". Pass integers as numbers.`,
    );
  }
  const [, start, end, step] = match;
  return checkSlice(start === undefined ? undefined : Number(start), end === undefined ? undefined : Number(end), step === undefined ? 1 : Number(step));
}

function checkSlice(start: number | undefined, end: number | undefined, step: number): ParsedItem {
  for (const [name, value] of [["start", start], ["end", end]] as const) {
    if (value !== undefined && !Number.isInteger(value)) {
      throw new InvalidArgumentError(`index: slice ${name}=${value} is invalid; expected an integer.`);
    }
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new InvalidArgumentError(`index: slice step=${step} is invalid; expected a positive integer. Reverse a dimension with flip(dims).`);
  }
  return { kind: "slice", start, end, step };
}

function parseItem(item: IndexItem): ParsedItem {
  if (typeof item === "number") {
    if (!Number.isInteger(item)) throw new InvalidArgumentError(`index: ${item} is not an integer; positions must be integers.`);
    return { kind: "integer", value: item };
  }
  if (typeof item === "string") return parseSliceString(item);
  if (item === null) return { kind: "newAxis" };
  if (item instanceof Tensor) {
    if (item.dtype === "bool") return { kind: "mask", mask: item };
    return { kind: "tensor", index: requireIndex("index", item, "an index tensor") };
  }
  if (Array.isArray(item)) {
    if (!item.every((v) => Number.isInteger(v))) {
      throw new InvalidArgumentError(`index: the array ${JSON.stringify(item)} must hold only integers.`);
    }
    return { kind: "tensor", index: toIndex("index", item) };
  }
  if (typeof item === "object" && item !== undefined) {
    const spec = item as SliceSpec;
    const unknown = Object.keys(spec).filter((key) => !["start", "end", "step"].includes(key));
    if (unknown.length > 0) throw new InvalidArgumentError(`index: slice object has unknown field "${unknown[0]}"; valid fields are start, end, step.`);
    return checkSlice(spec.start, spec.end, spec.step ?? 1);
  }
  throw new InvalidArgumentError(`index: ${describe(item)} is not a valid index; use an integer, a slice string such as "1:3", null, "...", or an int32 tensor.`);
}

/**
 * Replaces the ellipsis with enough full slices that the items name every input dimension.
 * Without an ellipsis the items stay as they are, and trailing dimensions are kept whole.
 */
function expandEllipsis(items: ParsedItem[], rank: number): ParsedItem[] {
  const consumed = items.filter((item) => item.kind !== "newAxis" && item.kind !== "ellipsis").length;
  const ellipses = items.filter((item) => item.kind === "ellipsis").length;
  if (ellipses > 1) throw new InvalidArgumentError(`index: "..." appears ${ellipses} times; it may appear at most once.`);
  if (consumed > rank) {
    throw new InvalidArgumentError(`index: ${consumed} indices were given for a tensor of rank ${rank}; pass at most ${rank} (null and "..." do not count).`);
  }
  const fill: ParsedItem[] = Array.from({ length: rank - consumed }, () => ({ kind: "slice", start: undefined, end: undefined, step: 1 }));
  const at = items.findIndex((item) => item.kind === "ellipsis");
  return at < 0 ? items : [...items.slice(0, at), ...fill, ...items.slice(at + 1)];
}

/** Wraps negative positions and checks the range, returning a fresh int32 index. */
function resolveIndexTensor(index: Tensor, dim: number, size: number): Tensor {
  const values = index.dataSync() as Int32Array;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value < -size || value >= size) {
      throw new InvalidArgumentError(`index: index ${value} is out of range for dimension ${dim} of size ${size}; expected a value in [${-size}, ${size - 1}].`);
    }
    if (value < 0) values[i] = value + size;
  }
  return Tensor.fromTypedArray(values, index.shape);
}

/** Indexes `input` with NumPy-style items; see IndexItem for the accepted forms. */
export function index(input: Tensor, ...items: IndexItem[]): Tensor {
  const parsed = items.map(parseItem);
  const mask = parsed.find((item) => item.kind === "mask");
  if (mask && mask.kind === "mask") {
    if (parsed.length !== 1 || !shapesEqual(mask.mask.shape, input.shape)) {
      throw new ShapeError(
        `index: a bool mask must be the only index and have the input's shape ${formatShape(input.shape)}, got shape ${formatShape(mask.mask.shape)}. Use maskedSelect or maskedFill for broadcast masks.`,
      );
    }
    return maskedSelect(input, mask.mask);
  }
  if (parsed.filter((item) => item.kind === "tensor").length > 1) {
    throw new InvalidArgumentError("index: only one index tensor per call is supported. Index twice, or use gather for paired indices.");
  }

  let out = input;
  let dim = 0;
  for (const item of expandEllipsis(parsed, input.ndim)) {
    if (item.kind === "integer") {
      const size = out.shape[dim];
      if (item.value < -size || item.value >= size) {
        throw new InvalidArgumentError(`index: index ${item.value} is out of range for dimension ${dim} of size ${size} in shape ${formatShape(out.shape)}.`);
      }
      out = select(out, dim, item.value);
    } else if (item.kind === "slice") {
      out = slice(out, dim, item.start ?? 0, item.end, item.step);
      dim++;
    } else if (item.kind === "newAxis") {
      out = unsqueeze(out, dim);
      dim++;
    } else if (item.kind === "tensor") {
      out = selectByTensor(out, dim, item.index);
      dim += item.index.ndim;
    }
  }
  return out;
}

/** Runs indexSelect along `dim` with an index of any shape, which replaces that dimension. */
function selectByTensor(input: Tensor, dim: number, rawIndex: Tensor): Tensor {
  const index = resolveIndexTensor(rawIndex, dim, input.shape[dim]);
  const picked = indexSelect(input, dim, reshape(index, [index.numel()]));
  if (index.ndim === 1) return picked;
  if (index.ndim === 0) return squeeze(picked, dim);
  const shape = [...input.shape.slice(0, dim), ...index.shape, ...input.shape.slice(dim + 1)];
  return reshape(picked, shape);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /**
     * NumPy-style indexing: integers, slice strings such as "1:3" or { start, end, step },
     * null for a new axis, "..." and one int32 index tensor or integer array.
     * Example: `x.index(0, "1:3", [2, 0])`.
     */
    index(...items: IndexItem[]): Tensor;
  }
}

Tensor.prototype.index = function (...items) {
  return index(this, ...items);
};
