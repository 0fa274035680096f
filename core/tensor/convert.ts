import { type DType, type TypedArray, allocate, dtypeOfArray, isDType } from "./dtype.js";
import { InvalidArgumentError } from "./errors.js";
import { Storage } from "./storage.js";
import { type NestedArray, Tensor } from "./tensor.js";
import { type Shape, numel } from "./shape.js";

/** Anything an op accepts where a tensor is expected: a tensor, a number, a boolean or nested arrays. */
export type TensorLike = Tensor | number | boolean | NestedArray | TypedArray;

/**
 * Allocates zeroed storage for `shape`, turning the engine's RangeError for a size no typed array
 * can hold into an error that names `op`, the shape and the element count.
 */
export function allocateShape(op: string, shape: Shape, dtype: DType): TypedArray {
  const size = numel(shape);
  try {
    return allocate(dtype, size);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const bytes = size * allocate(dtype, 0).BYTES_PER_ELEMENT;
    throw new InvalidArgumentError(
      `${op}: shape [${shape.join(", ")}] needs ${size} ${dtype} elements (${(bytes / 2 ** 30).toFixed(1)} GiB), more than one typed array can hold here ` +
        `(the JavaScript engine raised "${error.message}"). Use a smaller shape, or split the data into several tensors.`,
    );
  }
}

/** Creates a contiguous tensor of `shape` with zero-filled storage; `op` names the caller in errors. */
export function empty(shape: Shape, dtype: DType, op = "empty"): Tensor {
  return new Tensor(new Storage(allocateShape(op, shape, dtype)), shape);
}

/** A 0-d tensor holding `value`. */
export function scalarTensor(value: number | boolean, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = typeof value === "boolean" ? Number(value) : value;
  return new Tensor(new Storage(data), []);
}

/** Infers the shape of nested arrays, raising on ragged input. */
export function inferShape(op: string, data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const check = (value: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(value)) throw raggedError(op, path, shape);
      if (typeof value !== "number" && typeof value !== "boolean") {
        throw new InvalidArgumentError(
          `${op}: element ${path || "[]"} is ${JSON.stringify(value)}; expected a number or a boolean.`,
        );
      }
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) throw raggedError(op, path, shape);
    value.forEach((v, i) => check(v, dim + 1, `${path}[${i}]`));
  };
  check(data, 0, "");
  return shape;
}

function raggedError(op: string, path: string, shape: number[]): InvalidArgumentError {
  return new InvalidArgumentError(
    `${op}: nested arrays are ragged at ${path || "the top level"}; every row must have the same length, ` +
      `as the first element implies shape [${shape.join(", ")}].`,
  );
}

/** Flattens nested arrays (already checked by inferShape) into `out`. */
export function fillFlat(data: NestedArray, out: TypedArray): void {
  let i = 0;
  const isBool = out instanceof Uint8Array;
  const walk = (value: NestedArray): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else out[i++] = typeof value === "boolean" || isBool ? Number(Boolean(value)) : value;
  };
  walk(data);
}

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Checks an options object: known keys only, a valid dtype. */
export function checkOptions<T extends object>(op: string, options: T | undefined, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${op}: options must be an object such as { dtype: "float64" }, got ${JSON.stringify(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(`${op}: unknown option "${key}"; valid options are ${allowed.join(", ")}.`);
    }
  }
  const dtype = (options as { dtype?: unknown }).dtype;
  if (dtype !== undefined && !isDType(dtype)) {
    throw new InvalidArgumentError(`${op}: dtype "${String(dtype)}" is invalid; expected float32, float64, int32 or bool.`);
  }
  return options;
}

/**
 * Converts `value` to a tensor. Numbers become float32 unless `dtype` says otherwise (JavaScript
 * cannot tell 1 from 1.0), booleans become bool, and typed arrays keep their dtype.
 */
export function toTensor(op: string, value: TensorLike, dtype?: DType): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return scalarTensor(value, dtype ?? (typeof value === "boolean" ? "bool" : "float32"));
  }
  if (ArrayBuffer.isView(value)) {
    const data = value as TypedArray;
    const own = allocate(dtype ?? dtypeOfArray(data), data.length);
    if (own instanceof Uint8Array) for (let i = 0; i < data.length; i++) own[i] = data[i] ? 1 : 0;
    else own.set(data);
    return new Tensor(new Storage(own), [data.length]);
  }
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(`${op}: expected a tensor, a number or nested arrays of numbers, got ${describe(value)}.`);
  }
  const shape = inferShape(op, value);
  const inferred = dtype ?? (firstLeaf(value) === "boolean" ? "bool" : "float32");
  const data = allocate(inferred, numel(shape));
  fillFlat(value, data);
  return new Tensor(new Storage(data), shape);
}

function firstLeaf(value: NestedArray): string {
  let level = value;
  while (Array.isArray(level)) {
    if (level.length === 0) return "number";
    level = level[0];
  }
  return typeof level;
}

/** A short description of an unexpected value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(", ")}]`;
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
