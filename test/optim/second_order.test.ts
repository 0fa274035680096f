import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";

const F64 = { dtype: "float64" } as const;

/** Iris with standardized features (float64) and int32 labels. */
function irisData(): [Tensor, Tensor] {
  const data = pl.data.iris();
  const [features, labels] = data.tensors;
  const x = features.double();
  const standardized = x.sub(x.mean(0, { keepdim: true })).div(x.std(0, { keepdim: true }));
  return [standardized, labels];
}

function gradientNorm(loss: Tensor, params: Tensor[]): number {
  const grads = pl.autograd.grad([loss], params);
  return Math.sqrt(grads.reduce((sum, g) => sum + g!.pow(2).sum().item(), 0));
}

function rosenbrock(x: Tensor): Tensor {
  const n = x.shape[0];
  const head = x.slice(0, 0, n - 1);
  const tail = x.slice(0, 1, n);
  return tail.sub(head.mul(head)).pow(2).mul(100).add(head.neg().add(1).pow(2)).sum();
}

describe("Newton", () => {
  it("reaches gradient norm 1e-10 on Iris logistic regression within 10 steps", () => {
    const [x, y] = irisData();
    const w = pl.zeros([4, 3], { ...F64, requiresGrad: true });
    const b = pl.zeros([3], { ...F64, requiresGrad: true });
    // L2-regularized multinomial logistic regression: setosa is separable, so without the
    // penalty the loss has no minimizer.
    const lossOf = (): Tensor => pl.nn.functional.crossEntropy(x.matmul(w).add(b), y).add(w.pow(2).sum().add(b.pow(2).sum()).mul(5e-4));
    const optimizer = new pl.optim.Newton([w, b]);
    const norms: number[] = [];
    for (let step = 0; step < 10 && (norms.length === 0 || norms[norms.length - 1] >= 1e-10); step++) {
      optimizer.step(lossOf);
      norms.push(gradientNorm(lossOf(), [w, b]));
    }
    expect(norms[norms.length - 1], `gradient norms ${norms.map((n) => n.toExponential(2)).join(", ")}`).toBeLessThan(1e-10);
    expect(norms.length).toBeLessThanOrEqual(10);
  });

  it("damps an indefinite Hessian on Rosenbrock", () => {
    // At (0, 1) the Hessian is diag(−398, 200), indefinite, so Newton must damp it.
    const x = pl.tensor([0, 1], { ...F64, requiresGrad: true });
    const optimizer = new pl.optim.Newton([x]);
    for (let step = 0; step < 60; step++) optimizer.step(() => rosenbrock(x));
    Array.from(x.dataSync()).forEach((value) => expect(value).toBeCloseTo(1, 8));
  });

  it("rejects a model with too many parameters", () => {
    const model = new pl.nn.Linear(100, 50);
    expect(() => new pl.optim.Newton(model.parameters())).toThrow(
      "Newton: the model has 5050 parameters, more than maxParams = 4000; its Hessian would be 5050×5050 (194.6 MiB in float64) and cost 5050 Hessian-vector products per step. Use NewtonCG (Hessian-free), LBFGS or AdaHessian, or raise maxParams.",
    );
  });

  it("rejects a closure that returns a number", () => {
    const x = pl.tensor([1, 2], { ...F64, requiresGrad: true });
    expect(() => new pl.optim.Newton([x]).step(() => 3)).toThrow(/the closure must return the loss tensor/);
  });
});

describe("NewtonCG", () => {
  const n = 8;
  const generator = new pl.Generator(3);
  const m = pl.randn([n, n], { ...F64, generator });
  const a = m.matmul(m.transpose(0, 1)).add(pl.eye(n, n, F64));
  const bVector = pl.randn([n], { ...F64, generator });
  const quadratic = (x: Tensor): Tensor => x.matmul(a.matmul(x)).mul(0.5).sub(bVector.dot(x));

  it("solves a quadratic in one undamped step", () => {
    const x = pl.zeros([n], { ...F64, requiresGrad: true });
    const optimizer = new pl.optim.NewtonCG([x], { damping: 0, cgTol: 1e-12, cgMaxIter: 50 });
    optimizer.step(() => quadratic(x));
    const residual = a.matmul(x).sub(bVector);
    expect(residual.abs().max().item()).toBeLessThan(1e-9);
    expect(optimizer.lastSolve!.reason).toBe("converged");
    expect(optimizer.lastSolve!.iterations).toBeLessThanOrEqual(n);
  });

  it("CG returns −g at negative curvature", () => {
    const g = Float64Array.from([1, -2]);
    const result = pl.optim.truncatedCG((v) => v.map((x) => -x), g, 0, 10, 1e-8);
    expect(result.reason).toBe("negativeCurvature");
    expect(Array.from(result.direction)).toEqual([-1, 2]);
  });

  it("minimizes Rosenbrock", () => {
    const x = pl.tensor([-1.2, 1], { ...F64, requiresGrad: true });
    const optimizer = new pl.optim.NewtonCG([x]);
    for (let step = 0; step < 100; step++) optimizer.step(() => rosenbrock(x));
    Array.from(x.dataSync()).forEach((value) => expect(value).toBeCloseTo(1, 6));
  });
});

