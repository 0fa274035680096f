import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import { Tensor, type TensorLike } from "../../core/index.js";
import { gradcheck, gradgradcheck } from "../../core/autograd/gradcheck.js";
import { expectTensor, flat, naiveElementwise, naiveReduce, resolveDims, seededTensor } from "./helpers.js";

/** Operand shapes that broadcast together, including size-1, size-0 and 0-d operands. */
const PAIRS: [number[], number[]][] = [
  [[], []],
  [[4], [4]],
  [[3, 4], [4]],
  [[3, 1], [1, 4]],
  [[2, 1, 3], [4, 1]],
  [[0, 3], [3]],
  [[2, 0], [1, 1]],
  [[3], []],
];

/** Small integers, so that equal elements occur and eq/le/ge see ties. */
function smallIntegers(shape: number[], seed: number): Tensor {
  return pl.randint(-2, 3, shape, { dtype: "float64", generator: new pl.Generator(seed) });
}

const truth = (v: number): boolean => v !== 0;

const BINARY: { name: string; run: (a: TensorLike, b: TensorLike) => Tensor; reference: (x: number, y: number) => boolean }[] = [
  { name: "eq", run: pl.eq, reference: (x, y) => x === y },
  { name: "ne", run: (a, b) => (a as Tensor).ne(b), reference: (x, y) => x !== y },
  { name: "lt", run: pl.lt, reference: (x, y) => x < y },
  { name: "le", run: (a, b) => (a as Tensor).le(b), reference: (x, y) => x <= y },
  { name: "gt", run: pl.gt, reference: (x, y) => x > y },
  { name: "ge", run: (a, b) => (a as Tensor).ge(b), reference: (x, y) => x >= y },
  { name: "logicalAnd", run: pl.logicalAnd, reference: (x, y) => truth(x) && truth(y) },
  { name: "logicalOr", run: (a, b) => (a as Tensor).logicalOr(b), reference: (x, y) => truth(x) || truth(y) },
  { name: "logicalXor", run: pl.logicalXor, reference: (x, y) => truth(x) !== truth(y) },
];

describe("comparisons and logical ops", () => {
  for (const op of BINARY) {
    for (const [k, [left, right]] of PAIRS.entries()) {
      it(`${op.name} [${left}] with [${right}]`, () => {
        const a = smallIntegers(left, k);
        const b = smallIntegers(right, 100 + k);
        const expected = naiveElementwise(
          [
            { data: flat(a), shape: left },
            { data: flat(b), shape: right },
          ],
          (x, y) => Number(op.reference(x, y)),
        );
        const result = op.run(a, b);
        expect(result.dtype).toBe("bool");
        expect(result.requiresGrad).toBe(false);
        expectTensor(result, expected, `${op.name} [${left}] [${right}]`);
        expectTensor(op.run(b, a), { ...expected, data: naiveElementwise([{ data: flat(b), shape: right }, { data: flat(a), shape: left }], (x, y) => Number(op.reference(x, y))).data }, `${op.name} swapped`);
      });
    }

    it(`${op.name} with a scalar`, () => {
      const a = pl.tensor([-1.5, 0, 0.5, 2]);
      const expected = flat(a).map((x) => Number(op.reference(x, 0.5)));
      expectTensor(op.run(a, 0.5), { shape: [4], data: expected }, `${op.name} scalar`);
    });
  }

  it("NaN compares false except ne", () => {
    const a = pl.tensor([NaN, 1]);
    expect(a.eq(a).toArray()).toEqual([false, true]);
    expect(a.ne(a).toArray()).toEqual([true, false]);
    expect(a.lt(Infinity).toArray()).toEqual([false, true]);
    expect(pl.logicalAnd(a, true).toArray()).toEqual([true, true]);
  });

  it("weak scalars compare in the tensor dtype", () => {
    const a = pl.tensor([0.1], { dtype: "float32" });
    expect(a.eq(0.1).toArray()).toEqual([true]);
    const ints = pl.tensor([0, 1], { dtype: "int32" });
    expect(ints.lt(0.5).toArray()).toEqual([true, false]);
  });

  it("logicalNot and number tests", () => {
    const a = pl.tensor([0, -2, NaN, Infinity, -Infinity]);
    expect(a.logicalNot().toArray()).toEqual([true, false, false, false, false]);
    expect(pl.isnan(a).toArray()).toEqual([false, false, true, false, false]);
    expect(a.isinf().toArray()).toEqual([false, false, false, true, true]);
    expect(a.isfinite().toArray()).toEqual([true, true, false, false, false]);
    expect(pl.isfinite(pl.tensor([1, 2], { dtype: "int32" })).toArray()).toEqual([true, true]);
    expect(pl.logicalNot(pl.zeros([2, 0])).shape).toEqual([2, 0]);
  });

  it("shape mismatch", () => {
    expect(() => pl.zeros([2, 3]).lt(pl.zeros([4]))).toThrow(
      "lt: shapes [2, 3] and [4] cannot be broadcast together: dimension 1 of the broadcast result would need both 3 and 4.",
    );
    expect(() => pl.logicalOr(pl.zeros([2]), pl.zeros([3]))).toThrow(pl.ShapeError);
  });
});

