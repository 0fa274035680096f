import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import { Tensor } from "../../core/index.js";
import { gradcheck, gradgradcheck } from "../../core/autograd/gradcheck.js";
import { type Expected, expectTensor, flat, naiveReduce, numel, resolveDims, seededTensor } from "./helpers.js";

type Dim = number | number[] | undefined;

interface ReduceCase {
  shape: number[];
  dim: Dim;
  keepdim: boolean;
}

const CASES: ReduceCase[] = [
  { shape: [], dim: undefined, keepdim: false },
  { shape: [], dim: 0, keepdim: true },
  { shape: [5], dim: 0, keepdim: false },
  { shape: [3, 4], dim: undefined, keepdim: false },
  { shape: [3, 4], dim: 1, keepdim: true },
  { shape: [3, 4], dim: -2, keepdim: false },
  { shape: [2, 3, 4], dim: [0, 2], keepdim: false },
  { shape: [2, 3, 4], dim: [-1, 1], keepdim: true },
  { shape: [2, 1, 3], dim: 1, keepdim: false },
  { shape: [0, 3], dim: 1, keepdim: false },
  { shape: [3, 0], dim: 1, keepdim: true },
  { shape: [3, 0], dim: 0, keepdim: false },
];

function label(c: ReduceCase): string {
  return `shape [${c.shape}] dim ${JSON.stringify(c.dim)} keepdim ${c.keepdim}`;
}

function variance(values: number[], correction: number): number {
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(0, values.length - correction);
}

function pNorm(values: number[], p: number): number {
  if (p === Infinity) return Math.max(...values.map(Math.abs));
  if (p === -Infinity) return Math.min(...values.map(Math.abs));
  if (p === 0) return values.filter((v) => v !== 0).length;
  return values.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
}

interface ReduceOp {
  name: string;
  run: (x: Tensor, dim: Dim, keepdim: boolean) => Tensor;
  reference: (values: number[]) => number;
  /** The op raises on empty slices (max and min have no value there). */
  needsElements?: boolean;
  /** The slice length below which the result is NaN or infinite, so it has no gradient to check. */
  minCount?: number;
}

const OPS: ReduceOp[] = [
  { name: "sum", run: (x, dim, keepdim) => x.sum(dim, { keepdim }), reference: (v) => v.reduce((s, e) => s + e, 0) },
  { name: "mean", run: (x, dim, keepdim) => pl.mean(x, dim, { keepdim }), reference: (v) => v.reduce((s, e) => s + e, 0) / v.length },
  { name: "var", run: (x, dim, keepdim) => x.var(dim, { keepdim }), reference: (v) => variance(v, 1), minCount: 2 },
  { name: "var correction 0", run: (x, dim, keepdim) => pl.variance(x, dim, { keepdim, correction: 0 }), reference: (v) => variance(v, 0) },
  { name: "var correction 2", run: (x, dim, keepdim) => pl.var(x, dim, { keepdim, correction: 2 }), reference: (v) => variance(v, 2), minCount: 3 },
  { name: "std", run: (x, dim, keepdim) => x.std(dim, { keepdim }), reference: (v) => Math.sqrt(variance(v, 1)), minCount: 2 },
  { name: "amax", run: (x, dim, keepdim) => x.amax(dim, { keepdim }), reference: (v) => Math.max(...v), needsElements: true },
  { name: "amin", run: (x, dim, keepdim) => pl.amin(x, dim, { keepdim }), reference: (v) => Math.min(...v), needsElements: true },
  { name: "logsumexp", run: (x, dim, keepdim) => x.logsumexp(dim, { keepdim }), reference: (v) => Math.log(v.reduce((s, e) => s + Math.exp(e), 0)) },
  { name: "prod", run: (x, dim, keepdim) => x.prod(dim, { keepdim }), reference: (v) => v.reduce((s, e) => s * e, 1) },
  ...[2, 1, 3, 0.5, Infinity, -Infinity, 0].map(
    (p): ReduceOp => ({
      name: `norm p=${p}`,
      run: (x, dim, keepdim) => x.norm(p, dim, { keepdim }),
      reference: (v) => pNorm(v, p),
      needsElements: !Number.isFinite(p),
    }),
  ),
];

