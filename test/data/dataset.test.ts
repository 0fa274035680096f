import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

const { TensorDataset, Subset, MapDataset, randomSplit, defaultCollate, padSequences } = pl.data;

function indexDataset(n: number): InstanceType<typeof TensorDataset> {
  const features = pl.tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
  const labels = pl.arange(n);
  return new TensorDataset(features, labels);
}

describe("TensorDataset", () => {
  test("items are rows of each tensor", () => {
    const data = indexDataset(5);
    expect(data.length).toBe(5);
    const [x, y] = data.get(3);
    expect(x.shape).toEqual([2]);
    expect(x.toArray()).toEqual([3, 30]);
    expect(y.item()).toBe(3);
    expect(y.dtype).toBe("int32");
  });

  test("iteration visits items in order", () => {
    const labels = [...indexDataset(4)].map(([, y]) => y.item());
    expect(labels).toEqual([0, 1, 2, 3]);
  });

  test("getBatch gathers rows of strided tensors", () => {
    const base = pl.tensor([[1, 2, 3], [4, 5, 6]]);
    const columns = base.transpose(0, 1); // [3, 2], not contiguous
    const data = new TensorDataset(columns);
    const [batch] = data.getBatch([2, 0]);
    expect(batch.shape).toEqual([2, 2]);
    expect(batch.toArray()).toEqual([[3, 6], [1, 4]]);
  });

  test("rejects mismatched first dimensions", () => {
    expect(() => new TensorDataset(pl.zeros([4, 2]), pl.zeros([3]))).toThrow(/same first dimension.*\[4, 2\].*\[3\]/);
  });

  test("rejects no tensors and scalars", () => {
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(pl.tensor(1))).toThrow(/at least one dimension/);
  });

  test("rejects an index out of range", () => {
    expect(() => indexDataset(3).get(3)).toThrow(/index 3 is out of range for a dataset of length 3/);
    expect(() => indexDataset(3).get(1.5)).toThrow(/index 1.5/);
  });
});

describe("Subset and MapDataset", () => {
  test("Subset reads the parent at its indices", () => {
    const subset = new Subset(indexDataset(6), [5, 1, 3]);
    expect(subset.length).toBe(3);
    expect(subset.get(0)[1].item()).toBe(5);
    expect(subset.get(2)[1].item()).toBe(3);
    const [, labels] = subset.getBatch!([1, 2]) as pl.Tensor[];
    expect(labels.toArray()).toEqual([1, 3]);
  });

  test("Subset rejects indices outside the parent", () => {
    expect(() => new Subset(indexDataset(3), [0, 3])).toThrow(/indices\[1\] = 3 is out of range/);
    expect(() => new Subset(indexDataset(3), [0]).get(1)).toThrow(/index 1 is out of range/);
  });

  test("MapDataset applies the function on read", () => {
    const doubled = new MapDataset(indexDataset(3), ([x, y], i) => ({ x: x.mul(2), y, i }));
    const item = doubled.get(2);
    expect(item.x.toArray()).toEqual([4, 40]);
    expect(item.i).toBe(2);
    expect(doubled.length).toBe(3);
  });
});

