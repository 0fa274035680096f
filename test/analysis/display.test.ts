import { beforeAll, describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { mlpProblem } from "./mlp.js";
import { svgProblem } from "./svg.js";

const H = pl.analysis.hessian;
const DISPLAY = Symbol.for("Jupyter.display");
const { model, batch, lossFn } = mlpProblem();

type Bundle = Record<string, unknown>;

function bundleOf(value: unknown): Bundle {
  return (value as Record<symbol, () => Bundle>)[DISPLAY]();
}

beforeAll(() => H.logger.setLevel("silent"));

describe("HessianSpectrum display", () => {
  const spectrum = H.spectrum(model, lossFn, batch, { topK: 5, density: { runs: 5, steps: 20 } });

  it("bundle has Plotly, SVG and text", () => {
    const bundle = bundleOf(spectrum);
    expect(Object.keys(bundle).sort()).toEqual(["application/vnd.plotly.v1+json", "image/svg+xml", "text/plain"]);
    expect(svgProblem(bundle["image/svg+xml"])).toBeNull();
  });

  it("figure holds the eigenvalue bars and the density", () => {
    const figure = bundleOf(spectrum)["application/vnd.plotly.v1+json"] as pl.display.Figure;
    expect(figure.data.map((trace) => trace.type)).toEqual(["bar", "scatter"]);
    expect(figure.data[0].y).toEqual(spectrum.eigenvalues);
    expect(figure.data[1].x).toEqual(spectrum.density!.grid);
    expect(JSON.parse(JSON.stringify(figure))).toEqual(figure);
  });

  it("text summary names the eigenvalues", () => {
    const text = bundleOf(spectrum)["text/plain"] as string;
    expect(text).toMatch(/^HessianSpectrum: 255 parameters/);
    expect(text).toContain("top 5 eigenvalues (lanczos");
    expect(text).toContain(String(Number(spectrum.eigenvalues[0].toPrecision(5))));
    expect(text).toContain("stochastic Lanczos quadrature, 5 runs × 20 steps");
  });

  it("without density has only the bars", () => {
    const bare = H.spectrum(model, lossFn, batch, { topK: 3 });
    const bundle = bundleOf(bare);
    expect((bundle["application/vnd.plotly.v1+json"] as pl.display.Figure).data).toHaveLength(1);
    expect(svgProblem(bundle["image/svg+xml"])).toBeNull();
  });

  it("text marks an unconverged estimate", () => {
    const rough = H.spectrum(model, lossFn, batch, { topK: 5, maxIter: 5 });
    expect(rough.converged).toBe(false);
    expect(bundleOf(rough)["text/plain"]).toMatch(/NOT CONVERGED: residuals/);
  });
});

describe("landscape", () => {
  it("2-D slice is a contour plot through θ", () => {
    const before = model.parameters().map((p) => Array.from(p.dataSync()));
    const result = H.landscape(model, lossFn, batch, { steps: 7, range: [-0.5, 0.5], seed: 1 });
    expect(result.losses).toHaveLength(7);
    expect(result.losses[3][3]).toBeCloseTo(result.center, 12);
    expect(model.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);

    const bundle = bundleOf(result);
    const figure = bundle["application/vnd.plotly.v1+json"] as pl.display.Figure;
    expect(figure.data.map((trace) => trace.type)).toEqual(["contour", "surface"]);
    expect(figure.data[0].z).toEqual(result.losses);
    expect(svgProblem(bundle["image/svg+xml"])).toBeNull();
    expect(bundle["text/plain"]).toMatch(/^Landscape: 2-D slice along random directions, 7×7 grid/);
  });

  it("random directions are filter-normalized", () => {
    const result = H.landscape(model, lossFn, batch, { dims: 1, steps: 2, range: [0, 1], seed: 4 });
    const [direction] = result.vectors;
    let offset = 0;
    for (const param of model.parameters()) {
      const values = param.dataSync();
      const width = param.ndim >= 2 ? values.length / param.shape[0] : values.length;
      for (let f = 0; f < values.length / width; f++) {
        const slice = (data: ArrayLike<number>, start: number): number[] => Array.from({ length: width }, (_, i) => data[start + f * width + i]);
        const thetaNorm = Math.hypot(...slice(values, 0));
        const directionNorm = Math.hypot(...slice(direction, offset));
        if (param.ndim >= 2) expect(directionNorm / thetaNorm, `filter ${f} of shape [${param.shape.join(", ")}]`).toBeCloseTo(1, 12);
        else expect(directionNorm, "a bias direction").toBe(0);
      }
      offset += values.length;
    }
  });

  it("2-D slice along the top two eigenvectors", () => {
    const eigen = H.topEigenvalues(model, lossFn, batch, { topK: 2 });
    const result = H.landscape(model, lossFn, batch, { directions: "eigen", steps: 5, range: [-1e-3, 1e-3] });
    const overlaps = result.vectors.map((v, k) => Math.abs(v.reduce((sum, x, i) => sum + x * eigen.vectors[k][i], 0)));
    overlaps.forEach((overlap, k) => expect(overlap, `direction ${k + 1}`).toBeGreaterThan(1 - 1e-8));
    expect(result.losses.map((row) => row.length)).toEqual([5, 5, 5, 5, 5]);
    expect(bundleOf(result)["text/plain"]).toMatch(/2-D slice along eigen directions, 5×5 grid/);
  });

  it("1-D slice along the top eigenvector is a curve with curvature λ₁", () => {
    const top = H.topEigenvalues(model, lossFn, batch, { topK: 1 }).values[0];
    const step = 1e-3;
    const result = H.landscape(model, lossFn, batch, { directions: "eigen", dims: 1, steps: 3, range: [-step, step] });
    const [left, center, right] = result.losses[0];
    const curvature = (left - 2 * center + right) / (step * step);
    expect(Math.abs(curvature - top) / top).toBeLessThan(1e-3);
    const bundle = bundleOf(result);
    expect((bundle["application/vnd.plotly.v1+json"] as pl.display.Figure).data[0].type).toBe("scatter");
    expect(svgProblem(bundle["image/svg+xml"])).toBeNull();
  });
});

describe("bad input", () => {
  it("more eigenvalues than parameters", () => {
    expect(() => H.spectrum(model, lossFn, batch, { topK: 300 })).toThrow(
      "spectrum: topK=300 eigenvalues were requested, but the Hessian is 255×255 (the model has 255 parameters), so it has only 255; pass topK ≤ 255.",
    );
    expect(() => H.topEigenvalues(model, lossFn, batch, { topK: 256, method: "power" })).toThrow(/topK=256 .* pass topK ≤ 255/);
  });

  it("exact Hessian of a model too large", () => {
    const large = new pl.nn.Sequential(new pl.nn.Linear(784, 64), new pl.nn.ReLU(), new pl.nn.Linear(64, 10));
    const x = pl.randn([2, 784]);
    const y = pl.tensor([1, 2], { dtype: "int32" });
    expect(() => H.exact(large, lossFn, [x, y])).toThrow(
      /hessian\.exact: the exact Hessian of this model has 50890 parameters, so it is a 50890×50890 float64 matrix that needs 38\.6 GiB with its eigenvectors, more than maxBytes = 1\.0 GiB\. Use the estimators .*topEigenvalues.*trace \(Hutchinson\).*density/,
    );
  });

  it("landscape of a model without parameters", () => {
    const empty = new pl.nn.Sequential(new pl.nn.ReLU());
    const x = pl.randn([4, 3]);
    const y = pl.randn([4, 3]);
    expect(() => H.landscape(empty, (out: Tensor, target: Tensor) => out.sub(target).pow(2).mean(), [x, y])).toThrow(
      "landscape: the model has no parameters that require grad, so there is no parameter space to slice; pass a model with parameters (model.parameters() is empty).",
    );
  });

  it("spectrum of a model without parameters", () => {
    const empty = new pl.nn.Sequential(new pl.nn.ReLU());
    expect(() => H.spectrum(empty, (out: Tensor) => out.sum(), [pl.randn([2, 2]), pl.randn([2, 2])])).toThrow(/the model has no parameters that require grad, so its loss has no Hessian/);
  });

  it("data that is not a batch", () => {
    expect(() => H.trace(model, lossFn, [[1, 2]] as never)).toThrow(/batch 0 is not an array \[inputs, targets\] of tensors/);
  });
});
