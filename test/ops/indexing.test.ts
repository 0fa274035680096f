import { describe, expect, it } from "vitest";
import { gradcheck, gradgradcheck } from "../../core/autograd/index.js";
import {
  AutogradError,
  DTypeError,
  Generator,
  InvalidArgumentError,
  type NestedArray,
  ShapeError,
  Tensor,
  autograd,
  gather,
  indexAdd,
  indexSelect,
  maskedFill,
  maskedSelect,
  randint,
  randn,
  scatterAdd,
  tensor,
  zeros,
} from "../../core/index.js";

function input(shape: number[], seed: number): Tensor {
  return randn(shape, { dtype: "float64", requiresGrad: true, generator: new Generator(seed) });
}

function indices(values: NestedArray, shape?: number[]): Tensor {
  const t = tensor(values, { dtype: "int32" });
  return shape ? t.reshape(shape) : t;
}

function randomIndex(high: number, shape: number[], seed: number): Tensor {
  return randint(0, Math.max(high, 1), shape, { generator: new Generator(seed) });
}

function randomMask(shape: number[], seed: number): Tensor {
  return randint(0, 2, shape, { generator: new Generator(seed) }).to("bool");
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function unflatten(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

function flatten(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + index[d];
  return flat;
}

/** Reads element `index` of `x`, broadcasting size-1 and missing leading dimensions. */
function at(x: Tensor, index: readonly number[]): number {
  const local = index.slice(index.length - x.ndim).map((v, d) => (x.shape[d] === 1 ? 0 : v));
  return x.dataSync()[flatten(local, x.shape)];
}

/** Builds the row-major values of a tensor of `shape` whose element at each index is `value(index)`. */
function build(shape: readonly number[], value: (index: number[]) => number): number[] {
  return Array.from({ length: numel(shape) }, (_, flat) => value(unflatten(flat, shape)));
}

function values(x: Tensor): number[] {
  return Array.from(x.dataSync());
}

function square(t: Tensor): Tensor {
  return t.mul(t);
}

function checkGradients(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  expect(gradcheck(fn, inputs).ok).toBe(true);
  expect(gradgradcheck(fn, inputs).ok).toBe(true);
  expect(gradgradcheck((...xs: Tensor[]) => square(fn(...xs)), inputs).ok).toBe(true);
}

function gradOf(output: Tensor, x: Tensor): Tensor[] {
  return autograd.grad([output], [x], { createGraph: true }) as Tensor[];
}

function resolve(dim: number, rank: number): number {
  return dim < 0 ? dim + rank : dim;
}

describe("indexSelect and indexAdd", () => {
  const cases: { shape: number[]; dim: number; index: number[] | number }[] = [
    { shape: [4, 3], dim: 0, index: [2, 0, 2] },
    { shape: [4, 3], dim: -1, index: [1] },
    { shape: [2, 3, 4], dim: 1, index: [] },
    { shape: [0, 3], dim: 1, index: [0, 2, 2] },
    { shape: [2, 1, 3], dim: 1, index: [0, 0] },
    { shape: [5], dim: 0, index: 3 },
  ];

  it.each(cases)("indexSelect $shape dim $dim index $index", ({ shape, dim, index }) => {
    const x = input(shape, 0);
    const positions = typeof index === "number" ? [index] : index;
    const d = resolve(dim, shape.length);
    const out = indexSelect(x, dim, indices(index));
    const outShape = shape.map((s, k) => (k === d ? positions.length : s));
    expect(out.shape).toEqual(outShape);
    expect(values(out)).toEqual(build(outShape, (i) => at(x, i.map((v, k) => (k === d ? positions[v] : v)))));
    expect(values(x.indexSelect(dim, indices(index)))).toEqual(values(out));
  });

  it.each(cases)("indexAdd $shape dim $dim index $index", ({ shape, dim, index }) => {
    const x = input(shape, 1);
    const positions = typeof index === "number" ? [index] : index;
    const d = resolve(dim, shape.length);
    const sourceShape = shape.map((s, k) => (k === d ? positions.length : s));
    const source = input(sourceShape, 2);
    const expected = values(x);
    for (let flat = 0; flat < numel(sourceShape); flat++) {
      const i = unflatten(flat, sourceShape);
      const target = i.map((v, k) => (k === d ? positions[v] : v));
      expected[flatten(target, shape)] += at(source, i);
    }
    const out = indexAdd(x, dim, indices(index), source);
    expect(values(out)).toEqual(expected);
  });

  it.each(cases)("indexSelect/indexAdd gradients on $shape", ({ shape, dim, index }) => {
    const d = resolve(dim, shape.length);
    const count = typeof index === "number" ? 1 : index.length;
    const sourceShape = shape.map((s, k) => (k === d ? count : s));
    checkGradients((x) => indexSelect(x, dim, indices(index)), [input(shape, 3)]);
    checkGradients((x, s) => indexAdd(x, dim, indices(index), s), [input(shape, 4), input(sourceShape, 5)]);
  });

  it("selects from a 0-d tensor", () => {
    const x = tensor(7, { dtype: "float64" });
    expect(indexSelect(x, 0, indices(0)).toArray()).toBe(7);
  });

  it("rejects bad indices", () => {
    const x = input([3, 2], 0);
    expect(() => indexSelect(x, 0, tensor([0, 1]))).toThrow(DTypeError);
    expect(() => indexSelect(x, 0, tensor([0, 1]))).toThrow(/indexSelect: index has dtype float32, but indices must be int32. Convert it with .int\(\)/);
    expect(() => indexSelect(x, 0, indices([0, 3]))).toThrow(InvalidArgumentError);
    expect(() => indexSelect(x, 1, indices([-1]))).toThrow(/index -1 is out of range for dimension 1 of size 2/);
    expect(() => indexSelect(x, 0, indices([[0]]))).toThrow(/index must be 0-d or 1-d, got shape \[1, 1\]/);
    expect(() => indexAdd(x, 0, indices([0]), input([2, 2], 1))).toThrow(/source has shape \[2, 2\], but input \[3, 2\] with 1 indices along dim 0 needs \[1, 2\]/);
    expect(() => indexAdd(x, 0, indices([0]), zeros([1, 2]))).toThrow(/source has dtype float32 but input has float64/);
  });
});

describe("gather and scatterAdd", () => {
  const cases: { shape: number[]; dim: number; indexShape: number[]; sourceShape: number[] }[] = [
    { shape: [3, 4], dim: 1, indexShape: [3, 2], sourceShape: [3, 2] },
    { shape: [3, 4], dim: 0, indexShape: [5, 4], sourceShape: [5, 4] },
    { shape: [2, 3, 4], dim: -1, indexShape: [1, 2, 6], sourceShape: [2, 3, 6] },
    { shape: [3, 4], dim: 1, indexShape: [2, 3], sourceShape: [4, 5] },
    { shape: [0, 3], dim: 0, indexShape: [0, 3], sourceShape: [0, 3] },
    { shape: [3, 2], dim: 1, indexShape: [3, 0], sourceShape: [3, 1] },
    { shape: [4], dim: 0, indexShape: [6], sourceShape: [6] },
  ];

  it.each(cases)("gather $shape dim $dim index $indexShape", ({ shape, dim, indexShape }) => {
    const x = input(shape, 0);
    const d = resolve(dim, shape.length);
    const index = randomIndex(shape[d], indexShape, 1);
    const out = gather(x, dim, index);
    expect(out.shape).toEqual(indexShape);
    expect(values(out)).toEqual(build(indexShape, (i) => at(x, i.map((v, k) => (k === d ? at(index, i) : v)))));
  });

  it.each(cases)("scatterAdd $shape dim $dim index $indexShape", ({ shape, dim, indexShape, sourceShape }) => {
    const x = input(shape, 2);
    const source = input(sourceShape, 3);
    const d = resolve(dim, shape.length);
    const index = randomIndex(shape[d], indexShape, 4);
    const expected = values(x);
    for (let flat = 0; flat < numel(indexShape); flat++) {
      const i = unflatten(flat, indexShape);
      const target = i.map((v, k) => (k === d ? at(index, i) : v));
      expected[flatten(target, shape)] += at(source, i);
    }
    const out = scatterAdd(x, dim, index, source);
    expect(out.shape).toEqual(shape);
    expect(values(out)).toEqual(expected);
  });

  it.each(cases)("gather/scatterAdd gradients on $shape", ({ shape, dim, indexShape, sourceShape }) => {
    const d = resolve(dim, shape.length);
    const index = randomIndex(shape[d], indexShape, 5);
    checkGradients((x) => gather(x, dim, index), [input(shape, 6)]);
    checkGradients((x, s) => scatterAdd(x, dim, index, s), [input(shape, 7), input(sourceShape, 8)]);
  });

  it("reads non-contiguous inputs and sources", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]).T;
    expect(gather(x, 1, indices([[1], [0], [1]])).toArray()).toEqual([[4], [2], [6]]);
    const source = tensor([[10, 20], [30, 40]]).T;
    expect(scatterAdd(zeros([2, 3]), 1, indices([[2, 2], [0, 1]]), source).toArray()).toEqual([[0, 0, 40], [20, 40, 0]]);
  });

  it("composes to third-order derivatives", () => {
    const index = indices([[0, 0], [1, 0]]);
    const fn = (x: Tensor): Tensor => scatterAdd(zeros([2, 2], { dtype: "float64" }), 1, index, gather(x, 1, index).pow(3)).sum();
    const x = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
    const [g1] = gradOf(fn(x), x);
    const [g2] = gradOf(g1.sum(), x);
    const [g3] = gradOf(g2.sum(), x);
    // x[0][0] is gathered twice, x[1][0] and x[1][1] once, and d³/dx³ of k·x³ is 6k.
    expect(g3.toArray()).toEqual([[12, 0], [6, 6]]);
  });

  it("detects an index changed before backward", () => {
    const x = input([2, 3], 0);
    const index = indices([[0], [1]]);
    const y = gather(x, 1, index).sum();
    index.add_(1);
    let error: unknown;
    try {
      y.backward();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AutogradError);
    expect(String(error)).toMatch(/a tensor of shape \[2, 1\] that gather saved for its gradient was modified by an in-place operation/);
  });

  it("rejects bad indices and shapes", () => {
    const x = input([3, 4], 0);
    expect(() => gather(x, 1, tensor([[0]]))).toThrow(/gather: index has dtype float32, but indices must be int32. Convert it with .int\(\)/);
    expect(() => gather(x, 1, indices([[4]]))).toThrow(/gather: index 4 is out of range for dimension 1 of size 4; indices must be in \[0, 3\]/);
    expect(() => gather(x, 1, indices([0]))).toThrow(/index has shape \[1\] but input has \[3, 4\]; they must have the same number of dimensions/);
    expect(() => gather(x, 1, indices(new Array(8).fill(0), [4, 2]))).toThrow(/larger than input \[3, 4\] in dimension 0/);
    expect(() => scatterAdd(x, 0, indices([[-1]]), input([1, 1], 1))).toThrow(/scatterAdd: index -1 is out of range for dimension 0 of size 3/);
    expect(() => scatterAdd(x, 0, indices([[0, 0]]), input([1, 1], 1))).toThrow(/larger than source \[1, 1\] in dimension 1/);
    expect(() => scatterAdd(x, 0, indices([[0]]), zeros([1, 1]))).toThrow(DTypeError);
  });
});