function reducesEmpty(c: ReduceCase): boolean {
  return resolveDims(c.dim, c.shape.length).some((d) => c.shape[d] === 0) || (c.shape.length > 0 && numel(c.shape) === 0 && c.dim === undefined);
}

function sliceLength(c: ReduceCase): number {
  return numel(resolveDims(c.dim, c.shape.length).map((d) => c.shape[d]));
}

function expectedFor(op: ReduceOp, x: Tensor, c: ReduceCase): Expected {
  return naiveReduce(flat(x), c.shape, resolveDims(c.dim, c.shape.length), c.keepdim, op.reference);
}

describe("reductions forward", () => {
  for (const op of OPS) {
    for (const [k, c] of CASES.entries()) {
      if (op.needsElements && reducesEmpty(c)) continue;
      for (const dtype of ["float64", "float32"] as const) {
        it(`${op.name} ${label(c)} ${dtype}`, () => {
          const x = seededTensor(c.shape, k, dtype);
          const result = op.run(x, c.dim, c.keepdim);
          expect(result.dtype).toBe(dtype);
          expectTensor(result, expectedFor(op, x, c), `${op.name} ${label(c)}`);
        });
      }
    }
  }
});

describe("reductions gradients", () => {
  for (const op of OPS) {
    for (const [k, c] of CASES.entries()) {
      if (op.needsElements && reducesEmpty(c)) continue;
      if (numel(c.shape) > 0 && sliceLength(c) < (op.minCount ?? 0)) continue;
      it(`${op.name} ${label(c)}`, () => {
        const x = seededTensor(c.shape, 100 + k);
        const fn = (t: Tensor) => op.run(t, c.dim, c.keepdim);
        expect(gradcheck(fn, [x]).ok).toBe(true);
        expect(gradgradcheck(fn, [x]).ok).toBe(true);
      });
    }
  }
});

describe("sums of large tensors over leading dimensions", () => {
  // From 16384 elements on, such a sum runs as a matrix product of a row of ones and the tensor.
  for (const backend of ["wasm", "typescript"] as const) {
    for (const dtype of ["float64", "float32"] as const) {
      it(`sums leading dims in ${dtype} on ${backend}`, () => {
        pl.setBackend(backend);
        try {
          const shape = [33, 20, 40];
          const x = seededTensor(shape, 7, dtype);
          for (const [dims, keepdim] of [[[0, 1], false], [[0], true], [[0, 1], true]] as const) {
            const result = x.sum([...dims], { keepdim });
            expectTensor(result, naiveReduce(flat(x), shape, [...dims], keepdim, (v) => v.reduce((a, b) => a + b, 0)), `dims ${dims}`);
          }
          const weights = seededTensor([40], 8, dtype);
          const [grad] = pl.autograd.grad([x.sum([0, 1]).mul(weights).sum()], [x]);
          expectTensor(grad!, { shape, data: Array.from({ length: numel(shape) }, (_, i) => flat(weights)[i % 40]) }, "gradient");
        } finally {
          pl.setBackend("wasm");
        }
      });
    }
  }

  it("keeps NaN and infinities", () => {
    const data = new Array(40 * 500).fill(1);
    data[3] = Number.NaN;
    data[45] = Infinity;
    data[85] = Infinity;
    data[46] = -Infinity;
    const sums = flat(pl.tensor(data).reshape([500, 40]).sum(0));
    expect(sums[3]).toBeNaN();
    expect(sums[5]).toBe(Infinity);
    expect(sums[6]).toBe(-Infinity);
    expect(sums[7]).toBe(500);
  });
});

describe("reductions of strided views", () => {
  for (const op of OPS) {
    it(`${op.name} of a transposed slice`, () => {
      // A [3, 4] view with strides [2, 6], so neither dimension is contiguous.
      const strided = seededTensor([4, 6], 7).T.slice(0, 0, 6, 2);
      const copy = strided.contiguous();
      for (const c of [
        { shape: [3, 4], dim: 1, keepdim: false },
        { shape: [3, 4], dim: 0, keepdim: true },
        { shape: [3, 4], dim: undefined, keepdim: false },
      ] as ReduceCase[]) {
        expect(strided.isContiguous()).toBe(false);
        expectTensor(op.run(strided, c.dim, c.keepdim), expectedFor(op, copy, c), `${op.name} ${label(c)}`);
      }
    });
  }

  it("max along a dim of a transposed view", () => {
    const base = seededTensor([4, 3], 8);
    const result = base.T.max(1);
    const expected = naiveExtreme(base.T.contiguous(), 1, false, "max");
    expectTensor(result.values, expected.values, "values");
    expectTensor(result.indices, expected.indices, "indices");
  });
});