describe("any and all", () => {
  const cases: { shape: number[]; dim?: number | number[]; keepdim: boolean }[] = [
    { shape: [], keepdim: false },
    { shape: [5], dim: 0, keepdim: false },
    { shape: [3, 4], keepdim: false },
    { shape: [3, 4], dim: -1, keepdim: true },
    { shape: [2, 3, 4], dim: [0, 2], keepdim: false },
    { shape: [3, 0], dim: 1, keepdim: false },
    { shape: [0, 3], dim: 1, keepdim: true },
  ];
  for (const [k, c] of cases.entries()) {
    it(`shape [${c.shape}] dim ${JSON.stringify(c.dim)} keepdim ${c.keepdim}`, () => {
      // Mostly zeros, so that both results occur.
      const x = pl.randint(0, 4, c.shape, { generator: new pl.Generator(k) }).gt(2);
      const dims = resolveDims(c.dim, c.shape.length);
      const expectedAny = naiveReduce(flat(x), c.shape, dims, c.keepdim, (v) => Number(v.some(truth)));
      const expectedAll = naiveReduce(flat(x), c.shape, dims, c.keepdim, (v) => Number(v.every(truth)));
      expectTensor(x.any(c.dim, { keepdim: c.keepdim }), expectedAny, "any");
      expectTensor(pl.all(x, c.dim, { keepdim: c.keepdim }), expectedAll, "all");
      expect(x.any().dtype).toBe("bool");
    });
  }

  it("bad dim", () => {
    expect(() => pl.zeros([2]).any(1)).toThrow("any: dim=1 is out of range for a tensor of rank 1; expected an integer in [-1, 0].");
  });
});

describe("where", () => {
  const shapes: [number[], number[], number[]][] = [
    [[3, 4], [3, 4], [3, 4]],
    [[3, 4], [4], [3, 1]],
    [[1, 4], [3, 1], []],
    [[2, 1, 3], [4, 1], [3]],
    [[0, 3], [3], [1]],
    [[], [2], [2]],
  ];

  for (const [k, [condShape, aShape, bShape]] of shapes.entries()) {
    const name = `condition [${condShape}] input [${aShape}] other [${bShape}]`;
    it(name, () => {
      const condition = seededTensor(condShape, k).detach().gt(0);
      const a = seededTensor(aShape, 10 + k);
      const b = seededTensor(bShape, 20 + k);
      const expected = naiveElementwise(
        [
          { data: flat(condition), shape: condShape },
          { data: flat(a), shape: aShape },
          { data: flat(b), shape: bShape },
        ],
        (c, x, y) => (c !== 0 ? x : y),
      );
      expectTensor(pl.where(condition, a, b), expected, name);
      expectTensor(a.where(condition, b), expected, `${name} method`);
    });

    it(`${name} gradients`, () => {
      const condition = seededTensor(condShape, k).detach().gt(0);
      const a = seededTensor(aShape, 30 + k);
      const b = seededTensor(bShape, 40 + k);
      const fn = (x: Tensor, y: Tensor) => pl.where(condition, x, y).mul(x.add(y));
      expect(gradcheck((x: Tensor, y: Tensor) => pl.where(condition, x, y), [a, b]).ok).toBe(true);
      expect(gradcheck(fn, [a, b]).ok).toBe(true);
      expect(gradgradcheck(fn, [a, b]).ok).toBe(true);
    });
  }

  it("gradient is routed, not multiplied", () => {
    const a = pl.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const b = pl.tensor([3, 4], { dtype: "float64", requiresGrad: true });
    const y = pl.where(pl.tensor([false, true]), a, b);
    // An infinite gradient at a position must not reach the input that was not selected there as NaN.
    y.backward(pl.tensor([Infinity, 1], { dtype: "float64" }));
    expect(a.grad!.toArray()).toEqual([0, 1]);
    expect(b.grad!.toArray()).toEqual([Infinity, 0]);
  });

  it("scalars and dtype promotion", () => {
    const condition = pl.tensor([true, false]);
    expect(pl.where(condition, 1, 0).toArray()).toEqual([1, 0]);
    const mixed = pl.where(condition, pl.tensor([1, 2], { dtype: "int32" }), pl.tensor([0.5, 0.5], { dtype: "float64" }));
    expect(mixed.dtype).toBe("float64");
    expect(mixed.toArray()).toEqual([1, 0.5]);
    expect(pl.where(condition, pl.tensor([1, 2], { dtype: "int32" }), 7).dtype).toBe("int32");
  });

  it("errors", () => {
    expect(() => pl.where(pl.tensor([1, 0]), 1, 0)).toThrow("where: condition has dtype float32, but a bool tensor is required.");
    expect(() => pl.where(pl.tensor([true, false]), pl.zeros([3]), 0)).toThrow(
      "where: the shapes of condition [2], input [3], other [] cannot be broadcast together.",
    );
  });
});

