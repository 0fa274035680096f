import { type DType, allocate, isFloating } from "./dtype.js";
import { InvalidArgumentError } from "./errors.js";
import { type TensorLike, type TensorOptions, allocateShape, checkOptions, empty, toTensor } from "./convert.js";
import { Generator, defaultGenerator } from "./random.js";
import { checkShape, numel } from "./shape.js";
import { Storage } from "./storage.js";
import { Tensor } from "./tensor.js";

/**
 * Tensor creation: from data, filled, ranges, identity, and seeded random draws.
 * Options carry `dtype` (float32 by default) and `requiresGrad`.
 */

const BASIC = ["dtype", "requiresGrad"] as const;
const RANDOM = ["dtype", "requiresGrad", "generator"] as const;

export interface RandomOptions extends TensorOptions {
  /** The stream to draw from; the default generator (seeded by manualSeed) when omitted. */
  generator?: Generator;
}

function finish(op: string, out: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) {
    if (!isFloating(out.dtype)) {
      throw new InvalidArgumentError(`${op}: only floating tensors can require gradients, but dtype is ${out.dtype}. Pass { dtype: "float32" } or "float64".`);
    }
    out.requiresGrad = true;
  }
  return out;
}

/**
 * Creates a tensor from nested arrays, a typed array, a number or a boolean. The data is copied.
 * Numbers become float32 unless `dtype` is given; booleans become bool; typed arrays keep their dtype.
 * Example: `tensor([[1, 2], [3, 4]], { dtype: "float64" })`.
 */
export function tensor(data: TensorLike, options?: TensorOptions): Tensor {
  const opts = checkOptions("tensor", options, BASIC);
  let out = toTensor("tensor", data instanceof Tensor ? data.dataSync() : data, opts.dtype);
  if (data instanceof Tensor) out = new Tensor(out.storage, data.shape);
  return finish("tensor", out, opts);
}

function filled(op: string, shape: readonly number[], value: number, options: TensorOptions | undefined): Tensor {
  const opts = checkOptions(op, options, BASIC);
  const out = empty(checkShape(op, shape), opts.dtype ?? "float32", op);
  if (value !== 0) out.storage.data.fill(out.dtype === "bool" ? 1 : value);
  return finish(op, out, opts);
}

export function zeros(shape: readonly number[], options?: TensorOptions): Tensor {
  return filled("zeros", shape, 0, options);
}

export function ones(shape: readonly number[], options?: TensorOptions): Tensor {
  return filled("ones", shape, 1, options);
}

export function full(shape: readonly number[], value: number | boolean, options?: TensorOptions): Tensor {
  const dtype = options?.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  return filled("full", shape, Number(value), { ...options, dtype });
}

function likeOptions(like: Tensor, options: TensorOptions | undefined): TensorOptions {
  return { dtype: like.dtype, ...options };
}

export function zerosLike(like: Tensor, options?: TensorOptions): Tensor {
  return zeros(like.shape, likeOptions(like, options));
}

export function onesLike(like: Tensor, options?: TensorOptions): Tensor {
  return ones(like.shape, likeOptions(like, options));
}

export function fullLike(like: Tensor, value: number, options?: TensorOptions): Tensor {
  return full(like.shape, value, likeOptions(like, options));
}

/**
 * Values from `start` to `end` (exclusive) in steps of `step`, as Python's range.
 * `arange(5)` gives 0..4. The dtype is int32 when every argument is an integer, else float32.
 */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  const opts = checkOptions("arange", options, BASIC);
  const [from, to] = end === undefined ? [0, start] : [start, end];
  if (![from, to, step].every(Number.isFinite) || step === 0) {
    throw new InvalidArgumentError(`arange: start=${from}, end=${to}, step=${step} is invalid; expected finite numbers and a non-zero step.`);
  }
  const count = Math.max(0, Math.ceil((to - from) / step));
  const dtype = opts.dtype ?? ([from, to, step].every(Number.isInteger) ? "int32" : "float32");
  const out = empty([count], dtype);
  for (let i = 0; i < count; i++) out.storage.data[i] = from + i * step;
  return finish("arange", out, opts);
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const opts = checkOptions("linspace", options, BASIC);
  if (!Number.isInteger(steps) || steps < 0) throw new InvalidArgumentError(`linspace: steps=${steps} is invalid; expected a non-negative integer.`);
  const out = empty([steps], opts.dtype ?? "float32");
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) out.storage.data[i] = i === steps - 1 && steps > 1 ? end : start + i * delta;
  return finish("linspace", out, opts);
}

/** The identity matrix with `n` rows and `m` columns (m = n by default). */
export function eye(n: number, m = n, options?: TensorOptions): Tensor {
  const opts = checkOptions("eye", options, BASIC);
  checkShape("eye", [n, m]);
  const out = empty([n, m], opts.dtype ?? "float32");
  for (let i = 0; i < Math.min(n, m); i++) out.storage.data[i * m + i] = 1;
  return finish("eye", out, opts);
}

function randomTensor(op: string, shape: readonly number[], options: RandomOptions | undefined, draw: (g: Generator) => number): Tensor {
  const opts = checkOptions(op, options, RANDOM);
  const dtype: DType = opts.dtype ?? "float32";
  const generator = opts.generator ?? defaultGenerator;
  const data = allocateShape(op, checkShape(op, shape), dtype);
  for (let i = 0; i < data.length; i++) data[i] = draw(generator);
  return finish(op, new Tensor(new Storage(data), shape), opts);
}

/** Uniform draws from [0, 1). */
export function rand(shape: readonly number[], options?: RandomOptions): Tensor {
  return randomTensor("rand", shape, options, (g) => g.uniform());
}

/** Standard normal draws. */
export function randn(shape: readonly number[], options?: RandomOptions): Tensor {
  return randomTensor("randn", shape, options, (g) => g.normal());
}

/** Uniform integers from [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new InvalidArgumentError(`randint: low=${low}, high=${high} is invalid; expected integers with low < high.`);
  }
  return randomTensor("randint", shape, { dtype: "int32", ...options }, (g) => g.integer(low, high));
}

/** A random permutation of 0..n−1 (Fisher–Yates), int32. */
export function randperm(n: number, options?: RandomOptions): Tensor {
  const opts = checkOptions("randperm", options, RANDOM);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`randperm: n=${n} is invalid; expected a non-negative integer.`);
  const generator = opts.generator ?? defaultGenerator;
  const data = allocate(opts.dtype ?? "int32", n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.integer(0, i + 1);
    const swap = data[i];
    data[i] = data[j];
    data[j] = swap;
  }
  return new Tensor(new Storage(data), [n]);
}

export function randLike(like: Tensor, options?: RandomOptions): Tensor {
  return rand(like.shape, { dtype: like.dtype, ...options });
}

export function randnLike(like: Tensor, options?: RandomOptions): Tensor {
  return randn(like.shape, { dtype: like.dtype, ...options });
}

export function randintLike(like: Tensor, low: number, high: number, options?: RandomOptions): Tensor {
  return randint(low, high, like.shape, { dtype: like.dtype, ...options });
}
