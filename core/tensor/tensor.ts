import { type DType, type TypedArray, dtypeOfArray } from "./dtype.js";
import { InvalidArgumentError, formatShape } from "./errors.js";
import { formatTensor } from "./format.js";
import { type Shape, contiguousStrides, isContiguous, numel } from "./shape.js";
import { Storage } from "./storage.js";

/** The autograd node that produced a tensor; the autograd layer implements it. */
export interface GradFn {
  readonly name: string;
  /** The output linked for backward because it has hooks or retains its gradient. */
  observed: Tensor | null;
}

/** A function run on a tensor's gradient during backward; it may return a replacement gradient. */
export type TensorHook = (grad: Tensor) => Tensor | void;

/** Nested arrays of numbers or booleans, as `toArray()` returns them. */
export type NestedArray = number | boolean | NestedArray[];

let nextId = 0;

/**
 * An n-dimensional array of one dtype, viewed through shape, strides and an offset into a shared
 * Storage. Tensors are immutable except through the in-place methods ending in `_`, which bump the
 * storage version. Ops and their gradient rules are attached by core/ops.
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  /** Whether gradients flow to this tensor. Set it on leaves; ops set it on their outputs. */
  requiresGrad = false;
  /** The accumulated gradient of a leaf, or of a non-leaf that called `retainGrad()`. */
  grad: Tensor | null = null;
  /** The node that made this tensor, or null for a leaf. */
  gradFn: GradFn | null = null;
  /** The tensor this one is a view of, or null when it owns its storage layout. */
  base: Tensor | null = null;
  hooks: TensorHook[] = [];
  retainsGrad = false;
  /** An optional name shown in displays and error messages. */
  name: string | undefined;

  constructor(
    readonly storage: Storage,
    shape: Shape,
    strides?: readonly number[],
    readonly offset = 0,
  ) {
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
  }

  /** Wraps a typed array as a contiguous tensor without copying. */
  static fromTypedArray(data: TypedArray, shape: Shape): Tensor {
    if (numel(shape) !== data.length) {
      throw new InvalidArgumentError(
        `Tensor.fromTypedArray: shape ${formatShape(shape)} needs ${numel(shape)} elements, but the array has ${data.length}.`,
      );
    }
    return new Tensor(new Storage(data), shape);
  }

  get dtype(): DType {
    return dtypeOfArray(this.storage.data);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  numel(): number {
    return numel(this.shape);
  }

  /** The whole shape, or the size of one dimension (negative indices count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    const d = dim < 0 ? dim + this.ndim : dim;
    if (!Number.isInteger(d) || d < 0 || d >= this.ndim) {
      throw new InvalidArgumentError(`size: dim=${dim} is out of range for a tensor of rank ${this.ndim}.`);
    }
    return this.shape[d];
  }

  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** True for a tensor not made by a differentiable op (user-created or detached). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The storage version, increased by every in-place write to this tensor or its views. */
  get version(): number {
    return this.storage.version;
  }

  /**
   * The elements in row-major order as a new typed array of the tensor's dtype.
   * A contiguous tensor still gets a copy, so callers may write to the result freely.
   */
  dataSync(): TypedArray {
    const out = new (this.storage.data.constructor as new (n: number) => TypedArray)(this.numel());
    copyStrided(this, out);
    return out;
  }

  /** The elements as nested JavaScript arrays (booleans for a bool tensor, a bare value for 0-d). */
  toArray(): NestedArray {
    const flat = this.dataSync();
    const isBool = this.dtype === "bool";
    const read = (i: number): number | boolean => (isBool ? flat[i] !== 0 : flat[i]);
    if (this.ndim === 0) return read(0);
    let position = 0;
    const build = (dim: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) {
        out.push(dim === this.ndim - 1 ? read(position++) : build(dim + 1));
      }
      return out;
    };
    return build(0);
  }

  /** The value of a one-element tensor as a JavaScript number. */
  item(): number {
    if (this.numel() !== 1) {
      throw new InvalidArgumentError(
        `item: only a one-element tensor can be converted to a number, but this tensor has shape ${formatShape(this.shape)}. ` +
          `Reduce it first (for example .sum() or .mean()), or use toArray().`,
      );
    }
    return this.storage.data[this.offset];
  }

  /** Registers a hook called with this tensor's gradient during backward. Returns a remover. */
  registerHook(hook: TensorHook): () => void {
    if (!this.requiresGrad) {
      throw new InvalidArgumentError("registerHook: this tensor does not require grad, so no gradient will reach the hook.");
    }
    this.hooks.push(hook);
    if (this.gradFn) this.gradFn.observed = this;
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  /** A new leaf sharing this tensor's storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /** Keeps `.grad` on a non-leaf tensor after backward, as leaves do. */
  retainGrad(): this {
    this.retainsGrad = true;
    if (this.gradFn) this.gradFn.observed = this;
    return this;
  }

  /** Sets `requiresGrad` on a leaf and returns the tensor. */
  requiresGrad_(value = true): this {
    if (!this.isLeaf) {
      throw new InvalidArgumentError(
        "requiresGrad_: only leaf tensors can change requiresGrad; this tensor was produced by an op. Use .detach().requiresGrad_() for a new leaf.",
      );
    }
    this.requiresGrad = value;
    return this;
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Copies the elements of `source` in row-major order into `out`. */
export function copyStrided(source: Tensor, out: TypedArray): void {
  const data = source.storage.data;
  const size = source.numel();
  if (size === 0) return;
  if (source.isContiguous()) {
    if (out.constructor === data.constructor) out.set(data.subarray(source.offset, source.offset + size));
    else for (let i = 0; i < size; i++) out[i] = data[source.offset + i];
    return;
  }
  const shape = source.shape;
  const strides = source.strides;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  let position = source.offset;
  for (let o = 0; o < size; o += inner) {
    for (let i = 0, p = position; i < inner; i++, p += innerStride) out[o + i] = data[p];
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      position += strides[d];
      if (index[d] < shape[d]) break;
      position -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}
