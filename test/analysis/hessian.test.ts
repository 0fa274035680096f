import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import { mlpProblem } from "./mlp.js";

const H = pl.analysis.hessian;
const problem = mlpProblem();
const { model, batch, lossFn } = problem;

let exactValues: Float64Array;
let exactMatrix: Float64Array;
let exactVectors: Float64Array[];

beforeAll(() => {
  H.logger.setLevel("silent");
  const result = H.exact(model, lossFn, batch);
  exactValues = result.eigenvalues.dataSync() as Float64Array;
  exactMatrix = result.matrix.dataSync() as Float64Array;
  const rows = result.eigenvectors.dataSync() as Float64Array;
  exactVectors = Array.from({ length: exactValues.length }, (_, k) => rows.subarray(k * exactValues.length, (k + 1) * exactValues.length));
});

afterEach(() => {
  H.logger.setSink(null);
  H.logger.setLevel("silent");
});

function flatGradient(values: Float64Array): Float64Array {
  const op = H.operator(model, lossFn, batch);
  const saved = op.values();
  op.setValues(values);
  const gradient = H.operator(model, lossFn, batch).lossAndGradient().gradient;
  op.setValues(saved);
  return gradient;
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe("exact Hessian", () => {
  it("has 255 parameters", () => {
    expect(exactValues.length).toBe(255);
  });

  it("matches central differences of the gradient", () => {
    const theta = H.operator(model, lossFn, batch).values();
    const n = theta.length;
    const step = 1e-5;
    for (const column of [0, 17, 100, 200, 254]) {
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[column] += step;
      minus[column] -= step;
      const [gPlus, gMinus] = [flatGradient(plus), flatGradient(minus)];
      for (let row = 0; row < n; row++) {
        const difference = (gPlus[row] - gMinus[row]) / (2 * step);
        expect(Math.abs(exactMatrix[row * n + column] - difference), `H[${row}][${column}]`).toBeLessThan(1e-7);
      }
    }
  });

  it("eigenpairs satisfy Hv = λv", () => {
    const op = H.operator(model, lossFn, batch);
    const [values, vectors] = [exactValues, exactVectors];
    for (const k of [0, 1, 50, 254]) {
      const hv = op.apply(vectors[k]);
      const residual = Math.hypot(...hv.map((x, i) => x - values[k] * vectors[k][i]));
      expect(residual, `pair ${k}, λ = ${values[k]}`).toBeLessThan(1e-10);
    }
  });

  it("eigenvalues sum to the trace", () => {
    const n = exactValues.length;
    const trace = Array.from({ length: n }, (_, i) => exactMatrix[i * n + i]).reduce((a, b) => a + b, 0);
    const sum = exactValues.reduce((a, b) => a + b, 0);
    expect(relativeError(sum, trace)).toBeLessThan(1e-12);
  });
});

describe("top eigenvalues", () => {
  it("by Lanczos match the exact top 5", () => {
    const result = H.topEigenvalues(model, lossFn, batch, { topK: 5, method: "lanczos" });
    expect(result.converged).toBe(true);
    result.values.forEach((value, k) => expect(relativeError(value, exactValues[k]), `λ${k + 1}`).toBeLessThan(1e-6));
  });

  it("by power iteration match the exact top 5", () => {
    const result = H.topEigenvalues(model, lossFn, batch, { topK: 5, method: "power", seed: 3 });
    expect(result.converged).toBe(true);
    result.values.forEach((value, k) => expect(relativeError(value, exactValues[k]), `λ${k + 1}`).toBeLessThan(1e-6));
  });

  it("eigenvectors are unit and match the exact ones up to sign", () => {
    const result = H.topEigenvalues(model, lossFn, batch, { topK: 3 });
    result.vectors.forEach((v, k) => {
      const overlap = Math.abs(v.reduce((sum, x, i) => sum + x * exactVectors[k][i], 0));
      expect(overlap, `|⟨v${k + 1}, u${k + 1}⟩|`).toBeGreaterThan(1 - 1e-8);
    });
  });

  it("reports non-convergence with residuals and a warning", () => {
    const messages: string[] = [];
    H.logger.setLevel("warn");
    H.logger.setSink((_level, message) => messages.push(message));
    const result = H.topEigenvalues(model, lossFn, batch, { topK: 5, method: "power", maxIter: 3 });
    expect(result.converged).toBe(false);
    expect(result.residuals).toHaveLength(5);
    expect(Math.max(...result.residuals)).toBeGreaterThan(0);
    expect(messages.join("\n")).toMatch(/did not converge in 3 iterations; residuals/);
  });

  it("Lanczos reports non-convergence with residuals", () => {
    const messages: string[] = [];
    H.logger.setLevel("warn");
    H.logger.setSink((_level, message) => messages.push(message));
    const result = H.topEigenvalues(model, lossFn, batch, { topK: 5, maxIter: 6 });
    expect(result.converged).toBe(false);
    expect(result.residuals.some((r) => r > 1e-10 * Math.abs(result.values[0]))).toBe(true);
    expect(messages.join("\n")).toMatch(/did not converge in 6 steps; estimated residuals/);
  });
});

describe("Hutchinson", () => {
  it("trace is within 3% with 2,000 probes", () => {
    const exactTrace = exactValues.reduce((a, b) => a + b, 0);
    const result = H.trace(model, lossFn, batch, { probes: 2000, seed: 1 });
    expect(result.probes).toBe(2000);
    expect(relativeError(result.trace, exactTrace), `estimate ${result.trace}, exact ${exactTrace}`).toBeLessThan(0.03);
    expect(result.standardError).toBeGreaterThan(0);
  });

  it("trace reports an unmet tolerance", () => {
    const messages: string[] = [];
    H.logger.setLevel("warn");
    H.logger.setSink((_level, message) => messages.push(message));
    const result = H.trace(model, lossFn, batch, { probes: 20, tol: 1e-6, seed: 1 });
    expect(result.converged).toBe(false);
    expect(result.probes).toBe(20);
    expect(result.standardError).toBeGreaterThan(1e-6 * Math.abs(result.trace));
    expect(messages.join("\n")).toMatch(/hutchinsonTrace: the standard error .* after 20 probes; raise probes/);
  });

  it("diagonal is within four standard errors", () => {
    const n = exactValues.length;
    const result = H.diagonal(model, lossFn, batch, { probes: 300, seed: 2 });
    let outside = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(result.diagonal[i] - exactMatrix[i * n + i]) > 4 * result.standardError[i] + 1e-12) outside++;
    }
    expect(outside).toBeLessThanOrEqual(2);
    expect(result.tensors.map((t) => t.shape)).toEqual(model.parameters().map((p) => p.shape));
  });
});