describe("reductions empty slices", () => {
  it("max over size-0 dim raises", () => {
    const x = pl.zeros([3, 0]);
    expect(() => x.amax(1)).toThrow("amax: dimension 1 of the input of shape [3, 0] has size 0, and an empty slice has no maximum");
    expect(() => x.max(1)).toThrow(pl.InvalidArgumentError);
    expect(() => x.min()).toThrow("has no minimum");
    expect(() => x.argmax()).toThrow("argmax: dimension 1");
    expect(() => x.norm(Infinity)).toThrow("norm: dimension 1");
  });

  it("empty slices reduce to identities", () => {
    const x = pl.zeros([2, 0], { dtype: "float64" });
    expect(x.prod(1).toArray()).toEqual([1, 1]);
    expect(x.logsumexp(1).toArray()).toEqual([-Infinity, -Infinity]);
    expect(x.norm(2, 1).toArray()).toEqual([0, 0]);
    expect(flat(x.var(1)).every(Number.isNaN)).toBe(true);
  });
});

interface AlongCase {
  shape: number[];
  dim: number;
  keepdim: boolean;
}

const ALONG: AlongCase[] = [
  { shape: [], dim: 0, keepdim: false },
  { shape: [5], dim: 0, keepdim: false },
  { shape: [3, 4], dim: 1, keepdim: false },
  { shape: [3, 4], dim: -2, keepdim: true },
  { shape: [2, 3, 4], dim: 1, keepdim: false },
  { shape: [2, 1, 3], dim: 1, keepdim: true },
  { shape: [0, 3], dim: 1, keepdim: false },
];

/** Finds the value and first position of the extreme of each slice along `dim`. */
function naiveExtreme(x: Tensor, dim: number, keepdim: boolean, kind: "max" | "min"): { values: Expected; indices: Expected } {
  const rank = x.ndim;
  const d = resolveDims(dim, rank);
  const keep = rank > 0 && keepdim;
  const pick = (v: number[]) => {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (kind === "max" ? v[i] > v[best] : v[i] < v[best]) best = i;
    return best;
  };
  const values = naiveReduce(flat(x), x.shape, d, keep, (v) => v[pick(v)]);
  const indices = naiveReduce(flat(x), x.shape, d, keep, pick);
  return { values, indices };
}

