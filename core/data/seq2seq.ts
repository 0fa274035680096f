import { InvalidArgumentError, Tensor } from "../tensor/index.js";
import { padSequences } from "./collate.js";
import { Dataset, checkIndex } from "./dataset.js";

/**
 * Variable-length id sequences packed into one Int32Array with offsets, so a list of 100,000 short
 * sequences costs two typed arrays instead of 100,000 JavaScript arrays.
 */
export class PackedSequences {
  private constructor(
    readonly data: Int32Array,
    readonly offsets: Int32Array,
  ) {}

  static from(sequences: Iterable<ArrayLike<number>>): PackedSequences {
    const list = [...sequences];
    const offsets = new Int32Array(list.length + 1);
    list.forEach((s, i) => (offsets[i + 1] = offsets[i] + s.length));
    const data = new Int32Array(offsets[list.length]);
    list.forEach((s, i) => data.set(s, offsets[i]));
    return new PackedSequences(data, offsets);
  }

  get length(): number {
    return this.offsets.length - 1;
  }

  /** Sequence `index` as a view into the packed data. */
  at(index: number): Int32Array {
    return this.data.subarray(this.offsets[index], this.offsets[index + 1]);
  }
}

/** One source/target pair of token ids. */
export interface Seq2SeqItem {
  /** Source ids: int32 [S]. */
  source: Tensor;
  /** Target ids, starting with bos and ending with eos: int32 [T]. */
  target: Tensor;
}

/** A padded batch of source/target pairs; padding uses id 0 (pad) at the end of each row. */
export interface Seq2SeqBatch {
  /** int32 [B, S], S the longest source in the batch. */
  source: Tensor;
  /** int32 [B]. */
  sourceLengths: Tensor;
  /** int32 [B, T], T the longest target in the batch, each row bos ... eos then pad. */
  target: Tensor;
  /** int32 [B], counting bos and eos. */
  targetLengths: Tensor;
}

/**
 * Pairs of variable-length id sequences. DataLoader batches it with `getBatch`, which pads the
 * sources and targets of a batch to their longest lengths and returns the lengths (Seq2SeqBatch).
 */
export class Seq2SeqDataset extends Dataset<Seq2SeqItem> {
  readonly sources: PackedSequences;
  readonly targets: PackedSequences;

  constructor(sources: PackedSequences | Iterable<ArrayLike<number>>, targets: PackedSequences | Iterable<ArrayLike<number>>) {
    super();
    this.sources = sources instanceof PackedSequences ? sources : PackedSequences.from(sources);
    this.targets = targets instanceof PackedSequences ? targets : PackedSequences.from(targets);
    if (this.sources.length !== this.targets.length) {
      throw new InvalidArgumentError(`Seq2SeqDataset: got ${this.sources.length} sources but ${this.targets.length} targets; expected one target per source.`);
    }
  }

  get length(): number {
    return this.sources.length;
  }

  get(index: number): Seq2SeqItem {
    checkIndex("Seq2SeqDataset", index, this.length);
    const source = this.sources.at(index).slice();
    const target = this.targets.at(index).slice();
    return { source: Tensor.fromTypedArray(source, [source.length]), target: Tensor.fromTypedArray(target, [target.length]) };
  }

  override getBatch(indices: readonly number[]): Seq2SeqBatch {
    for (const index of indices) checkIndex("Seq2SeqDataset", index, this.length);
    const source = padSequences(indices.map((i) => this.sources.at(i)));
    const target = padSequences(indices.map((i) => this.targets.at(i)));
    return { source: source.padded, sourceLengths: source.lengths, target: target.padded, targetLengths: target.lengths };
  }
}