describe("stochastic Lanczos quadrature", () => {
  const n = 255;
  const traceOverN = (): number => exactValues.reduce((a, b) => a + b, 0) / n;
  const squaresOverN = (): number => exactValues.reduce((a, b) => a + b * b, 0) / n;

  it("density integrates to 1 and matches the first two moments", () => {
    // With runs = n the start vectors form a basis, so the moments have no sampling error and
    // only the Gaussian kernel adds σ² to the second moment.
    const result = H.density(model, lossFn, batch, { runs: n, steps: 8, seed: 5 });
    const [mass, first, second] = [0, 1, 2].map((p) => H.densityMoment(result, p));
    expect(Math.abs(mass - 1)).toBeLessThan(1e-6);
    expect(relativeError(first, traceOverN())).toBeLessThan(0.05);
    expect(relativeError(second, squaresOverN())).toBeLessThan(0.05);
    expect(relativeError(first, traceOverN())).toBeLessThan(1e-6);
    expect(relativeError(second - result.sigma ** 2, squaresOverN())).toBeLessThan(1e-6);
  });

  it("moments from 40 runs are within four standard errors", () => {
    const result = H.density(model, lossFn, batch, { runs: 40, steps: 8, seed: 6 });
    for (const [power, exact] of [[1, traceOverN()], [2, squaresOverN()]] as const) {
      const perRun = result.nodes.map((nodes, r) => nodes.reduce((sum, theta, k) => sum + result.weights[r][k] * theta ** power, 0));
      const mean = perRun.reduce((a, b) => a + b, 0) / perRun.length;
      const variance = perRun.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (perRun.length - 1);
      const standardError = Math.sqrt(variance / perRun.length);
      expect(Math.abs(mean - exact), `moment ${power}: ${mean} vs exact ${exact} ± ${standardError}`).toBeLessThan(4 * standardError);
    }
  });

  it("node weights of each run sum to 1", () => {
    const result = H.density(model, lossFn, batch, { runs: 3, steps: 10 });
    for (const weights of result.weights) expect(Math.abs(weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
  });
});

describe("Hessian-vector products", () => {
  it("averaged over a DataLoader equal the full batch", () => {
    const dataset = new pl.data.TensorDataset(batch[0], batch[1]);
    const loader = new pl.data.DataLoader(dataset, { batchSize: 16 });
    const v = model.parameters().map((p) => pl.randn(p.shape, { dtype: "float64", generator: new pl.Generator(9) }));
    const full = H.hvp(model, lossFn, batch, v);
    const averaged = H.hvp(model, lossFn, loader, v);
    full.forEach((t, i) => {
      const [a, b] = [t.dataSync(), averaged[i].dataSync()];
      a.forEach((x, j) => expect(Math.abs(x - b[j])).toBeLessThan(1e-12));
    });
  });

  it("over one layer equal that layer's block", () => {
    const op = H.operator(model, lossFn, batch, { params: ["4"] });
    expect(op.names).toEqual(["4.weight", "4.bias"]);
    const offset = 48 + 12 + 144 + 12;
    const n = exactValues.length;
    const unit = new Float64Array(op.size);
    unit[5] = 1;
    const column = op.apply(unit);
    column.forEach((x, i) => expect(Math.abs(x - exactMatrix[(offset + i) * n + offset + 5])).toBeLessThan(1e-12));
  });

  it("rejects an unknown parameter name", () => {
    expect(() => H.operator(model, lossFn, batch, { params: ["fc9"] })).toThrow(/no parameter is named "fc9".*the model's parameters are 0.weight/);
  });
});

describe("BatchNorm models", () => {
  it("are analyzed in eval mode and keep their mode", () => {
    pl.manualSeed(11);
    const F64 = { dtype: "float64" } as const;
    const net = new pl.nn.Sequential(new pl.nn.Linear(3, 5, F64), new pl.nn.BatchNorm1d(5, F64), new pl.nn.Tanh(), new pl.nn.Linear(5, 2, F64));
    const x = pl.randn([8, 3], F64);
    const y = pl.randint(0, 2, [8]);
    net.train();
    const running = net.buffers().map((b) => Array.from(b.dataSync()));
    const eigen = H.topEigenvalues(net, lossFn, [x, y], { topK: 2 });
    expect(net.training).toBe(true);
    expect(net.buffers().map((b) => Array.from(b.dataSync()))).toEqual(running);

    net.eval();
    const exactEval = H.exact(net, lossFn, [x, y]).eigenvalues.dataSync();
    net.train();
    eigen.values.forEach((value, k) => expect(relativeError(value, exactEval[k])).toBeLessThan(1e-8));
  });
});

describe("models with few parameters", () => {
  function tinyProblem(features: number, bias: boolean) {
    const linear = new pl.nn.Linear(features, 1, { bias, dtype: "float64" });
    const x = pl.randn([8, features], { dtype: "float64", generator: new pl.Generator(3) });
    const y = pl.randn([8, 1], { dtype: "float64", generator: new pl.Generator(4) });
    return { linear, data: [x, y] as [pl.Tensor, pl.Tensor], loss: pl.nn.functional.mseLoss };
  }

  it("density uses runs = n by default when n < 10, and rejects an explicit runs > n", () => {
    const { linear, data, loss } = tinyProblem(2, true);
    const result = H.density(linear, loss, data);
    expect(result.runs).toBe(3);
    expect(Math.abs(H.densityMoment(result, 0) - 1)).toBeLessThan(1e-6);
    expect(() => H.density(linear, loss, data, { runs: 4 })).toThrow("spectralDensity: runs=4 is more than n = 3");
  });

  it("spectrum with density works on a 1-parameter model", () => {
    const { linear, data, loss } = tinyProblem(1, false);
    const result = H.spectrum(linear, loss, data, { density: true });
    expect(result.toString()).toContain("stochastic Lanczos quadrature, 1 run × 1 step,");
    expect(() => H.spectrum(linear, loss, data, { topK: 2 })).toThrow("(the model has 1 parameter), so it has only 1");
  });

  it("landscape along eigen directions names its own dims for a 1-parameter model", () => {
    const { linear, data, loss } = tinyProblem(1, false);
    expect(() => H.landscape(linear, loss, data, { directions: "eigen", dims: 2 })).toThrow(
      'landscape: directions "eigen" with dims=2 needs 2 Hessian eigenvectors, but the model has 1 parameter, so its Hessian has only 1; pass dims: 1 or directions: "random".',
    );
    expect(H.landscape(linear, loss, data, { directions: "eigen", dims: 1, steps: 3 }).dims).toBe(1);
  });
});