describe("max and min along a dim", () => {
  for (const kind of ["max", "min"] as const) {
    for (const [k, c] of ALONG.entries()) {
      const name = `${kind} shape [${c.shape}] dim ${c.dim} keepdim ${c.keepdim}`;
      it(name, () => {
        const x = seededTensor(c.shape, 200 + k);
        const result = kind === "max" ? x.max(c.dim, { keepdim: c.keepdim }) : pl.min(x, c.dim, { keepdim: c.keepdim });
        const expected = naiveExtreme(x, c.dim, c.keepdim, kind);
        expectTensor(result.values, expected.values, `${name} values`);
        expectTensor(result.indices, expected.indices, `${name} indices`);
        expect(result.indices.dtype).toBe("int32");
        const arg = kind === "max" ? x.argmax(c.dim, { keepdim: c.keepdim }) : pl.argmin(x, c.dim, { keepdim: c.keepdim });
        expectTensor(arg, expected.indices, `arg${name}`);
      });

      it(`${name} gradients`, () => {
        const x = seededTensor(c.shape, 300 + k);
        const fn = (t: Tensor) => (kind === "max" ? t.max(c.dim, { keepdim: c.keepdim }).values : t.min(c.dim, { keepdim: c.keepdim }).values);
        expect(gradcheck(fn, [x]).ok).toBe(true);
        expect(gradgradcheck(fn, [x]).ok).toBe(true);
      });
    }
  }

  it("argmax without dim gives the flat position", () => {
    const x = pl.tensor([
      [1, 9, 3],
      [9, 0, -2],
    ]);
    expect(x.argmax().toArray()).toBe(1);
    expect(x.argmin().toArray()).toBe(5);
    expect(x.argmax(undefined, { keepdim: true }).shape).toEqual([1, 1]);
    expect(x.max().toArray()).toBe(9);
    expect(x.min().toArray()).toBe(-2);
  });

  it("ties along a dim pick the first index", () => {
    const x = pl.tensor([[2, 5, 5, 1]], { dtype: "float64", requiresGrad: true });
    const { values, indices } = x.max(1);
    expect(indices.toArray()).toEqual([1]);
    values.sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0, 0]]);
  });

  it("ties over all elements split the gradient", () => {
    const x = pl.tensor([2, 5, 5, 1], { dtype: "float64", requiresGrad: true });
    x.max().backward();
    expect(x.grad!.toArray()).toEqual([0, 0.5, 0.5, 0]);
    const y = pl.tensor([[3, 1], [3, 3]], { dtype: "float64", requiresGrad: true });
    y.amax(1).sum().backward();
    expect(y.grad!.toArray()).toEqual([[1, 0], [0.5, 0.5]]);
  });

  it("NaN propagates through max and min", () => {
    const x = pl.tensor([[1, NaN, 3, NaN]]);
    const { values, indices } = x.max(1);
    expect(Number.isNaN(values.item())).toBe(true);
    expect(indices.toArray()).toEqual([1]);
    expect(Number.isNaN(x.amin().item())).toBe(true);
    expect(x.argmin().toArray()).toBe(1);
  });

  it("integer inputs keep their dtype", () => {
    const x = pl.tensor([[3, -7, 2]], { dtype: "int32" });
    expect(x.max(1).values.dtype).toBe("int32");
    expect(x.max(1).values.toArray()).toEqual([3]);
    expect(x.amin().toArray()).toBe(-7);
    expect(x.prod().dtype).toBe("int32");
    expect(x.prod().toArray()).toBe(-42);
    expect(x.var().dtype).toBe("float32");
  });
});

describe("prod with zeros", () => {
  it("one zero gets the product of the others", () => {
    const x = pl.tensor([[2, 0, 3], [4, 5, 6]], { dtype: "float64", requiresGrad: true });
    x.prod(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 6, 0], [30, 24, 20]]);
  });

  it("two zeros give a zero gradient", () => {
    const x = pl.tensor([0, 2, 0], { dtype: "float64", requiresGrad: true });
    x.prod().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
  });

  it("second derivatives with zeros", () => {
    const one = pl.tensor([[1.5, 0, -2], [0, 0, 3]], { dtype: "float64", requiresGrad: true });
    for (const fn of [(t: Tensor) => t.prod(1), (t: Tensor) => t.prod(), (t: Tensor) => t.prod(0, { keepdim: true })]) {
      expect(gradcheck(fn, [one]).ok).toBe(true);
      expect(gradgradcheck(fn, [one]).ok).toBe(true);
    }
  });

  it("long slice with a zero", () => {
    const size = 400;
    const values = Array.from({ length: size }, (_, i) => (i === 17 ? 0 : 1 + ((i * 37) % 11) / 100));
    const x = pl.tensor(values, { dtype: "float64", requiresGrad: true });
    x.prod().backward();
    const expected = values.map((_, i) => values.reduce((p, v, j) => (j === i ? p : p * v), 1));
    expectTensor(x.grad!, { shape: [size], data: expected }, "prod gradient");
  });
});