describe("BFGS", () => {
  it("minimizes 4-D Rosenbrock", () => {
    const x = pl.tensor([-1.2, 1, -1.2, 1], { ...F64, requiresGrad: true });
    const optimizer = new pl.optim.BFGS([x], { maxIter: 200, toleranceGrad: 1e-10, toleranceChange: 1e-16 });
    optimizer.step(() => {
      optimizer.zeroGrad();
      const loss = rosenbrock(x);
      loss.backward();
      return loss;
    });
    Array.from(x.dataSync()).forEach((value) => expect(value).toBeCloseTo(1, 6));
  });

  it("stops on a quadratic within n + 2 iterations", () => {
    const a = pl.tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]], F64);
    const x = pl.tensor([1, -1, 2], { ...F64, requiresGrad: true });
    const optimizer = new pl.optim.BFGS([x], { maxIter: 50, toleranceGrad: 1e-10, toleranceChange: 0 });
    optimizer.step(() => {
      optimizer.zeroGrad();
      const loss = x.dot(a.matmul(x)).mul(0.5);
      loss.backward();
      return loss;
    });
    expect(x.abs().max().item()).toBeLessThan(1e-9);
    expect(optimizer.state.get(x)!.nIter as number).toBeLessThanOrEqual(20);
  });
});

describe("AdaHessian", () => {
  it("first step on a diagonal quadratic matches the formula", () => {
    // For a diagonal Hessian, z ⊙ Hz is the diagonal exactly, so the step is deterministic:
    // m̂ = g and √v̂ = |h|, hence θ₁ = θ₀ − lr·g / (|h| + ε).
    const h = pl.tensor([1, 4, 0.25], F64);
    const theta0 = [1, -2, 3];
    const x = pl.tensor(theta0, { ...F64, requiresGrad: true });
    const optimizer = new pl.optim.AdaHessian([x], { lr: 0.1, eps: 1e-4 });
    optimizer.step(() => h.mul(x).mul(x).mul(0.5).sum());
    const expected = theta0.map((t, i) => t - (0.1 * [1, 4, 0.25][i] * t) / ([1, 4, 0.25][i] + 1e-4));
    Array.from(x.dataSync()).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 12));
  });

  it("averages the diagonal over convolution windows", () => {
    const conv = new pl.nn.Conv2d(1, 2, 3);
    const input = pl.randn([2, 1, 5, 5]);
    const optimizer = new pl.optim.AdaHessian(conv.parameters(), {}, new pl.Generator(1));
    optimizer.step(() => (conv.forward(input) as Tensor).pow(2).mean());
    const v = optimizer.state.get(conv.weight)!.expHessianDiagSq as Tensor;
    const windows = v.reshape([2, 9]).toArray() as number[][];
    for (const window of windows) window.forEach((value) => expect(value).toBeCloseTo(window[0], 6));
  });

  it("rejects hessianPower above 1", () => {
    const x = pl.tensor([1], { ...F64, requiresGrad: true });
    expect(() => new pl.optim.AdaHessian([x], { hessianPower: 2 })).toThrow("AdaHessian: invalid hessianPower=2; expected a number in [0, 1].");
  });
});

describe("a closure that calls backward", () => {
  const constructors = [pl.optim.Newton, pl.optim.NewtonCG, pl.optim.AdaHessian];
  for (const Optimizer of constructors) {
    it(`${Optimizer.name} names the closure form it expects`, () => {
      const w = pl.tensor([1, 2], { ...F64, requiresGrad: true });
      const optimizer = new Optimizer([w]);
      const pytorchStyle = (): Tensor => {
        optimizer.zeroGrad();
        const loss = w.pow(4).sum();
        loss.backward();
        return loss;
      };
      expect(() => optimizer.step(pytorchStyle)).toThrow(
        `${Optimizer.name}.step: the closure must return the loss without calling backward(); ${Optimizer.name} differentiates it itself ` +
          "(LBFGS and BFGS take the PyTorch form that calls backward)",
      );
      expect(w.toArray()).toEqual([1, 2]);
    });
  }

  it("is told apart from a closure that only clears the gradients", () => {
    const w = pl.tensor([1, 2], { ...F64, requiresGrad: true });
    w.pow(2).sum().backward();
    const optimizer = new pl.optim.Newton([w]);
    optimizer.step(() => {
      optimizer.zeroGrad();
      return w.pow(2).sum();
    });
    (w.toArray() as number[]).forEach((value) => expect(Math.abs(value)).toBeLessThan(1e-6));
  });
});