describe("randomSplit", () => {
  const labelsOf = (subset: pl.data.Subset<pl.Tensor[]>): number[] => [...subset].map(([, y]) => y.item());

  test("integer lengths give disjoint subsets covering the dataset", () => {
    const parts = randomSplit(indexDataset(10), [7, 3], { generator: new pl.Generator(1) });
    expect(parts.map((p) => p.length)).toEqual([7, 3]);
    const all = [...labelsOf(parts[0]), ...labelsOf(parts[1])];
    expect(new Set(all).size).toBe(10);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test("fractions share the remainder in order", () => {
    const parts = randomSplit(indexDataset(10), [0.35, 0.35, 0.3], { generator: new pl.Generator(0) });
    // floor gives 3, 3, 3; the one item left goes to the first subset.
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
  });

  test("same seed gives the same split", () => {
    const a = randomSplit(indexDataset(50), [0.8, 0.2], { generator: new pl.Generator(7) });
    const b = randomSplit(indexDataset(50), [0.8, 0.2], { generator: new pl.Generator(7) });
    const c = randomSplit(indexDataset(50), [0.8, 0.2], { generator: new pl.Generator(8) });
    expect(a[1].indices).toEqual(b[1].indices);
    expect(a[1].indices).not.toEqual(c[1].indices);
  });

  test("rejects fractions not summing to 1", () => {
    expect(() => randomSplit(indexDataset(10), [0.5, 0.4])).toThrow(/sum to 0.9, but the dataset has 10 items/);
  });

  test("rejects lengths with the wrong sum", () => {
    expect(() => randomSplit(indexDataset(10), [6, 5])).toThrow(/sum to 11.*integer sizes that sum to 10/);
  });

  test("rejects negative, empty and non-numeric lengths", () => {
    expect(() => randomSplit(indexDataset(10), [-2, 12])).toThrow(/non-negative/);
    expect(() => randomSplit(indexDataset(10), [])).toThrow(/non-empty array/);
    expect(() => randomSplit(indexDataset(10), [0.5, Number.NaN])).toThrow(/lengths=/);
  });

  test("rejects unknown options", () => {
    expect(() => randomSplit(indexDataset(10), [5, 5], { seed: 1 } as never)).toThrow(/unknown option "seed"/);
  });
});

describe("defaultCollate", () => {
  test("stacks tensors along a new first dimension", () => {
    const batch = defaultCollate([pl.tensor([[1, 2]]), pl.tensor([[3, 4]]), pl.tensor([[5, 6]])]) as pl.Tensor;
    expect(batch.shape).toEqual([3, 1, 2]);
    expect(batch.dtype).toBe("float32");
    expect(batch.toArray()).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
  });

  test("stacks strided views by their logical order", () => {
    const m = pl.tensor([[1, 2], [3, 4]], { dtype: "float64" });
    const batch = defaultCollate([m.t(), m]) as pl.Tensor;
    expect(batch.dtype).toBe("float64");
    expect(batch.toArray()).toEqual([[[1, 3], [2, 4]], [[1, 2], [3, 4]]]);
  });

  test("turns numbers, booleans and strings into batches", () => {
    const ints = defaultCollate([1, 2, 3]) as pl.Tensor;
    expect(ints.dtype).toBe("int32");
    expect(ints.toArray()).toEqual([1, 2, 3]);
    const floats = defaultCollate([1, 2.5]) as pl.Tensor;
    expect(floats.dtype).toBe("float32");
    expect(floats.toArray()).toEqual([1, 2.5]);
    const flags = defaultCollate([true, false]) as pl.Tensor;
    expect(flags.dtype).toBe("bool");
    expect(flags.toArray()).toEqual([true, false]);
    expect(defaultCollate(["a", "b"])).toEqual(["a", "b"]);
  });

  test("keeps the form of tuples and objects", () => {
    const batch = defaultCollate([
      [pl.tensor([1, 2]), 0, { name: "a" }],
      [pl.tensor([3, 4]), 1, { name: "b" }],
    ]) as [pl.Tensor, pl.Tensor, { name: string[] }];
    expect(batch[0].toArray()).toEqual([[1, 2], [3, 4]]);
    expect(batch[1].toArray()).toEqual([0, 1]);
    expect(batch[2]).toEqual({ name: ["a", "b"] });
  });

  test("rejects tensors of different shapes", () => {
    expect(() => defaultCollate([pl.zeros([2]), pl.zeros([3])])).toThrow(/cannot stack item 1.*\[3\].*\[2\].*padSequences/);
  });

  test("rejects mixed forms and unsupported items", () => {
    expect(() => defaultCollate([1, "a"])).toThrow(/item 1 is "a", but item 0 is a number/);
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(/item 1 is an array of length 1/);
    expect(() => defaultCollate([new Map()])).toThrow(/cannot batch an object of class Map.*collate/);
    expect(() => defaultCollate([])).toThrow(/empty list/);
  });
});

describe("padSequences", () => {
  test("pads at the end and returns lengths", () => {
    const { padded, lengths } = padSequences([[1, 2, 3], [4], Int32Array.from([5, 6])]);
    expect(padded.dtype).toBe("int32");
    expect(padded.toArray()).toEqual([[1, 2, 3], [4, 0, 0], [5, 6, 0]]);
    expect(lengths.toArray()).toEqual([3, 1, 2]);
  });

  test("uses the pad value, the width and the tensor dtype", () => {
    const { padded } = padSequences([pl.tensor([1.5]), pl.tensor([2, 3])], { padValue: -1, length: 4 });
    expect(padded.dtype).toBe("float32");
    expect(padded.toArray()).toEqual([[1.5, -1, -1, -1], [2, 3, -1, -1]]);
  });

  test("rejects a width shorter than the longest sequence", () => {
    expect(() => padSequences([[1, 2, 3]], { length: 2 })).toThrow(/length=2 is shorter than the longest sequence \(3\)/);
  });
});