/** Clamps one element as min(max(x, low), high), so a low bound above the high one gives the high one. */
function naiveClamp(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

describe("clamp", () => {
  it("number bounds", () => {
    const x = seededTensor([3, 4], 1);
    const data = flat(x);
    expectTensor(x.clamp({ min: -0.5, max: 0.5 }), { shape: [3, 4], data: data.map((v) => naiveClamp(v, -0.5, 0.5)) }, "both");
    expectTensor(pl.clamp(x, { min: 0 }), { shape: [3, 4], data: data.map((v) => Math.max(v, 0)) }, "min only");
    expectTensor(pl.clamp(x, { max: 0 }), { shape: [3, 4], data: data.map((v) => Math.min(v, 0)) }, "max only");
    expectTensor(pl.clamp(x, { min: 1, max: -1 }), { shape: [3, 4], data: data.map(() => -1) }, "min above max");
  });

  it("tensor bounds broadcast", () => {
    const x = seededTensor([2, 3], 2);
    const low = seededTensor([3], 3);
    const high = seededTensor([2, 1], 4).add(1);
    const expected = naiveElementwise(
      [
        { data: flat(x), shape: [2, 3] },
        { data: flat(low), shape: [3] },
        { data: flat(high), shape: [2, 1] },
      ],
      naiveClamp,
    );
    expectTensor(pl.clamp(x, { min: low, max: high }), expected, "tensor bounds");
    expect(pl.clamp(pl.zeros([1]), { min: pl.zeros([0, 1]) }).shape).toEqual([0, 1]);
  });

  it("NaN and integers", () => {
    expect(Number.isNaN(flat(pl.clamp(pl.tensor([NaN]), { min: 0, max: 1 }))[0])).toBe(true);
    const ints = pl.tensor([-5, 0, 5], { dtype: "int32" });
    expect(ints.clamp({ min: -1, max: 1 }).dtype).toBe("int32");
    expect(ints.clamp({ min: -1, max: 1 }).toArray()).toEqual([-1, 0, 1]);
    expect(ints.clamp({ min: 0.5 }).toArray()).toEqual([0.5, 0.5, 5]);
  });

  it("gradient is 1 inside the range, bounds included", () => {
    const x = pl.tensor([-2, -1, 0, 1, 2], { dtype: "float64", requiresGrad: true });
    x.clamp({ min: -1, max: 1 }).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1, 1, 0]);
  });

  it("gradient goes to the tensor bound that is the result", () => {
    const x = pl.tensor([-2, 0, 2], { dtype: "float64", requiresGrad: true });
    const low = pl.tensor([-1, -1, -1], { dtype: "float64", requiresGrad: true });
    const high = pl.tensor([1, 1, 1], { dtype: "float64", requiresGrad: true });
    pl.clamp(x, { min: low, max: high }).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0]);
    expect(low.grad!.toArray()).toEqual([1, 0, 0]);
    expect(high.grad!.toArray()).toEqual([0, 0, 1]);
  });

  it("min above max sends the gradient to max", () => {
    const x = pl.tensor([-2, 0, 2], { dtype: "float64", requiresGrad: true });
    const low = pl.tensor(1, { dtype: "float64", requiresGrad: true });
    const high = pl.tensor(-1, { dtype: "float64", requiresGrad: true });
    pl.clamp(x, { min: low, max: high }).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
    expect(low.grad!.toArray()).toBe(0);
    expect(high.grad!.toArray()).toBe(3);
  });

  const gradientCases: { name: string; fn: (x: Tensor, low: Tensor, high: Tensor) => Tensor }[] = [
    { name: "number bounds", fn: (x) => x.clamp({ min: -0.5, max: 0.5 }).mul(x) },
    { name: "min only", fn: (x, low) => pl.clamp(x, { min: low }).mul(x) },
    { name: "max only", fn: (x, _low, high) => pl.clamp(x, { max: high }).pow(2) },
    { name: "both tensors", fn: (x, low, high) => pl.clamp(x, { min: low, max: high }).mul(low.add(high)) },
  ];
  for (const c of gradientCases) {
    it(`gradients with ${c.name}`, () => {
      // The inputs keep clear of the bounds, where clamp is not differentiable.
      const x = pl.tensor([[-1.3, -0.2, 0.35], [0.9, -0.65, 1.7]], { dtype: "float64", requiresGrad: true });
      const low = pl.tensor([-0.8, -0.4, 0.1], { dtype: "float64", requiresGrad: true });
      const high = pl.tensor([[0.6], [1.2]], { dtype: "float64", requiresGrad: true });
      expect(gradcheck(c.fn, [x, low, high]).ok).toBe(true);
      expect(gradgradcheck(c.fn, [x, low, high]).ok).toBe(true);
    });
  }

  it("errors", () => {
    const x = pl.zeros([2, 3]);
    expect(() => x.clamp({})).toThrow("clamp: neither min nor max is given; pass { min }, { max } or both.");
    expect(() => pl.clamp(pl.tensor([true]), { min: 0 })).toThrow(pl.DTypeError);
    expect(() => x.clamp({ min: pl.zeros([4]) })).toThrow("clamp: the shapes of input [2, 3], min [4], max [] cannot be broadcast together.");
  });
});
