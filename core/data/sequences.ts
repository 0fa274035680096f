import { type Generator, InvalidArgumentError, Tensor } from "../tensor/index.js";
import { TensorDataset } from "./dataset.js";
import { checkInteger, checkKeys, generatorOr } from "./util.js";

export interface SequenceTaskOptions {
  /** Number of sequences; 1000 by default. */
  samples?: number;
  /** Maximum sequence length L (the padded width); 10 by default. */
  length?: number;
  /** Minimum length; lengths are uniform in [minLength, length]. Equal to `length` by default (fixed length). */
  minLength?: number;
  /** Number of token ids including pad 0, so symbols are 1..vocabSize−1; 10 by default. */
  vocabSize?: number;
  generator?: Generator;
}

/**
 * Generates the copy task, where the target is the source. Returns TensorDataset(source, target, lengths) with
 * source and target int32 [N, L] (symbols uniform in 1..vocabSize−1, pad 0 after each sequence's
 * length) and lengths int32 [N]. Each sequence draws its length, then its symbols.
 */
export function copySequences(options?: SequenceTaskOptions): TensorDataset {
  return sequenceTask("copySequences", options, false);
}

/** Generates the reverse task, where the target is the source reversed within its length, then padded with 0. Same form as copySequences. */
export function reverseSequences(options?: SequenceTaskOptions): TensorDataset {
  return sequenceTask("reverseSequences", options, true);
}

function sequenceTask(owner: string, options: SequenceTaskOptions | undefined, reverse: boolean): TensorDataset {
  const opts = checkKeys(owner, options, ["samples", "length", "minLength", "vocabSize", "generator"]);
  const samples = checkInteger(owner, "samples", opts.samples ?? 1000, 1);
  const length = checkInteger(owner, "length", opts.length ?? 10, 1);
  const minLength = checkInteger(owner, "minLength", opts.minLength ?? length, 1);
  const vocabSize = checkInteger(owner, "vocabSize", opts.vocabSize ?? 10, 2);
  if (minLength > length) {
    throw new InvalidArgumentError(`${owner}: minLength=${minLength} is larger than length=${length}; expected minLength <= length.`);
  }
  const generator = generatorOr(opts.generator);

  const source = new Int32Array(samples * length);
  const target = new Int32Array(samples * length);
  const lengths = new Int32Array(samples);
  for (let n = 0; n < samples; n++) {
    const size = generator.integer(minLength, length + 1);
    lengths[n] = size;
    for (let i = 0; i < size; i++) source[n * length + i] = generator.integer(1, vocabSize);
    for (let i = 0; i < size; i++) target[n * length + i] = source[n * length + (reverse ? size - 1 - i : i)];
  }
  return new TensorDataset(
    Tensor.fromTypedArray(source, [samples, length]),
    Tensor.fromTypedArray(target, [samples, length]),
    Tensor.fromTypedArray(lengths, [samples]),
  );
}