describe("maskedFill and maskedSelect", () => {
  const cases: { shape: number[]; maskShape: number[] }[] = [
    { shape: [2, 3], maskShape: [2, 3] },
    { shape: [2, 3], maskShape: [3] },
    { shape: [2, 3], maskShape: [2, 1] },
    { shape: [3], maskShape: [2, 3] },
    { shape: [1, 4], maskShape: [3, 1] },
    { shape: [0, 2], maskShape: [2] },
    { shape: [], maskShape: [] },
  ];

  it.each(cases)("maskedFill $shape with mask $maskShape", ({ shape, maskShape }) => {
    const x = input(shape, 0);
    const mask = randomMask(maskShape, 1);
    const out = maskedFill(x, mask, -Infinity);
    const outShape = maskShape.length > shape.length ? [...maskShape] : [...shape];
    for (let k = 1; k <= Math.min(shape.length, maskShape.length); k++) {
      outShape[outShape.length - k] = Math.max(shape[shape.length - k], maskShape[maskShape.length - k]);
    }
    expect(out.shape).toEqual(outShape);
    expect(values(out)).toEqual(build(outShape, (i) => (at(mask, i) ? -Infinity : at(x, i))));
    expect(values(x.maskedFill(mask, -Infinity))).toEqual(values(out));
  });

  it.each(cases)("maskedSelect $shape with mask $maskShape", ({ shape, maskShape }) => {
    const x = input(shape, 2);
    const mask = randomMask(maskShape, 3);
    const outShape = maskShape.length > shape.length ? [...maskShape] : [...shape];
    for (let k = 1; k <= Math.min(shape.length, maskShape.length); k++) {
      outShape[outShape.length - k] = Math.max(shape[shape.length - k], maskShape[maskShape.length - k]);
    }
    const expected: number[] = [];
    for (let flat = 0; flat < numel(outShape); flat++) {
      const i = unflatten(flat, outShape);
      if (at(mask, i)) expected.push(at(x, i));
    }
    const out = maskedSelect(x, mask);
    expect(out.shape).toEqual([expected.length]);
    expect(values(out)).toEqual(expected);
  });

  it.each(cases)("mask op gradients on $shape with $maskShape", ({ shape, maskShape }) => {
    const mask = randomMask(maskShape, 4);
    checkGradients((x) => maskedFill(x, mask, 2.5), [input(shape, 5)]);
    checkGradients((x) => maskedSelect(x, mask), [input(shape, 6)]);
  });

  it("fills integer and bool tensors in their dtype", () => {
    const mask = tensor([true, false, true]);
    expect(maskedFill(tensor([1, 2, 3], { dtype: "int32" }), mask, -7).toArray()).toEqual([-7, 2, -7]);
    expect(maskedFill(tensor([false, false, true]), mask, true).toArray()).toEqual([true, false, true]);
  });

  it("rejects masks that are not bool", () => {
    const x = input([2], 0);
    expect(() => maskedFill(x, tensor([1, 0]), 0)).toThrow(DTypeError);
    expect(() => maskedFill(x, tensor([1, 0]), 0)).toThrow(/maskedFill: mask has dtype float32, but a bool mask is required/);
    expect(() => maskedSelect(x, tensor([1, 0], { dtype: "int32" }))).toThrow(/maskedSelect: mask has dtype int32/);
    expect(() => maskedFill(x, tensor([true, false, true]), 0)).toThrow(ShapeError);
    expect(() => maskedFill(x, tensor([true, false]), "a" as unknown as number)).toThrow(/value must be a number or a boolean, got string "a"/);
  });
});

