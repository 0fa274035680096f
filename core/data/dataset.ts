import { select } from "../ops/index.js";
import { InvalidArgumentError, Tensor } from "../tensor/index.js";
import { describe, formatShapeOf } from "./util.js";

/**
 * A map-style dataset: `length` items, read by index with `get(i)`. Subclasses implement both.
 * A dataset may also implement `getBatch(indices)` to build a whole batch at once, and
 * DataLoader then skips the per-item `get` and the collate function.
 */
export abstract class Dataset<T = unknown> implements Iterable<T> {
  abstract get length(): number;

  abstract get(index: number): T;

  /** Builds the collated batch of `indices` directly; optional. */
  getBatch?(indices: readonly number[]): unknown;

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** Raises unless `index` is an integer in [0, length), naming the dataset. */
export function checkIndex(owner: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new InvalidArgumentError(
      `${owner}.get: index ${index} is out of range for a dataset of length ${length}; expected an integer in [0, ${length}).`,
    );
  }
}

/**
 * A dataset of tensors that share their first dimension N. Item i is the array of each tensor's
 * row i (a view, so no data is copied). `getBatch` gathers rows straight into new contiguous
 * tensors, which is what DataLoader uses with the default collate.
 * Example: `new TensorDataset(images, labels)` with images [N, 1, 28, 28] and labels [N].
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) {
      throw new InvalidArgumentError("TensorDataset: expected at least one tensor, got none. Pass tensors such as new TensorDataset(features, labels).");
    }
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.ndim === 0) {
        throw new InvalidArgumentError(`TensorDataset: argument ${i} must be a tensor with at least one dimension, got ${describe(t)}.`);
      }
    });
    const size = tensors[0].shape[0];
    const mismatch = tensors.findIndex((t) => t.shape[0] !== size);
    if (mismatch >= 0) {
      throw new InvalidArgumentError(
        `TensorDataset: every tensor must have the same first dimension, but tensor 0 has shape ${formatShapeOf(tensors[0])} ` +
          `and tensor ${mismatch} has shape ${formatShapeOf(tensors[mismatch])}.`,
      );
    }
    this.tensors = Object.freeze([...tensors]);
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    checkIndex("TensorDataset", index, this.length);
    return this.tensors.map((t) => select(t, 0, index));
  }

  /**
   * Copies rows `indices` of each tensor into new contiguous tensors of shape [B, ...].
   * NOTE: the batch is a copy, so it carries no gradient history back to the dataset's tensors.
   */
  override getBatch(indices: readonly number[]): Tensor[] {
    for (const index of indices) checkIndex("TensorDataset", index, this.length);
    return this.tensors.map((t) => gatherRows(t, indices));
  }
}

/** Copies rows `indices` of `source` (along dimension 0) into a new contiguous tensor. */
export function gatherRows(source: Tensor, indices: readonly number[]): Tensor {
  const rowShape = source.shape.slice(1);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const Constructor = source.storage.data.constructor as new (n: number) => Tensor["storage"]["data"];
  const out = new Constructor(indices.length * rowSize);
  const data = source.storage.data;
  const contiguousRows = source.isContiguous();
  for (let b = 0; b < indices.length; b++) {
    const start = source.offset + indices[b] * source.strides[0];
    if (contiguousRows) {
      out.set(data.subarray(start, start + rowSize), b * rowSize);
    } else {
      const row = new Tensor(source.storage, rowShape, source.strides.slice(1), start);
      out.set(row.dataSync(), b * rowSize);
    }
  }
  return Tensor.fromTypedArray(out, [indices.length, ...rowShape]);
}

/** The items of `dataset` at `indices`, in that order. */
export class Subset<T> extends Dataset<T> {
  readonly indices: readonly number[];

  constructor(
    readonly dataset: Dataset<T>,
    indices: readonly number[],
  ) {
    super();
    if (!(dataset instanceof Dataset)) {
      throw new InvalidArgumentError(`Subset: dataset must be a Dataset, got ${describe(dataset)}.`);
    }
    const length = dataset.length;
    const bad = indices.findIndex((i) => !Number.isInteger(i) || i < 0 || i >= length);
    if (bad >= 0) {
      throw new InvalidArgumentError(
        `Subset: indices[${bad}] = ${indices[bad]} is out of range for a dataset of length ${length}; expected integers in [0, ${length}).`,
      );
    }
    this.indices = Object.freeze([...indices]);
    if (dataset.getBatch) {
      const parentBatch = dataset.getBatch.bind(dataset);
      this.getBatch = (batch) => parentBatch(batch.map((i) => this.parentIndex(i)));
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.parentIndex(index));
  }

  private parentIndex(index: number): number {
    checkIndex("Subset", index, this.indices.length);
    return this.indices[index];
  }
}

/**
 * The items of `dataset` passed through `fn(item, index)` when read. Use it to attach transforms:
 * `new MapDataset(train, ([x, y]) => [augment(x), y])`.
 */
export class MapDataset<T, U> extends Dataset<U> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly fn: (item: T, index: number) => U,
  ) {
    super();
    if (!(dataset instanceof Dataset)) {
      throw new InvalidArgumentError(`MapDataset: dataset must be a Dataset, got ${describe(dataset)}.`);
    }
    if (typeof fn !== "function") {
      throw new InvalidArgumentError(`MapDataset: fn must be a function (item, index) => newItem, got ${describe(fn)}.`);
    }
  }

  get length(): number {
    return this.dataset.length;
  }

  get(index: number): U {
    return this.fn(this.dataset.get(index), index);
  }
}
