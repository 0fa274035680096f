import { describe, expect, it } from "vitest";
import { GradcheckError, gradcheck, gradgradcheck, record } from "../../core/autograd/index.js";
import { Generator, InvalidArgumentError, Tensor, randn, tensor } from "../../core/index.js";
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
