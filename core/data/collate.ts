import { InvalidArgumentError, Tensor } from "../tensor/index.js";
import { describe, formatShapeOf } from "./util.js";

/**
 * Collates a list of dataset items into one batch, element by element:
 * - tensors of one shape and dtype stack into a tensor of shape [B, ...shape];
 * - numbers become an int32 tensor [B] when every number is an integer, else float32 [B];
 * - booleans become a bool tensor [B], and strings stay an array of strings;
 * - arrays (tuples) and plain objects are collated per position or per key, keeping their form.
 * NOTE: JavaScript cannot tell 1 from 1.0, so a batch of whole-number regression targets given as
 * numbers becomes int32; store such targets as a float tensor in the dataset instead.
 */
export function defaultCollate(items: readonly unknown[]): unknown {
  if (items.length === 0) {
    throw new InvalidArgumentError("defaultCollate: expected at least one item, got an empty list.");
  }
  const first = items[0];
  if (first instanceof Tensor) return stackTensors(items as Tensor[]);
  if (typeof first === "number") return collateNumbers(items);
  if (typeof first === "boolean") return collateBooleans(items);
  if (typeof first === "string") return collateStrings(items);
  if (Array.isArray(first)) return collateTuples(items);
  if (isPlainObject(first)) return collateRecords(items);
  throw new InvalidArgumentError(
    `defaultCollate: cannot batch ${describe(first)}; items must be tensors, numbers, booleans, strings, or arrays or objects of them. Pass { collate } to DataLoader for other items.`,
  );
}

/**
 * Stacks tensors of one shape and dtype along a new first dimension into a new contiguous tensor,
 * copying each tensor's elements straight into the batch storage.
 */
export function stackTensors(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0];
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    if (!(t instanceof Tensor)) {
      throw new InvalidArgumentError(`defaultCollate: item ${i} is ${describe(t)}, but item 0 is a tensor; every item must have the same form.`);
    }
    if (t.dtype !== first.dtype || t.ndim !== first.ndim || t.shape.some((size, d) => size !== first.shape[d])) {
      throw new InvalidArgumentError(
        `defaultCollate: cannot stack item ${i}, ${describe(t)}, with item 0, ${describe(first)}; ` +
          `every tensor in a batch needs the same shape and dtype. Pad variable-length sequences with padSequences in a custom collate.`,
      );
    }
  }
  const size = first.numel();
  const Constructor = first.storage.data.constructor as new (n: number) => Tensor["storage"]["data"];
  const out = new Constructor(size * tensors.length);
  tensors.forEach((t, i) => {
    if (t.isContiguous()) out.set(t.storage.data.subarray(t.offset, t.offset + size), i * size);
    else out.set(t.dataSync(), i * size);
  });
  return Tensor.fromTypedArray(out, [tensors.length, ...first.shape]);
}

function collateNumbers(items: readonly unknown[]): Tensor {
  checkSameType(items, "number");
  const values = items as number[];
  const data = values.every(Number.isInteger) ? Int32Array.from(values) : Float32Array.from(values);
  return Tensor.fromTypedArray(data, [values.length]);
}

function collateBooleans(items: readonly unknown[]): Tensor {
  checkSameType(items, "boolean");
  return Tensor.fromTypedArray(Uint8Array.from(items as boolean[], Number), [items.length]);
}

function collateStrings(items: readonly unknown[]): string[] {
  checkSameType(items, "string");
  return [...(items as string[])];
}

function collateTuples(items: readonly unknown[]): unknown[] {
  const width = (items[0] as unknown[]).length;
  items.forEach((item, i) => {
    if (!Array.isArray(item) || item.length !== width) {
      throw new InvalidArgumentError(`defaultCollate: item ${i} is ${describe(item)}, but item 0 is an array of length ${width}; every item must have the same form.`);
    }
  });
  return Array.from({ length: width }, (_, k) => defaultCollate(items.map((item) => (item as unknown[])[k])));
}

function collateRecords(items: readonly unknown[]): Record<string, unknown> {
  const keys = Object.keys(items[0] as object);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = defaultCollate(
      items.map((item, i) => {
        if (!isPlainObject(item) || !(key in item)) {
          throw new InvalidArgumentError(`defaultCollate: item ${i} has no key "${key}", but item 0 has keys ${keys.join(", ")}; every item must have the same form.`);
        }
        return (item as Record<string, unknown>)[key];
      }),
    );
  }
  return out;
}

function checkSameType(items: readonly unknown[], type: string): void {
  const bad = items.findIndex((item) => typeof item !== type);
  if (bad >= 0) {
    throw new InvalidArgumentError(`defaultCollate: item ${bad} is ${describe(items[bad])}, but item 0 is a ${type}; every item must have the same form.`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export interface PaddedSequences {
  /** The sequences padded at the end to the longest length L: [B, L]. */
  padded: Tensor;
  /** The length of each sequence before padding: int32 [B]. */
  lengths: Tensor;
}

/**
 * Pads 1-D sequences (tensors, number arrays or typed arrays) at the end with `padValue` into one [B, L] tensor,
 * where L is the longest length (or `length` when given, which must not be shorter).
 * The dtype is the first tensor's dtype, or int32 for arrays.
 */
export function padSequences(
  sequences: readonly (Tensor | ArrayLike<number>)[],
  options: { padValue?: number; length?: number } = {},
): PaddedSequences {
  const rows = sequences.map((s, i) => {
    if (s instanceof Tensor) {
      if (s.ndim !== 1) throw new InvalidArgumentError(`padSequences: sequence ${i} has shape ${formatShapeOf(s)}; expected a 1-D tensor.`);
      return s.dataSync();
    }
    if (!Array.isArray(s) && !ArrayBuffer.isView(s)) {
      throw new InvalidArgumentError(`padSequences: sequence ${i} is ${describe(s)}; expected a 1-D tensor, an array of numbers or a typed array.`);
    }
    return s as ArrayLike<number>;
  });
  const longest = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const width = options.length ?? longest;
  if (!Number.isInteger(width) || width < longest) {
    throw new InvalidArgumentError(`padSequences: length=${options.length} is shorter than the longest sequence (${longest}); pass a length >= ${longest} or omit it.`);
  }
  const first = sequences[0];
  const Constructor = (first instanceof Tensor ? first.storage.data.constructor : Int32Array) as new (n: number) => Tensor["storage"]["data"];
  const out = new Constructor(rows.length * width);
  const padValue = options.padValue ?? 0;
  if (padValue !== 0) out.fill(padValue);
  rows.forEach((row, b) => out.set(row as ArrayLike<number> & Iterable<number>, b * width));
  return {
    padded: Tensor.fromTypedArray(out, [rows.length, width]),
    lengths: Tensor.fromTypedArray(Int32Array.from(rows, (r) => r.length), [rows.length]),
  };
}
