import { describe, expect, it } from "vitest";
import { functional, grad } from "../../core/autograd/index.js";
import { Generator, InvalidArgumentError, Tensor, randn, tensor } from "../../core/index.js";

const { vjp, jvp, hvp, jacobian, hessian } = functional;

function draw(shape: number[], seed: number): Tensor {
  return randn(shape, { dtype: "float64", generator: new Generator(seed) });
}

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

function expectClose(actual: Tensor, expected: Tensor | number[], tolerance = 1e-10): void {
  const want = expected instanceof Tensor ? values(expected) : expected;
  const got = values(actual);
  expect(got.length).toBe(want.length);
  got.forEach((value, i) => expect(Math.abs(value - want[i]), `element ${i}: ${value} vs ${want[i]}`).toBeLessThan(tolerance));
}

/** y = tanh(W·x) + x₀·x, a map from R³ to R³ with a dense Jacobian. */
function mixing(x: Tensor, w: Tensor): Tensor {
  return w.matmul(x).tanh().add(x.mul(x.slice(0, 0, 1)));
}

describe("jacobian", () => {
  it("matches diag(2x) for x²", () => {
    const x = tensor([1, -2, 3], { dtype: "float64" });
    const j = jacobian((a) => a.mul(a), x);
    expect(j.shape).toEqual([3, 3]);
    expectClose(j, [2, 0, 0, 0, -4, 0, 0, 0, 6]);
  });

  it("shapes blocks per output and input", () => {
    const x = draw([2, 3], 1);
    const w = draw([3], 2);
    const blocks = jacobian((a, b) => [a.mul(b), a.sum()], [x, w]);
    expect(blocks.length).toBe(2);
    expect(blocks[0][0].shape).toEqual([2, 3, 2, 3]);
    expect(blocks[0][1].shape).toEqual([2, 3, 3]);
    expect(blocks[1][0].shape).toEqual([2, 3]);
    expect(blocks[1][1].shape).toEqual([3]);
    expectClose(blocks[1][1], [0, 0, 0]);
  });

  it("returns zeros for an unused input, or raises with strict", () => {
    const x = draw([2], 3);
    const unused = draw([2], 4);
    const blocks = jacobian((a, _b) => a.exp(), [x, unused]);
    expectClose(blocks[1], [0, 0, 0, 0]);
    expect(() => jacobian((a, _b) => a.exp(), [x, unused], { strict: true })).toThrow(/do not depend on input 1/);
  });

  it("is differentiable with createGraph", () => {
    const x = draw([3], 5).requiresGrad_();
    const j = jacobian((a) => a.pow(3), x, { createGraph: true });
    expect(j.requiresGrad).toBe(true);
    // d/dx of sum(J) = d/dx of sum(3x²) = 6x.
    const [g] = grad(j.sum(), x);
    expectClose(g!, values(x).map((v) => 6 * v));
  });
});

describe("vjp and jvp", () => {
  it("agree with the Jacobian", () => {
    const x = draw([3], 6);
    const w = draw([3, 3], 7);
    const v = draw([3], 8);
    const u = draw([3], 9);
    const j = jacobian((a) => mixing(a, w), x);

    const [outV, vj] = vjp((a) => mixing(a, w), x, v);
    expectClose(outV, mixing(x, w));
    expectClose(vj, v.matmul(j));

    const [outJ, jv] = jvp((a) => mixing(a, w), x, u);
    expectClose(outJ, mixing(x, w));
    expectClose(jv, j.matmul(u));
  });

  it("follow the structure of inputs and outputs", () => {
    const x = draw([2], 10);
    const w = draw([2], 11);
    const [outputs, products] = vjp((a, b) => [a.mul(b), a.add(b).sum()], [x, w], [tensor([1, 1], { dtype: "float64" }), tensor(2, { dtype: "float64" })]);
    expect(outputs.length).toBe(2);
    // d/dx: w + 2, d/dw: x + 2.
    expectClose(products[0], values(w).map((v) => v + 2));
    expectClose(products[1], values(x).map((v) => v + 2));

    const [, tangents] = jvp((a, b) => [a.mul(b), a.sum()], [x, w], [tensor([1, 0], { dtype: "float64" }), tensor([0, 1], { dtype: "float64" })]);
    // J·v for a·b with da = e₀, db = e₁ is (w₀, x₁); for sum(a) it is 1.
    expectClose(tangents[0], [values(w)[0], values(x)[1]]);
    expectClose(tangents[1], [1]);
  });

  it("detaches results without createGraph", () => {
    const x = draw([3], 12).requiresGrad_();
    const [out, product] = vjp((a) => a.exp(), x, draw([3], 13));
    expect(out.requiresGrad).toBe(false);
    expect(product.requiresGrad).toBe(false);
  });

  it("rejects v of the wrong shape", () => {
    const x = draw([3], 14);
    expect(() => vjp((a) => a.exp(), x, draw([2], 15))).toThrow(InvalidArgumentError);
    expect(() => vjp((a) => a.exp(), x, draw([2], 15))).toThrow(/v 0 is shape \[2\], but output 0 has shape \[3\]/);
    expect(() => vjp((a) => a.exp(), x)).toThrow(/output 0 has shape \[3\], so v is required/);
  });
});