describe("index", () => {
  const x = tensor(
    Array.from({ length: 4 * 5 * 6 }, (_, i) => i),
    { dtype: "float64" },
  ).reshape([4, 5, 6]);
  const element = (i: number, j: number, k: number): number => i * 30 + j * 6 + k;

  const cases: { name: string; items: Parameters<Tensor["index"]>; shape: number[]; value: (i: number[]) => number; view: boolean }[] = [
    { name: "an integer", items: [2], shape: [5, 6], value: ([j, k]) => element(2, j, k), view: true },
    { name: "a negative integer", items: [-1, 0], shape: [6], value: ([k]) => element(3, 0, k), view: true },
    { name: "a slice string", items: ["1:3"], shape: [2, 5, 6], value: ([i, j, k]) => element(i + 1, j, k), view: true },
    { name: "a stepped slice", items: [":", "::2", "-2:"], shape: [4, 3, 2], value: ([i, j, k]) => element(i, 2 * j, k + 4), view: true },
    { name: "a slice object", items: [{ start: 1, step: 2 }], shape: [2, 5, 6], value: ([i, j, k]) => element(1 + 2 * i, j, k), view: true },
    { name: "a clamped slice", items: ["2:100", "5:1"], shape: [2, 0, 6], value: () => 0, view: true },
    { name: "an ellipsis", items: ["...", 1], shape: [4, 5], value: ([i, j]) => element(i, j, 1), view: true },
    { name: "an ellipsis in the middle", items: [0, "...", "1:2"], shape: [5, 1], value: ([j, k]) => element(0, j, k + 1), view: true },
    { name: "a new axis", items: [null, 0, null], shape: [1, 1, 5, 6], value: ([, , j, k]) => element(0, j, k), view: true },
    { name: "an integer array", items: [0, "1:3", [2, 0]], shape: [2, 2], value: ([j, k]) => element(0, j + 1, [2, 0][k]), view: false },
    { name: "negative array entries", items: [":", [-1, 0, -1]], shape: [4, 3, 6], value: ([i, j, k]) => element(i, [4, 0, 4][j], k), view: false },
    { name: "a 2-d index tensor", items: [indices([[0, 1], [3, 3]])], shape: [2, 2, 5, 6], value: ([a, b, j, k]) => element([[0, 1], [3, 3]][a][b], j, k), view: false },
    { name: "a 0-d index tensor", items: [":", indices(4)], shape: [4, 6], value: ([i, k]) => element(i, 4, k), view: false },
    { name: "an empty array", items: [[]], shape: [0, 5, 6], value: () => 0, view: false },
  ];

  it.each(cases)("selects with $name", ({ items, shape, value, view }) => {
    const out = x.index(...items);
    expect(out.shape).toEqual(shape);
    expect(values(out)).toEqual(build(shape, value));
    expect(out.storage === x.storage).toBe(view);
  });

  it.each(cases)("has correct gradients with $name", ({ items }) => {
    checkGradients((t) => t.index(...items), [input([4, 5, 6], 0)]);
  });

  it("selects with a full-shape bool mask", () => {
    const small = tensor([[1, -2], [-3, 4]], { dtype: "float64", requiresGrad: true });
    const mask = tensor([[true, false], [false, true]]);
    expect(small.index(mask).toArray()).toEqual([1, 4]);
    checkGradients((t) => t.index(mask), [small]);
  });

  it("rejects invalid items", () => {
    expect(() => x.index(4)).toThrow(InvalidArgumentError);
    expect(() => x.index(4)).toThrow(/index: index 4 is out of range for dimension 0 of size 4 in shape \[4, 5, 6\]/);
    expect(() => x.index(":", [5])).toThrow(/index: index 5 is out of range for dimension 1 of size 5; expected a value in \[-5, 4\]/);
    expect(() => x.index(0, 0, 0, 0)).toThrow(/4 indices were given for a tensor of rank 3/);
    expect(() => x.index("1-3")).toThrow(/"1-3" is not a valid slice; expected "start:end" or "start:end:step"/);
    expect(() => x.index("::-1")).toThrow(/slice step=-1 is invalid; expected a positive integer. Reverse a dimension with flip/);
    expect(() => x.index("...", 0, "...")).toThrow(/"..." appears 2 times/);
    expect(() => x.index([0], [1])).toThrow(/only one index tensor per call is supported/);
    expect(() => x.index(tensor([0, 1]))).toThrow(DTypeError);
    expect(() => x.index(tensor([0, 1]))).toThrow(/index: an index tensor has dtype float32, but indices must be int32. Convert it with .int\(\)/);
    expect(() => x.index(tensor([true, false]))).toThrow(/a bool mask must be the only index and have the input's shape \[4, 5, 6\], got shape \[2\]/);
    expect(() => x.index(1.5)).toThrow(/1.5 is not an integer/);
    expect(() => x.index({ begin: 1 } as never)).toThrow(/unknown field "begin"; valid fields are start, end, step/);
    expect(() => x.index(undefined as never)).toThrow(/undefined is not a valid index/);
  });
});

describe("indexing ops across dtypes", () => {
  const rows = indices([1, 0, 1]);
  const ops: { name: string; run: (x: Tensor) => Tensor }[] = [
    { name: "indexSelect", run: (x) => indexSelect(x, 0, rows) },
    { name: "indexAdd", run: (x) => indexAdd(x, 1, indices([2]), x.index(":", "0:1")) },
    { name: "gather", run: (x) => gather(x, 1, indices([[2, 0], [1, 1]])) },
    { name: "scatterAdd", run: (x) => scatterAdd(x, 1, indices([[2], [0]]), x) },
    { name: "maskedFill", run: (x) => maskedFill(x, tensor([true, false, true]), 1) },
    { name: "maskedSelect", run: (x) => maskedSelect(x, tensor([false, true, true])) },
    { name: "index", run: (x) => x.index(-1, [2, 0]) },
  ];

  it.each(ops)("$name keeps the dtype and values", ({ name, run }) => {
    const reference = run(tensor([[1, 0, 3], [0, 5, 6]], { dtype: "float64" }));
    for (const dtype of ["float32", "int32"] as const) {
      const out = run(tensor([[1, 0, 3], [0, 5, 6]], { dtype }));
      expect(out.dtype, name).toBe(dtype);
      expect(values(out), name).toEqual(values(reference));
    }
  });
});