describe("gradients at zero", () => {
  it("norm of a zero vector has a zero gradient", () => {
    for (const p of [2, 3, 1, Infinity]) {
      const x = pl.zeros([2, 3], { dtype: "float64", requiresGrad: true });
      x.norm(p, 1).sum().backward();
      expect(flat(x.grad!), `p=${p}`).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it("norm with some zero elements", () => {
    const x = pl.tensor([0, 3, -4], { dtype: "float64", requiresGrad: true });
    x.norm().backward();
    expect(x.grad!.toArray()).toEqual([0, 0.6, -0.8]);
    for (const p of [0.5, 3]) {
      expect(gradcheck((t: Tensor) => t.norm(p), [pl.tensor([0.5, 3, -4], { dtype: "float64", requiresGrad: true })]).ok).toBe(true);
    }
  });

  it("std of a constant has a zero gradient", () => {
    const x = pl.full([4], 2.5, { dtype: "float64", requiresGrad: true });
    x.std().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0, 0]);
  });
});

describe("logsumexp stability", () => {
  it("large inputs do not overflow", () => {
    const x = pl.tensor([1000, 1000], { dtype: "float64" });
    expect(x.logsumexp().item()).toBeCloseTo(1000 + Math.log(2), 10);
    expect(pl.tensor([-1000, -1000], { dtype: "float64" }).logsumexp().item()).toBeCloseTo(-1000 + Math.log(2), 10);
  });

  it("infinite slices", () => {
    const x = pl.tensor([[-Infinity, -Infinity], [Infinity, 0]], { dtype: "float64" });
    expect(x.logsumexp(1).toArray()).toEqual([-Infinity, Infinity]);
  });

  it("gradient is the softmax", () => {
    const x = pl.tensor([800, 801, 802], { dtype: "float64", requiresGrad: true });
    x.logsumexp().backward();
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const total = e.reduce((s, v) => s + v, 0);
    expectTensor(x.grad!, { shape: [3], data: e.map((v) => v / total) }, "logsumexp gradient");
  });
});

describe("reductions and the graph", () => {
  it("noGrad records nothing", () => {
    const x = seededTensor([3, 4], 11);
    const outputs = pl.noGrad(() => [x.var(1), x.max(1).values, x.amax(), x.prod(0), x.norm(3), x.logsumexp(1)]);
    for (const out of outputs) expect(out.requiresGrad).toBe(false);
  });

  it("changed indices are detected", () => {
    const x = seededTensor([3, 4], 12);
    const { values, indices } = x.max(1);
    indices.add_(1);
    expect(() => values.sum().backward()).toThrow("was modified by an in-place operation");
  });

  it("changed output of prod is detected", () => {
    const x = seededTensor([3, 4], 13);
    const y = x.prod(1);
    pl.noGrad(() => y.mul_(2));
    expect(() => y.sum().backward()).toThrow(pl.AutogradError);
  });
});

describe("reduction errors", () => {
  const x = pl.zeros([2, 3]);

  it("dim out of range", () => {
    expect(() => x.var(2)).toThrow("var: dim=2 is out of range for a tensor of rank 2; expected an integer in [-2, 1].");
    expect(() => x.max(-3)).toThrow("max: dim=-3 is out of range");
    expect(() => x.argmin(5)).toThrow(pl.InvalidArgumentError);
    expect(() => x.logsumexp([0, 7])).toThrow("logsumexp: dim=7 is out of range");
    expect(() => x.prod(1.5)).toThrow("prod: dim=1.5 is out of range");
    expect(() => x.norm(2, 3)).toThrow("norm: dim=3 is out of range");
  });

  it("repeated dims", () => {
    expect(() => x.std([1, -1])).toThrow("std: dims [1,-1] name the same dimension twice.");
  });

  it("invalid correction", () => {
    expect(() => x.var(0, { correction: -1 })).toThrow("var: correction=-1 is invalid; expected a finite non-negative number");
    expect(() => x.std(0, { correction: NaN })).toThrow("std: correction=NaN is invalid");
  });

  it("invalid p", () => {
    expect(() => x.norm(NaN)).toThrow('norm: p=NaN is invalid; expected a number (such as 2, 1, Infinity or 0) or "fro".');
    expect(() => pl.norm(x, "nuc" as "fro")).toThrow("norm: p=nuc is invalid");
  });
});

describe("reduction arguments", () => {
  it("takes keepdim as a positional boolean", () => {
    expect(pl.ones([2, 3]).mean(1, true).shape).toEqual([2, 1]);
    expect(pl.ones([2, 3]).sum(0, true).shape).toEqual([1, 3]);
    expect(pl.ones([2, 3]).max(1, true).values.shape).toEqual([2, 1]);
  });

  it("explains an object passed as the dimension", () => {
    expect(() => pl.ones([2, 3]).sum({ dim: 1 } as unknown as number)).toThrow(/sum: the dimension must be a number or an array of numbers, got an object. Write x.sum\(1, \{ keepdim: true \}\)/);
  });
});
