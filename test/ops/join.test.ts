import { describe, expect, it } from "vitest";
import { gradcheck, gradgradcheck } from "../../core/autograd/index.js";
import {
  Generator,
  InvalidArgumentError,
  ShapeError,
  Tensor,
  cat,
  chunk,
  flip,
  pad,
  type PadMode,
  randn,
  repeat,
  split,
  stack,
  tensor,
  tril,
  triu,
} from "../../core/index.js";

function input(shape: number[], seed: number): Tensor {
  return randn(shape, { dtype: "float64", requiresGrad: true, generator: new Generator(seed) });
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

/** Reads element `index` of `x` by walking its row-major data. */
function at(x: Tensor, index: readonly number[]): number {
  const data = x.dataSync();
  let flat = 0;
  for (let d = 0; d < x.ndim; d++) flat = flat * x.shape[d] + index[d];
  return data[flat];
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

/** Runs first- and second-order checks on `fn` and on its squared output. */
function checkGradients(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  expect(gradcheck(fn, inputs).ok).toBe(true);
  expect(gradgradcheck(fn, inputs).ok).toBe(true);
  expect(gradgradcheck((...xs: Tensor[]) => square(fn(...xs)), inputs).ok).toBe(true);
}

describe("cat", () => {
  const cases: { shapes: number[][]; dim: number }[] = [
    { shapes: [[2, 3], [4, 3]], dim: 0 },
    { shapes: [[2, 3], [2, 0], [2, 1]], dim: -1 },
    { shapes: [[0, 3], [2, 3]], dim: 0 },
    { shapes: [[2, 1, 3], [2, 2, 3], [2, 1, 3]], dim: 1 },
    { shapes: [[3]], dim: 0 },
  ];

  it.each(cases)("cat $shapes on dim $dim", ({ shapes, dim }) => {
    const xs = shapes.map((s, i) => input(s, i));
    const out = cat(xs, dim);
    const d = dim < 0 ? dim + shapes[0].length : dim;
    const starts = shapes.map((_, i) => shapes.slice(0, i).reduce((a, s) => a + s[d], 0));
    const shape = shapes[0].map((s, k) => (k === d ? shapes.reduce((a, t) => a + t[d], 0) : s));
    expect(out.shape).toEqual(shape);
    const expected = build(shape, (index) => {
      let piece = 0;
      starts.forEach((start, i) => {
        if (index[d] >= start && shapes[i][d] > 0) piece = i;
      });
      const local = [...index];
      local[d] -= starts[piece];
      return at(xs[piece], local);
    });
    expect(values(out)).toEqual(expected);
  });

  it.each(cases)("cat gradients for $shapes on dim $dim", ({ shapes, dim }) => {
    checkGradients((...xs) => cat(xs, dim), shapes.map((s, i) => input(s, i)));
  });

  it("promotes dtypes", () => {
    const out = cat([tensor([1, 2], { dtype: "int32" }), tensor([0.5], { dtype: "float64" })]);
    expect(out.dtype).toBe("float64");
    expect(out.toArray()).toEqual([1, 2, 0.5]);
  });

  it("rejects mismatched shapes", () => {
    expect(() => cat([input([2, 3], 0), input([2, 4], 1)], 0)).toThrow(ShapeError);
    expect(() => cat([input([2, 3], 0), input([2, 4], 1)], 0)).toThrow(/tensor 1 has shape \[2, 4\].*tensor 0 of shape \[2, 3\] outside dim 0/);
    expect(() => cat([input([2, 3], 0), input([3], 1)], 0)).toThrow(/same rank/);
  });

  it("rejects empty lists and 0-d tensors", () => {
    expect(() => cat([], 0)).toThrow(InvalidArgumentError);
    expect(() => cat([], 0)).toThrow(/non-empty array of tensors, got an empty array/);
    expect(() => cat([tensor(1), tensor(2)])).toThrow(/0-d tensors cannot be concatenated; use stack/);
    expect(() => cat([input([2], 0)], 1)).toThrow(/dim=1 is out of range for a tensor of rank 1/);
  });
});

describe("stack", () => {
  const cases: { shape: number[]; count: number; dim: number }[] = [
    { shape: [2, 3], count: 3, dim: 0 },
    { shape: [2, 3], count: 2, dim: 1 },
    { shape: [2, 3], count: 2, dim: -1 },
    { shape: [], count: 4, dim: 0 },
    { shape: [0, 2], count: 2, dim: 1 },
  ];

  it.each(cases)("stack $count x $shape on dim $dim", ({ shape, count, dim }) => {
    const xs = Array.from({ length: count }, (_, i) => input(shape, i));
    const out = stack(xs, dim);
    const d = dim < 0 ? dim + shape.length + 1 : dim;
    const outShape = [...shape.slice(0, d), count, ...shape.slice(d)];
    expect(out.shape).toEqual(outShape);
    const expected = build(outShape, (index) => at(xs[index[d]], index.filter((_, k) => k !== d)));
    expect(values(out)).toEqual(expected);
  });

  it.each(cases)("stack gradients for $count x $shape on dim $dim", ({ shape, count, dim }) => {
    checkGradients((...xs) => stack(xs, dim), Array.from({ length: count }, (_, i) => input(shape, i)));
  });

  it("rejects unequal shapes", () => {
    expect(() => stack([input([2, 3], 0), input([3, 2], 1)])).toThrow(ShapeError);
    expect(() => stack([input([2, 3], 0), input([3, 2], 1)])).toThrow(/tensor 1 has shape \[3, 2\], but tensor 0 has \[2, 3\]/);
  });
});

describe("split and chunk", () => {
  const splitCases: { shape: number[]; sizes: number | number[]; dim: number; expected: number[] }[] = [
    { shape: [5, 2], sizes: 2, dim: 0, expected: [2, 2, 1] },
    { shape: [2, 6], sizes: 3, dim: -1, expected: [3, 3] },
    { shape: [2, 6], sizes: [1, 0, 5], dim: 1, expected: [1, 0, 5] },
    { shape: [0, 3], sizes: 2, dim: 0, expected: [0] },
    { shape: [4], sizes: 10, dim: 0, expected: [4] },
  ];

  it.each(splitCases)("split $shape by $sizes on dim $dim", ({ shape, sizes, dim, expected }) => {
    const x = input(shape, 0);
    const pieces = split(x, sizes, dim);
    const d = dim < 0 ? dim + shape.length : dim;
    expect(pieces.map((p) => p.shape[d])).toEqual(expected);
    let start = 0;
    for (const piece of pieces) {
      expect(piece.storage).toBe(x.storage);
      const offset = start;
      expect(values(piece)).toEqual(build(piece.shape, (index) => at(x, index.map((v, k) => (k === d ? v + offset : v)))));
      start += piece.shape[d];
    }
  });

  it.each(splitCases)("split gradients for $shape by $sizes", ({ shape, sizes, dim }) => {
    // Weight each piece differently, so a gradient routed to the wrong piece is caught.
    const fn = (x: Tensor): Tensor => cat(split(x, sizes, dim).map((p, i) => p.mul(i + 1)), dim);
    checkGradients(fn, [input(shape, 1)]);
  });

  const chunkCases: { size: number; chunks: number; expected: number[] }[] = [
    { size: 6, chunks: 3, expected: [2, 2, 2] },
    { size: 5, chunks: 3, expected: [2, 2, 1] },
    { size: 6, chunks: 4, expected: [2, 2, 2] },
    { size: 1, chunks: 3, expected: [1] },
    { size: 0, chunks: 2, expected: [0, 0] },
  ];

  it.each(chunkCases)("chunk of size $size into $chunks", ({ size, chunks, expected }) => {
    const x = input([3, size], 2);
    const pieces = chunk(x, chunks, -1);
    expect(pieces.map((p) => p.shape[1])).toEqual(expected);
    expect(pieces.map((p) => p.shape[0])).toEqual(expected.map(() => 3));
    expect(values(cat(pieces, 1))).toEqual(values(x));
  });

  it("methods match the functions", () => {
    const x = input([4, 2], 3);
    expect(x.split(3).map((p) => p.shape)).toEqual([[3, 2], [1, 2]]);
    expect(x.chunk(2, 1).map((p) => p.shape)).toEqual([[4, 1], [4, 1]]);
  });

  it("rejects invalid sizes", () => {
    const x = input([4, 2], 0);
    expect(() => split(x, [1, 2], 0)).toThrow(/sizes \[1,2\] add up to 3, but dimension 0 has size 4/);
    expect(() => split(x, 0, 0)).toThrow(/size=0 is invalid for dimension 0 of size 4/);
    expect(() => split(x, 1.5, 0)).toThrow(InvalidArgumentError);
    expect(() => chunk(x, 0)).toThrow(/chunks=0 is invalid; expected a positive integer/);
  });
});

/** Finds the source position of output position j along a dimension of `size` by bouncing or wrapping step by step. */
function naiveBorder(mode: PadMode, j: number, before: number, size: number): number {
  let p = j - before;
  if (mode === "replicate") return Math.min(Math.max(p, 0), size - 1);
  if (mode === "circular") {
    while (p < 0) p += size;
    while (p >= size) p -= size;
    return p;
  }
  while (p < 0 || p >= size) p = p < 0 ? -p : 2 * (size - 1) - p;
  return p;
}

describe("pad", () => {
  it("matches hand-computed borders", () => {
    const x = tensor([1, 2, 3, 4]);
    expect(pad(x, [2, 1]).toArray()).toEqual([0, 0, 1, 2, 3, 4, 0]);
    expect(pad(x, [2, 1], { value: -1 }).toArray()).toEqual([-1, -1, 1, 2, 3, 4, -1]);
    expect(pad(x, [2, 1], { mode: "reflect" }).toArray()).toEqual([3, 2, 1, 2, 3, 4, 3]);
    expect(pad(x, [2, 1], { mode: "replicate" }).toArray()).toEqual([1, 1, 1, 2, 3, 4, 4]);
    expect(pad(x, [2, 1], { mode: "circular" }).toArray()).toEqual([3, 4, 1, 2, 3, 4, 1]);
    expect(pad(x, [-1, 1]).toArray()).toEqual([2, 3, 4, 0]);
  });

  const cases: { shape: number[]; pads: number[]; mode: PadMode }[] = [
    { shape: [2, 3], pads: [1, 2], mode: "constant" },
    { shape: [2, 3, 4], pads: [1, 0, 2, 1], mode: "constant" },
    { shape: [2, 3], pads: [-1, 1, 0, -2], mode: "constant" },
    { shape: [0, 3], pads: [1, 1], mode: "constant" },
    { shape: [2, 0], pads: [1, 2, 1, 0], mode: "constant" },
    { shape: [1, 2, 3, 4], pads: [3, 2, 1, 2], mode: "reflect" },
    { shape: [3, 2], pads: [1, 1, 2, 2], mode: "reflect" },
    { shape: [2, 3], pads: [4, 2, 1, 0], mode: "replicate" },
    { shape: [2, 1], pads: [2, 3], mode: "replicate" },
    { shape: [2, 3], pads: [5, 1, 1, 2], mode: "circular" },
    { shape: [0, 3], pads: [1, 1], mode: "reflect" },
  ];

  it.each(cases)("$mode pad of $shape by $pads", ({ shape, pads, mode }) => {
    const x = input(shape, 4);
    const value = mode === "constant" ? 0.25 : undefined;
    const out = pad(x, pads, { mode, value });
    const perDim = shape.map((_, d) => {
      const k = shape.length - 1 - d;
      return 2 * k < pads.length ? [pads[2 * k], pads[2 * k + 1]] : [0, 0];
    });
    const outShape = shape.map((s, d) => s + perDim[d][0] + perDim[d][1]);
    expect(out.shape).toEqual(outShape);
    const expected = build(outShape, (index) => {
      const source = index.map((j, d) => (mode === "constant" ? j - perDim[d][0] : naiveBorder(mode, j, perDim[d][0], shape[d])));
      const inside = source.every((p, d) => p >= 0 && p < shape[d]);
      return inside ? at(x, source) : 0.25;
    });
    expect(values(out)).toEqual(expected);
  });

  it.each(cases)("$mode pad gradients for $shape by $pads", ({ shape, pads, mode }) => {
    checkGradients((x) => pad(x, pads, { mode }), [input(shape, 5)]);
  });

  it("returns a copy for zero pads", () => {
    const x = input([2, 2], 0);
    for (const mode of ["constant", "reflect"] as const) {
      const out = pad(x, [0, 0], { mode });
      expect(out.storage).not.toBe(x.storage);
      expect(values(out)).toEqual(values(x));
    }
  });

  it("rejects invalid pads and options", () => {
    const x = input([2, 3], 0);
    expect(() => pad(x, [1])).toThrow(/pads \[1\] are invalid; expected an even number of integers/);
    expect(() => pad(x, [1, 1, 1, 1, 1, 1])).toThrow(/cover 3 dimensions, but the input of shape \[2, 3\] has 2/);
    expect(() => pad(x, [3, 0], { mode: "reflect" })).toThrow(/reflect pads \[3, 0\] must each be smaller than dimension 1 of size 3/);
    expect(() => pad(x, [1, 1], { mode: "wrap" as PadMode })).toThrow(/mode "wrap" is invalid/);
    expect(() => pad(x, [1, 1], { mode: "reflect", value: 2 })).toThrow(/value=2 applies only to constant mode/);
    expect(() => pad(x, [-2, -2])).toThrow(ShapeError);
    expect(() => pad(x, [-2, -2])).toThrow(/shrink dimension 1 of size 3 below zero/);
    expect(() => pad(input([2, 0], 0), [1, 1], { mode: "replicate" })).toThrow(/needs a non-empty dimension 1/);
  });
});

describe("flip", () => {
  const cases: { shape: number[]; dims: number[] }[] = [
    { shape: [5], dims: [0] },
    { shape: [2, 3], dims: [1] },
    { shape: [2, 3, 4], dims: [0, -1] },
    { shape: [2, 0, 3], dims: [1, 2] },
    { shape: [1, 3], dims: [0] },
    { shape: [], dims: [] },
  ];

  it.each(cases)("flip $shape on $dims", ({ shape, dims }) => {
    const x = input(shape, 6);
    const out = flip(x, dims);
    const flipped = dims.map((d) => (d < 0 ? d + shape.length : d));
    expect(out.shape).toEqual(shape);
    expect(values(out)).toEqual(build(shape, (index) => at(x, index.map((v, d) => (flipped.includes(d) ? shape[d] - 1 - v : v)))));
  });

  it.each(cases)("flip gradients for $shape on $dims", ({ shape, dims }) => {
    checkGradients((x) => flip(x, dims), [input(shape, 7)]);
  });

  it("reads non-contiguous views", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.T.flip(0).toArray()).toEqual([[3, 6], [2, 5], [1, 4]]);
  });

  it("rejects repeated dims", () => {
    expect(() => flip(input([2, 2], 0), [0, -2])).toThrow(/name the same dimension twice/);
  });
});

