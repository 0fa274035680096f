import { describe, expect, it } from "vitest";
import { GradcheckError, gradcheck, gradgradcheck, record } from "../../core/autograd/index.js";
import { AutogradError, Generator, InvalidArgumentError, Tensor, randn, tensor } from "../../core/index.js";
import { mapUnary } from "../../core/ops/unary.js";

function input(shape: number[], seed: number): Tensor {
  return randn(shape, { dtype: "float64", requiresGrad: true, generator: new Generator(seed) });
}

/** sin with a deliberately wrong gradient rule: cos(x) scaled by 1.1. */
function wrongSin(x: Tensor): Tensor {
  return record(mapUnary(x, "Math.sin(x)"), "wrongSin", [x], (g, [xs]) => [g.mul(xs.cos()).mul(1.1)], [x]);
}

/** sin whose first derivative is right but whose gradient rule's own gradient is wrong. */
function wrongSecondSin(x: Tensor): Tensor {
  return record(mapUnary(x, "Math.sin(x)"), "wrongSecondSin", [x], (g, [xs]) => [g.mul(mapUnary(xs.detach(), "Math.cos(x)")).add(xs.mul(0).mul(xs))], [x]);
}

describe("gradcheck", () => {
  it("passes on correct rules", () => {
    const x = input([2, 3], 1);
    const w = input([3, 4], 2);
    expect(gradcheck((a, b) => a.matmul(b).tanh(), [x, w]).ok).toBe(true);
    expect(gradcheck((a) => [a.exp(), a.sin().sum()], [x]).ok).toBe(true);
  });

  it("catches a wrong rule and reports the worst element", () => {
    const x = tensor([0.1, 0.5, 1.0], { dtype: "float64", requiresGrad: true });
    let caught: unknown;
    try {
      gradcheck(wrongSin, [x]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GradcheckError);
    const result = (caught as GradcheckError).result;
    expect(result.ok).toBe(false);
    // The error 0.1·cos(x) is largest at the smallest x.
    expect(result.worst!.index).toEqual([0]);
    expect(result.worst!.outputIndex).toEqual([0]);
    expect(result.worst!.numerical).toBeCloseTo(Math.cos(0.1), 6);
    expect(result.worst!.analytic).toBeCloseTo(1.1 * Math.cos(0.1), 12);
    expect((caught as Error).message).toMatch(/worst element: input index \[0\], output index \[0\]/i);
  });

  it("returns the result with raiseException false", () => {
    const x = input([4], 3);
    const result = gradcheck(wrongSin, [x], { raiseException: false });
    expect(result.ok).toBe(false);
    expect(result.worst!.error).toBeGreaterThan(1e-3);
  });

  it("rejects float32 inputs with a hint", () => {
    const x = randn([3], { requiresGrad: true });
    expect(() => gradcheck((a) => a.exp(), [x])).toThrow(InvalidArgumentError);
    expect(() => gradcheck((a) => a.exp(), [x])).toThrow(/input 0 has dtype float32.*float64/);
  });
});

describe("gradgradcheck", () => {
  it("passes on correct rules", () => {
    const x = input([2, 3], 4);
    const w = input([3, 2], 5);
    expect(gradgradcheck((a, b) => a.matmul(b).tanh(), [x, w]).ok).toBe(true);
  });

  it("catches a wrong second derivative", () => {
    const x = input([3], 6);
    expect(gradcheck(wrongSecondSin, [x]).ok).toBe(true);
    expect(() => gradgradcheck(wrongSecondSin, [x])).toThrow(GradcheckError);
  });
});

/** add with a rule that forgets to reduce the broadcast gradient of `b`. */
function unreducedAdd(a: Tensor, b: Tensor): Tensor {
  return record(a.detach().add(b.detach()), "unreducedAdd", [a, b], (g) => [g, g]);
}

describe("gradcheck inputs", () => {
  it("reports a rule that returns the wrong shape", () => {
    const a = input([2, 3], 7);
    const b = input([3], 8);
    expect(() => gradcheck(unreducedAdd, [a, b])).toThrow(AutogradError);
    expect(() => gradcheck(unreducedAdd, [a, b])).toThrow(/rule of unreducedAdd returned a gradient of shape \[2, 3\] for input 1, which has shape \[3\]/);
  });

  it("skips inputs that do not require grad", () => {
    const x = input([3], 9);
    const constant = randn([3], { dtype: "float32", generator: new Generator(10) });
    const result = gradcheck((a, c) => a.mul(c.double()), [x, constant]);
    expect(result.ok).toBe(true);
    expect(result.worst!.input).toBe(0);
  });

  it("handles a constant output and a size-0 input", () => {
    const x = input([2], 11);
    const empty = randn([0, 3], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((a, e) => [a.exp(), tensor([1, 2], { dtype: "float64" }), e.mul(2)], [x, empty]).ok).toBe(true);
  });

  it("checks a non-contiguous input", () => {
    const base = input([3, 2], 12);
    const transposed = base.detach().transpose(0, 1).requiresGrad_();
    expect(transposed.isContiguous()).toBe(false);
    expect(gradcheck((a) => a.matmul(a.transpose(0, 1)), [transposed]).ok).toBe(true);
  });

  it("restores the input values", () => {
    const x = input([4], 13);
    const before = Array.from(x.dataSync());
    gradcheck((a) => a.sin(), [x]);
    expect(Array.from(x.dataSync())).toEqual(before);
    expect(x.version).toBe(0);
  });

  it("raises when no input requires grad", () => {
    const x = randn([2], { dtype: "float64" });
    expect(() => gradcheck((a) => a.exp(), [x])).toThrow(/no input requires grad/);
  });

  it("rejects an invalid eps", () => {
    const x = input([2], 14);
    expect(() => gradcheck((a) => a.exp(), [x], { eps: 0 })).toThrow(/eps=0 is invalid; expected a finite positive number/);
  });

  it("accepts a single tensor as inputs", () => {
    expect(gradcheck((a) => a.exp(), input([2], 15)).ok).toBe(true);
  });
});

describe("gradgradcheck options", () => {
  it("uses the given gradOutputs", () => {
    const x = input([3], 16);
    const v = tensor([1, 0, -2], { dtype: "float64" });
    expect(gradgradcheck((a) => a.pow(3), [x], { gradOutputs: [v] }).ok).toBe(true);
    expect(() => gradgradcheck((a) => a.pow(3), [x], { gradOutputs: [tensor([1, 2], { dtype: "float64" })] })).toThrow(
      /gradOutputs\[0\] is a float64 tensor of shape \[2\]; expected float64 of the output's shape \[3\]/,
    );
  });

  it("reports the same worst element for the same seed", () => {
    const x = input([3], 17);
    const first = gradgradcheck(wrongSecondSin, [x], { raiseException: false, seed: 3 });
    const second = gradgradcheck(wrongSecondSin, [x], { raiseException: false, seed: 3 });
    expect(first.ok).toBe(false);
    expect(second.worst).toEqual(first.worst);
  });

  it("passes for a function linear in its input", () => {
    const x = input([2, 2], 18);
    const w = randn([2, 2], { dtype: "float64", generator: new Generator(19) });
    expect(gradgradcheck((a) => a.matmul(w), [x]).ok).toBe(true);
  });
});

describe("gradcheck storage", () => {
  it("rejects inputs that share storage", () => {
    const x = input([3], 20);
    expect(() => gradcheck((a, b) => a.mul(b), [x, x.detach()])).toThrow(/inputs 0 and 1 share storage/);
  });
});
