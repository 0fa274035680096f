import { type Generator, InvalidArgumentError } from "../tensor/index.js";
import { type Dataset, Subset } from "./dataset.js";
import { checkKeys, generatorOr, permutation } from "./util.js";

export interface RandomSplitOptions {
  /** The stream that draws the permutation; the default generator (seeded by manualSeed) when omitted. */
  generator?: Generator;
}

/**
 * Splits `dataset` into disjoint random subsets. `lengths` contains either integer sizes that sum to
 * the dataset's length, or fractions that sum to 1. Fractions give floor(fraction * N) items each,
 * and the remaining items go one by one to the splits in order, as PyTorch's random_split does.
 * Example: `const [train, valid] = randomSplit(data, [0.8, 0.2], { generator: new Generator(0) })`.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options?: RandomSplitOptions): Subset<T>[] {
  const opts = checkKeys("randomSplit", options, ["generator"]);
  const sizes = splitSizes(dataset.length, lengths);
  const order = permutation(dataset.length, generatorOr(opts.generator));

  const subsets: Subset<T>[] = [];
  let start = 0;
  for (const size of sizes) {
    subsets.push(new Subset(dataset, order.slice(start, start + size)));
    start += size;
  }
  return subsets;
}

/** Converts integer lengths or fractions into integer sizes that sum to `total`. */
export function splitSizes(total: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((v) => typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
    throw new InvalidArgumentError(
      `randomSplit: lengths=${JSON.stringify(lengths)} is invalid; expected a non-empty array of non-negative integer sizes or fractions, such as [800, 200] or [0.8, 0.2].`,
    );
  }
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every(Number.isInteger) && sum === total) return [...lengths];

  if (lengths.every((v) => v <= 1) && Math.abs(sum - 1) < 1e-9) {
    const sizes = lengths.map((fraction) => Math.floor(fraction * total));
    let remainder = total - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; remainder > 0; i = (i + 1) % sizes.length, remainder--) sizes[i]++;
    return sizes;
  }
  throw new InvalidArgumentError(
    `randomSplit: lengths=${JSON.stringify(lengths)} sum to ${sum}, but the dataset has ${total} items; ` +
      `pass integer sizes that sum to ${total} or fractions that sum to 1.`,
  );
}