describe("repeat", () => {
  const cases: { shape: number[]; sizes: number[] }[] = [
    { shape: [3], sizes: [2] },
    { shape: [2, 3], sizes: [2, 1] },
    { shape: [2, 3], sizes: [3, 1, 2] },
    { shape: [2, 1], sizes: [1, 0] },
    { shape: [0, 2], sizes: [2, 2] },
    { shape: [], sizes: [3] },
    { shape: [2, 2], sizes: [1, 1] },
  ];

  it.each(cases)("repeat $shape by $sizes", ({ shape, sizes }) => {
    const x = input(shape, 8);
    const out = repeat(x, sizes);
    const lead = sizes.length - shape.length;
    const padded = [...new Array<number>(lead).fill(1), ...shape];
    const outShape = padded.map((s, i) => s * sizes[i]);
    expect(out.shape).toEqual(outShape);
    expect(out.storage).not.toBe(x.storage);
    expect(values(out)).toEqual(build(outShape, (index) => at(x, index.slice(lead).map((v, d) => v % shape[d]))));
  });

  it.each(cases)("repeat gradients for $shape by $sizes", ({ shape, sizes }) => {
    checkGradients((x) => repeat(x, sizes), [input(shape, 9)]);
  });

  it("accepts sizes as arguments or an array", () => {
    const x = tensor([1, 2]);
    expect(x.repeat(2, 2).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(x.repeat([2]).toArray()).toEqual([1, 2, 1, 2]);
  });

  it("rejects too few sizes", () => {
    expect(() => repeat(input([2, 3], 0), [2])).toThrow(/sizes \[2\] has 1 entries, but the tensor of shape \[2, 3\] has 2 dimensions/);
    expect(() => repeat(input([2], 0), [-1])).toThrow(InvalidArgumentError);
  });
});

describe("tril and triu", () => {
  const cases: { shape: number[]; diagonal: number }[] = [
    { shape: [3, 3], diagonal: 0 },
    { shape: [3, 4], diagonal: 1 },
    { shape: [4, 3], diagonal: -1 },
    { shape: [2, 3, 3], diagonal: 0 },
    { shape: [2, 0, 3], diagonal: 0 },
    { shape: [1, 5], diagonal: -6 },
  ];

  it.each(cases)("tril/triu of $shape at diagonal $diagonal", ({ shape, diagonal }) => {
    const x = input(shape, 10);
    const rank = shape.length;
    const lower = build(shape, (index) => (index[rank - 1] - index[rank - 2] <= diagonal ? at(x, index) : 0));
    const upper = build(shape, (index) => (index[rank - 1] - index[rank - 2] >= diagonal ? at(x, index) : 0));
    expect(values(tril(x, diagonal))).toEqual(lower);
    expect(values(triu(x, diagonal))).toEqual(upper);
    expect(values(x.tril(diagonal))).toEqual(lower);
  });

  it.each(cases)("tril/triu gradients for $shape", ({ shape, diagonal }) => {
    checkGradients((x) => tril(x, diagonal), [input(shape, 11)]);
    checkGradients((x) => triu(x, diagonal), [input(shape, 12)]);
  });

  it("keeps infinities outside the zeroed part", () => {
    const x = tensor([[Infinity, -Infinity], [NaN, 1]]);
    expect(tril(x).toArray()).toEqual([[Infinity, 0], [NaN, 1]]);
  });

  it("rejects tensors of rank below 2", () => {
    expect(() => tril(input([3], 0))).toThrow(ShapeError);
    expect(() => triu(input([3], 0))).toThrow(/triu: expects a tensor of rank 2 or more, got shape \[3\]/);
    expect(() => tril(input([2, 2], 0), 0.5)).toThrow(/diagonal=0.5 is invalid/);
  });
});

describe("join ops across dtypes", () => {
  const ops: { name: string; run: (x: Tensor) => Tensor }[] = [
    { name: "cat", run: (x) => cat([x, x], 1) },
    { name: "stack", run: (x) => stack([x, x], 0) },
    { name: "split", run: (x) => split(x, 1, 0)[1] },
    { name: "constant pad", run: (x) => pad(x, [1, 0, 0, 1]) },
    { name: "reflect pad", run: (x) => pad(x, [1, 1], { mode: "reflect" }) },
    { name: "flip", run: (x) => flip(x, [0, 1]) },
    { name: "repeat", run: (x) => repeat(x, [2, 1]) },
    { name: "tril", run: (x) => tril(x) },
    { name: "triu", run: (x) => triu(x, 1) },
  ];

  it.each(ops)("$name keeps the dtype and values", ({ run }) => {
    const reference = run(tensor([[1, 0, 3], [0, 5, 6]], { dtype: "float64" }));
    for (const dtype of ["float32", "int32", "bool"] as const) {
      const out = run(tensor([[1, 0, 3], [0, 5, 6]]).to(dtype));
      expect(out.dtype).toBe(dtype);
      const expected = values(reference).map((v) => (dtype === "bool" ? Number(v !== 0) : v));
      expect(values(out)).toEqual(expected);
    }
  });
});
