import { describe, expect, it } from "vitest";
import { functional, grad } from "../../core/autograd/index.js";
import { Generator, Tensor, randn, tensor } from "../../core/index.js";

const { hessian, hvp, jacobian } = functional;

/** Layer sizes of the MLP 3 → 4 → 3 → 1, with tanh between layers. */
const SIZES = [3, 4, 3, 1];
const PARAMETER_COUNT = SIZES.slice(1).reduce((n, out, i) => n + SIZES[i] * out + out, 0);

const generator = new Generator(42);
const inputs = randn([5, 3], { dtype: "float64", generator });
const targets = randn([5, 1], { dtype: "float64", generator });
const theta0 = randn([PARAMETER_COUNT], { dtype: "float64", generator }).mul(0.7);

/** Splits a flat parameter vector into weight [in, out] and bias [out] per layer. */
function unpack(theta: Tensor): Tensor[] {
  const parameters: Tensor[] = [];
  let offset = 0;
  for (let layer = 1; layer < SIZES.length; layer++) {
    const [fanIn, fanOut] = [SIZES[layer - 1], SIZES[layer]];
    parameters.push(theta.slice(0, offset, offset + fanIn * fanOut).reshape([fanIn, fanOut]));
    offset += fanIn * fanOut;
    parameters.push(theta.slice(0, offset, offset + fanOut));
    offset += fanOut;
  }
  return parameters;
}

/** Computes the mean squared error of the MLP from (weight, bias) pairs, one per layer. */
function mlpLoss(...parameters: Tensor[]): Tensor {
  let h = inputs;
  for (let i = 0; i < parameters.length; i += 2) {
    h = h.matmul(parameters[i]).add(parameters[i + 1]);
    if (i + 2 < parameters.length) h = h.tanh();
  }
  return h.sub(targets).pow(2).mean();
}

function flatLoss(theta: Tensor): Tensor {
  return mlpLoss(...unpack(theta));
}

function gradientAt(values: Float64Array): Float64Array {
  const theta = Tensor.fromTypedArray(values, [PARAMETER_COUNT]).requiresGrad_();
  const [g] = grad(flatLoss(theta), theta);
  return g!.dataSync() as Float64Array;
}

/** Column j of the Hessian by central differences of the gradient. */
function finiteDifferenceHessian(theta: Tensor, eps = 1e-5): Float64Array {
  const n = PARAMETER_COUNT;
  const out = new Float64Array(n * n);
  const base = theta.dataSync() as Float64Array;
  for (let j = 0; j < n; j++) {
    const plus = base.slice();
    const minus = base.slice();
    plus[j] += eps;
    minus[j] -= eps;
    const [gPlus, gMinus] = [gradientAt(plus), gradientAt(minus)];
    for (let i = 0; i < n; i++) out[i * n + j] = (gPlus[i] - gMinus[i]) / (2 * eps);
  }
  return out;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe("Hessian of an MLP loss", () => {
  const h = hessian(flatLoss, theta0);
  const hValues = h.dataSync();

  it("has the parameter count squared as its shape", () => {
    expect(h.shape).toEqual([PARAMETER_COUNT, PARAMETER_COUNT]);
  });

  it("matches finite differences of the gradient", () => {
    const reference = finiteDifferenceHessian(theta0);
    const scale = Math.max(...Array.from(reference, Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    expect(maxAbsDifference(hValues, reference)).toBeLessThan(1e-6 * Math.max(1, scale));
  });

  it("is symmetric", () => {
    const n = PARAMETER_COUNT;
    let asymmetry = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) asymmetry = Math.max(asymmetry, Math.abs(hValues[i * n + j] - hValues[j * n + i]));
    expect(asymmetry).toBeLessThan(1e-12);
  });

  it("hvp agrees with H·v", () => {
    const v = randn([PARAMETER_COUNT], { dtype: "float64", generator: new Generator(7) });
    const [loss, product] = hvp(flatLoss, theta0, v);
    expect(loss.item()).toBeCloseTo(flatLoss(theta0).item(), 14);
    expect(maxAbsDifference(product.dataSync(), h.matmul(v).dataSync())).toBeLessThan(1e-12);
  });

  it("per-layer blocks match the flat Hessian", () => {
    const parameters = unpack(theta0).map((p) => p.contiguous());
    const blocks = hessian(mlpLoss, parameters);
    const offsets: number[] = [];
    parameters.reduce((offset, p) => (offsets.push(offset), offset + p.numel()), 0);
    parameters.forEach((pi, i) => {
      parameters.forEach((pj, j) => {
        const block = blocks[i][j];
        expect(block.shape).toEqual([...pi.shape, ...pj.shape]);
        const expected = h.slice(0, offsets[i], offsets[i] + pi.numel()).slice(1, offsets[j], offsets[j] + pj.numel());
        expect(maxAbsDifference(block.dataSync(), expected.dataSync()), `block [${i}][${j}]`).toBeLessThan(1e-12);
      });
    });
  });

  it("equals the Jacobian of the gradient", () => {
    const gradient = (theta: Tensor): Tensor => grad(flatLoss(theta), theta, { createGraph: true })[0]!;
    expect(maxAbsDifference(jacobian(gradient, theta0).dataSync(), hValues)).toBeLessThan(1e-12);
  });
});

describe("third order through createGraph", () => {
  it("differentiates a Hessian built with createGraph", () => {
    // f(x) = Σ x_i⁴ has H = diag(12x²), and d/dx of trace(H) = 24x.
    const x = tensor([0.5, -1, 2], { dtype: "float64", requiresGrad: true });
    const h = hessian((a) => a.pow(4).sum(), x, { createGraph: true });
    const trace = h.mul(tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: "float64" })).sum();
    const [g] = grad(trace, x);
    expect(Array.from(g!.dataSync())).toEqual([12, -24, 48]);
  });
});
