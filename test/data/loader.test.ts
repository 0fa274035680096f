import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

const { DataLoader, TensorDataset, Subset, MapDataset } = pl.data;

function indexDataset(n: number): InstanceType<typeof TensorDataset> {
  const features = pl.tensor(Array.from({ length: n }, (_, i) => [i, -i]));
  return new TensorDataset(features, pl.arange(n));
}

function labelBatches(loader: Iterable<unknown>): number[][] {
  return [...loader].map((batch) => (batch as pl.Tensor[])[1].toArray() as number[]);
}

describe("DataLoader batching", () => {
  test("batches in order with a short last batch", () => {
    const loader = new DataLoader(indexDataset(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader] as pl.Tensor[][];
    expect(batches.map(([x]) => x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches[2][0].toArray()).toEqual([[8, -8], [9, -9]]);
    expect(batches[0][1].dtype).toBe("int32");
    expect(labelBatches(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  test("dropLast drops the short batch", () => {
    const loader = new DataLoader(indexDataset(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(labelBatches(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  test("dropLast keeps an exact final batch", () => {
    const loader = new DataLoader(indexDataset(8), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(labelBatches(loader).flat()).toHaveLength(8);
  });

  test("batchSize 1 is the default", () => {
    const loader = new DataLoader(indexDataset(3));
    expect(loader.length).toBe(3);
    expect(([...loader][0] as pl.Tensor[])[0].shape).toEqual([1, 2]);
  });

  test("per-item collate path matches the getBatch path", () => {
    const data = indexDataset(7);
    const viaItems = new MapDataset(data, (item) => item); // no getBatch, so items go through defaultCollate
    const fast = [...new DataLoader(data, { batchSize: 3 })] as pl.Tensor[][];
    const slow = [...new DataLoader(viaItems, { batchSize: 3 })] as pl.Tensor[][];
    expect(slow.map((b) => b.map((t) => t.toArray()))).toEqual(fast.map((b) => b.map((t) => t.toArray())));
    expect(slow.map((b) => b.map((t) => t.dtype))).toEqual(fast.map((b) => b.map((t) => t.dtype)));
  });

  test("custom collate receives the items", () => {
    const loader = new DataLoader(indexDataset(5), { batchSize: 2, collate: (items) => items.map(([, y]) => y.item()) });
    expect([...loader]).toEqual([[0, 1], [2, 3], [4]]);
  });

  test("Subset batches through the parent's getBatch", () => {
    const loader = new DataLoader(new Subset(indexDataset(10), [9, 2, 4]), { batchSize: 2 });
    expect(labelBatches(loader)).toEqual([[9, 2], [4]]);
  });

  test("async iteration gives the same batches", async () => {
    const loader = new DataLoader(indexDataset(5), { batchSize: 2 });
    const seen: number[][] = [];
    for await (const batch of loader) seen.push((batch as pl.Tensor[])[1].toArray() as number[]);
    expect(seen).toEqual(labelBatches(loader));
  });
});

describe("DataLoader shuffle", () => {
  test("each epoch visits every index once", () => {
    const loader = new DataLoader(indexDataset(23), { batchSize: 5, shuffle: true, generator: new pl.Generator(3) });
    const epochs = [labelBatches(loader).flat(), labelBatches(loader).flat(), labelBatches(loader).flat()];
    for (const order of epochs) {
      expect(order).toHaveLength(23);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    }
    expect(epochs[0]).not.toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(epochs[1]).not.toEqual(epochs[0]);
  });

  test("shuffle with dropLast still draws from every index", () => {
    const loader = new DataLoader(indexDataset(10), { batchSize: 3, shuffle: true, dropLast: true, generator: new pl.Generator(0) });
    const seen = new Set<number>();
    for (let epoch = 0; epoch < 20; epoch++) {
      const order = labelBatches(loader).flat();
      expect(order).toHaveLength(9);
      expect(new Set(order).size).toBe(9);
      order.forEach((i) => seen.add(i));
    }
    expect(seen.size).toBe(10);
  });

  test("same seed gives the same order", () => {
    const make = (seed: number) => new DataLoader(indexDataset(30), { batchSize: 4, shuffle: true, generator: new pl.Generator(seed) });
    const a = make(11);
    const b = make(11);
    expect(labelBatches(a)).toEqual(labelBatches(b));
    expect(labelBatches(a)).toEqual(labelBatches(b));
    expect(labelBatches(make(12))).not.toEqual(labelBatches(make(11)));
  });

  test("the default generator follows manualSeed", () => {
    pl.manualSeed(5);
    const first = labelBatches(new DataLoader(indexDataset(12), { batchSize: 12, shuffle: true }));
    pl.manualSeed(5);
    const second = labelBatches(new DataLoader(indexDataset(12), { batchSize: 12, shuffle: true }));
    expect(second).toEqual(first);
  });

  test("another process draws the same order", async () => {
    const loader = new DataLoader(indexDataset(40), { batchSize: 40, shuffle: true, generator: new pl.Generator(2024) });
    const here = labelBatches(loader)[0];

    const folder = mkdtempSync(join(tmpdir(), "paramlab-loader-"));
    const bundle = join(folder, "data.mjs");
    await build({
      stdin: { contents: 'export * from "./core/tensor/index.ts"; export * as data from "./core/data/index.ts";', resolveDir: process.cwd(), loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "node",
      packages: "external",
      outfile: bundle,
      logLevel: "error",
    });
    const script = `
      const pl = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const data = new pl.data.TensorDataset(pl.zeros([40, 1]), pl.arange(40));
      const loader = new pl.data.DataLoader(data, { batchSize: 40, shuffle: true, generator: new pl.Generator(2024) });
      const [batch] = [...loader];
      console.log(JSON.stringify(batch[1].toArray()));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    rmSync(folder, { recursive: true, force: true });
    expect(JSON.parse(output)).toEqual(here);
  });
});

describe("DataLoader arguments", () => {
  test("rejects batchSize 0, negative and fractional", () => {
    for (const batchSize of [0, -4, 2.5, Number.NaN]) {
      expect(() => new DataLoader(indexDataset(3), { batchSize })).toThrow(/batchSize=.* is invalid; expected a positive integer/);
    }
  });

  test("rejects unknown options and a bad collate", () => {
    expect(() => new DataLoader(indexDataset(3), { batch_size: 2 } as never)).toThrow(/unknown option "batch_size"; valid options are batchSize/);
    expect(() => new DataLoader(indexDataset(3), { collate: 3 } as never)).toThrow(/collate must be a function/);
  });

  test("rejects a non-dataset", () => {
    expect(() => new DataLoader([1, 2, 3] as never)).toThrow(/dataset must be a Dataset.*array of length 3/);
  });
});
