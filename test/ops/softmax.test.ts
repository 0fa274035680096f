import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import { Tensor } from "../../core/index.js";
import { gradcheck, gradgradcheck } from "../../core/autograd/gradcheck.js";
import { type Expected, expectTensor, flat, naiveAlong, resolveDims, seededTensor } from "./helpers.js";

/** Computes the softmax of one slice in float64, shifted by its maximum for the large-input cases. */
function naiveSoftmax(values: number[]): number[] {
  const top = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - top));
  const total = exps.reduce((s, v) => s + v, 0);
  return exps.map((v) => v / total);
}

function naiveLogSoftmax(values: number[]): number[] {
  return naiveSoftmax(values).map(Math.log);
}

interface SoftmaxCase {
  shape: number[];
  dim: number;
}

const CASES: SoftmaxCase[] = [
  { shape: [], dim: 0 },
  { shape: [5], dim: 0 },
  { shape: [5], dim: -1 },
  { shape: [3, 4], dim: 1 },
  { shape: [3, 4], dim: -2 },
  { shape: [2, 3, 4], dim: 1 },
  { shape: [2, 1, 3], dim: 1 },
  { shape: [0, 3], dim: 1 },
  { shape: [3, 0], dim: 1 },
];

const OPS = [
  { name: "softmax", run: (x: Tensor, dim: number) => x.softmax(dim), reference: naiveSoftmax },
  { name: "logSoftmax", run: (x: Tensor, dim: number) => pl.logSoftmax(x, dim), reference: naiveLogSoftmax },
];

describe("softmax family", () => {
  for (const op of OPS) {
    for (const [k, c] of CASES.entries()) {
      const name = `${op.name} shape [${c.shape}] dim ${c.dim}`;
      for (const dtype of ["float64", "float32"] as const) {
        it(`${name} ${dtype}`, () => {
          const x = seededTensor(c.shape, k, dtype);
          let expected: Expected = { shape: [], data: op.reference(flat(x)) };
          if (c.shape.length > 0) expected = naiveAlong(flat(x), c.shape, resolveDims(c.dim, c.shape.length)[0], op.reference);
          const result = op.run(x, c.dim);
          expect(result.dtype).toBe(dtype);
          expectTensor(result, expected, name);
        });
      }

      it(`${name} gradients`, () => {
        const x = seededTensor(c.shape, 50 + k);
        const fn = (t: Tensor) => op.run(t, c.dim);
        expect(gradcheck(fn, [x]).ok).toBe(true);
        expect(gradgradcheck(fn, [x]).ok).toBe(true);
      });
    }
  }

  it("strided view input", () => {
    const strided = seededTensor([4, 6], 9).T.slice(0, 0, 6, 2);
    expect(strided.isContiguous()).toBe(false);
    for (const dim of [0, 1]) {
      const expected = naiveAlong(flat(strided), [3, 4], dim, naiveSoftmax);
      expectTensor(strided.softmax(dim), expected, `softmax dim ${dim}`);
      expectTensor(strided.logSoftmax(dim), { ...expected, data: expected.data.map(Math.log) }, `logSoftmax dim ${dim}`);
    }
  });

  it("large inputs stay finite", () => {
    const x = pl.tensor([[1000, 1001, 1002], [-1000, -1001, -1002]], { dtype: "float64" });
    const expected = [...naiveSoftmax([1000, 1001, 1002]), ...naiveSoftmax([-1000, -1001, -1002])];
    expectTensor(x.softmax(1), { shape: [2, 3], data: expected }, "softmax of large inputs");
    expectTensor(x.logSoftmax(1), { shape: [2, 3], data: expected.map(Math.log) }, "logSoftmax of large inputs");
  });

  it("logSoftmax keeps tiny probabilities", () => {
    const x = pl.tensor([0, -800], { dtype: "float64" });
    expect(x.logSoftmax(0).toArray()).toEqual([0, -800]);
    expect(x.softmax(0).toArray()).toEqual([1, 0]);
  });

  it("negative infinity gets zero probability", () => {
    const x = pl.tensor([0, -Infinity, 0]);
    expect(x.softmax(0).toArray()).toEqual([0.5, 0, 0.5]);
    expect(x.logSoftmax(0).toArray()).toEqual([-Math.fround(Math.LN2), -Infinity, -Math.fround(Math.LN2)]);
  });

  it("gradient at large inputs", () => {
    const x = pl.tensor([[500, 501, 499]], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((t: Tensor) => t.softmax(1), [x]).ok).toBe(true);
    expect(gradgradcheck((t: Tensor) => t.logSoftmax(1), [x]).ok).toBe(true);
  });

  it("changed output is detected", () => {
    const x = seededTensor([2, 3], 14);
    const y = x.softmax(1);
    pl.noGrad(() => y.add_(1));
    expect(() => y.sum().backward()).toThrow("softmax saved for its gradient was modified by an in-place operation");
  });

  it("integer input becomes float32", () => {
    const y = pl.softmax(pl.tensor([1, 1], { dtype: "int32" }), 0);
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([0.5, 0.5]);
  });

  it("dim out of range", () => {
    const x = pl.zeros([2, 3]);
    expect(() => x.softmax(2)).toThrow("softmax: dim=2 is out of range for a tensor of rank 2; expected an integer in [-2, 1].");
    expect(() => x.logSoftmax(-3)).toThrow("logSoftmax: dim=-3 is out of range");
  });
});
