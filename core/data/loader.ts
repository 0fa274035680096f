import { type Generator, InvalidArgumentError, type Tensor } from "../tensor/index.js";
import { defaultCollate } from "./collate.js";
import { Dataset } from "./dataset.js";
import type { Seq2SeqBatch, Seq2SeqItem } from "./seq2seq.js";
import { checkKeys, describe, generatorOr, permutation } from "./util.js";

/**
 * The batch type without a custom collate: stacked tensors for tuples of tensors (TensorDataset),
 * padded batches for sequence pairs (Seq2SeqDataset), and unknown otherwise.
 */
export type DefaultBatch<T> = T extends Tensor[] ? Tensor[] : T extends Seq2SeqItem ? Seq2SeqBatch : unknown;

export interface DataLoaderOptions<T, B> {
  /** Items per batch; 1 by default. */
  batchSize?: number;
  /** Draw a new random order at the start of every epoch; false by default. */
  shuffle?: boolean;
  /** Drop the last batch when it has fewer than batchSize items; false by default. */
  dropLast?: boolean;
  /** Turns a list of items into a batch; defaultCollate (stacking) by default. */
  collate?: (items: T[]) => B;
  /** The stream that draws shuffled orders; the default generator (seeded by manualSeed) when omitted. */
  generator?: Generator;
}

/**
 * Iterates over a dataset in batches, with `for (const batch of loader)` or `for await`.
 * Each epoch (each new iteration) visits every index once: in order, or in a fresh permutation
 * drawn from `generator` when `shuffle` is set, so one seed gives the same orders in every process.
 * `length` is the number of batches per epoch. With the default collate, a dataset that implements
 * `getBatch` (TensorDataset, and Subsets of it) builds each batch in one copy.
 * Example: `new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(0) })`.
 */
export class DataLoader<T = unknown, B = DefaultBatch<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly collate: ((items: T[]) => B) | undefined;
  readonly generator: Generator | undefined;

  constructor(
    readonly dataset: Dataset<T>,
    options?: DataLoaderOptions<T, B>,
  ) {
    const opts = checkKeys("DataLoader", options, ["batchSize", "shuffle", "dropLast", "collate", "generator"]);
    if (!(dataset instanceof Dataset)) {
      throw new InvalidArgumentError(`DataLoader: dataset must be a Dataset (for example a TensorDataset), got ${describe(dataset)}.`);
    }
    const batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InvalidArgumentError(`DataLoader: batchSize=${batchSize} is invalid; expected a positive integer such as 32.`);
    }
    if (opts.collate !== undefined && typeof opts.collate !== "function") {
      throw new InvalidArgumentError(`DataLoader: collate must be a function (items) => batch, got ${describe(opts.collate)}.`);
    }
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.collate = opts.collate;
    this.generator = opts.generator;
  }

  /** The number of batches in one epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Lists the dataset indices of each batch of one epoch. A shuffled loader draws a new order per call. */
  batchIndices(): number[][] {
    const n = this.dataset.length;
    const order = this.shuffle ? permutation(n, generatorOr(this.generator)) : Array.from({ length: n }, (_, i) => i);
    const batches: number[][] = [];
    for (let start = 0; start < n; start += this.batchSize) {
      const batch = order.slice(start, start + this.batchSize);
      if (batch.length < this.batchSize && this.dropLast) break;
      batches.push(batch);
    }
    return batches;
  }

  /** Builds the batch of `indices`. */
  fetch(indices: readonly number[]): B {
    if (this.collate === undefined && this.dataset.getBatch) return this.dataset.getBatch(indices) as B;
    const items = indices.map((i) => this.dataset.get(i));
    return this.collate ? this.collate(items) : (defaultCollate(items) as B);
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchIndices()) yield this.fetch(indices);
  }

  /** Async iteration yields to the event loop between batches, so timers and I/O run during an epoch. */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    for (const indices of this.batchIndices()) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      yield this.fetch(indices);
    }
  }
}
