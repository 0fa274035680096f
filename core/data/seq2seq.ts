import { InvalidArgumentError, Tensor } from "../tensor/index.js";
import { padSequences } from "./collate.js";
import { Dataset, checkIndex } from "./dataset.js";

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
  constructor(
    readonly sources: readonly (readonly number[])[],
    readonly targets: readonly (readonly number[])[],
  ) {
    super();
    if (sources.length !== targets.length) {
      throw new InvalidArgumentError(`Seq2SeqDataset: got ${sources.length} sources but ${targets.length} targets; expected one target per source.`);
    }
  }

  get length(): number {
    return this.sources.length;
  }

  get(index: number): Seq2SeqItem {
    checkIndex("Seq2SeqDataset", index, this.length);
    return {
      source: Tensor.fromTypedArray(Int32Array.from(this.sources[index]), [this.sources[index].length]),
      target: Tensor.fromTypedArray(Int32Array.from(this.targets[index]), [this.targets[index].length]),
    };
  }

  override getBatch(indices: readonly number[]): Seq2SeqBatch {
    for (const index of indices) checkIndex("Seq2SeqDataset", index, this.length);
    const source = padSequences(indices.map((i) => this.sources[i]));
    const target = padSequences(indices.map((i) => this.targets[i]));
    return { source: source.padded, sourceLengths: source.lengths, target: target.padded, targetLengths: target.lengths };
  }
}