describe("functional options", () => {
  it("vjp with createGraph is differentiable", () => {
    const x = draw([3], 20).requiresGrad_();
    const [, product] = vjp((a) => a.pow(3), x, tensor([1, 1, 1], { dtype: "float64" }), { createGraph: true });
    expect(product.requiresGrad).toBe(true);
    // The vjp is 3x², and the gradient of its sum is 6x.
    const [g] = grad(product.sum(), x);
    expectClose(g!, values(x).map((v) => 6 * v));
  });

  it("vjp with strict raises for an unused input", () => {
    const x = draw([2], 21);
    const unused = draw([2], 22);
    expect(() => vjp((a, _b) => a.sum(), [x, unused], undefined, { strict: true })).toThrow(/the outputs do not depend on input 1 with strict: true/);
    const [, products] = vjp((a, _b) => a.sum(), [x, unused]);
    expectClose(products[1], [0, 0]);
  });

  it("jvp defaults v to one for a one-element input", () => {
    const x = tensor([0.3], { dtype: "float64" });
    const [, tangent] = jvp((a) => a.sin(), x);
    expectClose(tangent, [Math.cos(0.3)]);
    expect(() => jvp((a) => a.sin(), draw([2], 23))).toThrow(/so v is required/);
  });

  it("jvp of an output that ignores the input is zero", () => {
    const x = draw([2], 24);
    const [, tangents] = jvp((a) => [a.exp(), tensor([1, 2, 3], { dtype: "float64" })], x, tensor([1, 1], { dtype: "float64" }));
    expectClose(tangents[0], values(x).map(Math.exp));
    expectClose(tangents[1], [0, 0, 0]);
  });

  it("hvp over several inputs", () => {
    // f(a, b) = Σ a²·b, so H·(va, vb) = (2b·va + 2a·vb, 2a·va).
    const a = tensor([1, 2], { dtype: "float64" });
    const b = tensor([3, -1], { dtype: "float64" });
    const va = tensor([0.5, 1], { dtype: "float64" });
    const vb = tensor([2, -1], { dtype: "float64" });
    const [, products] = hvp((x, y) => x.mul(x).mul(y).sum(), [a, b], [va, vb]);
    expectClose(products[0], [2 * 3 * 0.5 + 2 * 1 * 2, 2 * -1 * 1 + 2 * 2 * -1]);
    expectClose(products[1], [2 * 1 * 0.5, 2 * 2 * 1]);
  });

  it("rejects integer inputs", () => {
    const x = tensor([1, 2], { dtype: "int32" });
    expect(() => jacobian((a) => a.mul(2), x)).toThrow(/input 0 has dtype int32; only float32 and float64 inputs can be differentiated/);
  });

  it("keeps float32 inputs in float32", () => {
    const x = tensor([1, 2]);
    const j = jacobian((a) => a.mul(a), x);
    expect(j.dtype).toBe("float32");
    expectClose(j, [2, 0, 0, 4], 1e-6);
  });
});

describe("hessian and hvp", () => {
  it("match the analytic Hessian of a cubic", () => {
    // f(x) = Σ x_i³ + x₀x₁, so H = diag(6x) + (e₀e₁ᵀ + e₁e₀ᵀ).
    const x = tensor([0.5, -1, 2], { dtype: "float64" });
    const f = (a: Tensor): Tensor => a.pow(3).sum().add(a.slice(0, 0, 1).mul(a.slice(0, 1, 2)).sum());
    const h = hessian(f, x);
    expect(h.shape).toEqual([3, 3]);
    expectClose(h, [3, 1, 0, 1, -6, 0, 0, 0, 12]);

    const v = tensor([1, 2, 3], { dtype: "float64" });
    const [value, hv] = hvp(f, x, v);
    expect(value.item()).toBeCloseTo(0.125 - 1 + 8 - 0.5, 12);
    expectClose(hv, [5, -11, 36]);
  });

  it("rejects a non-scalar function", () => {
    const x = draw([3], 16);
    expect(() => hessian((a) => a.exp(), x)).toThrow(/must return a single one-element tensor/);
  });
});
