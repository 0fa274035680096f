import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { firstMismatch, readFixture } from "./problem.js";

interface ClipFixture {
  grads: number[][][] | number[][];
  cases: {
    kind: "norm" | "value";
    maxNorm?: number;
    normType?: number | "Infinity";
    totalNorm?: number;
    clipValue?: number;
    grads: number[][];
  }[];
}

const fixture = readFixture<ClipFixture>("clip.json");

function paramsWithGrads(dtype: "float32" | "float64" = "float64"): Tensor[] {
  return (fixture.grads as unknown[]).map((grad) => {
    const g = pl.tensor(grad as number[], { dtype });
    const p = pl.zeros(g.shape, { dtype, requiresGrad: true });
    p.grad = g;
    return p;
  });
}

function gradValues(params: Tensor[]): number[][] {
  return params.map((p) => Array.from((p.grad as Tensor).dataSync()));
}

describe("clipGradNorm", () => {
  const cases = fixture.cases.filter((c) => c.kind === "norm").map((c) => [`maxNorm ${c.maxNorm}, normType ${c.normType}`, c] as const);

  it.each(cases)("matches PyTorch with %s", (_name, spec) => {
    const params = paramsWithGrads();
    const normType = spec.normType === "Infinity" ? Infinity : (spec.normType as number);
    const total = pl.optim.clipGradNorm(params, spec.maxNorm as number, normType);
    expect(firstMismatch([total.item()], [spec.totalNorm as number], 1e-12), "total norm").toBeNull();
    gradValues(params).forEach((values, i) => expect(firstMismatch(values, spec.grads[i], 1e-12), `grad ${i}`).toBeNull());
  });

  it("keeps float32 gradients in float32", () => {
    const params = paramsWithGrads("float32");
    const total = pl.optim.clipGradNorm(params, 1);
    expect(total.dtype).toBe("float32");
    expect((params[0].grad as Tensor).dtype).toBe("float32");
    const expected = fixture.cases[0];
    gradValues(params).forEach((values, i) => expect(firstMismatch(values, expected.grads[i], 1e-6, 1e-7), `grad ${i}`).toBeNull());
  });

  it("returns zero without gradients", () => {
    const p = pl.zeros([2], { requiresGrad: true });
    expect(pl.optim.clipGradNorm([p], 1).item()).toBe(0);
    expect(p.grad).toBeNull();
  });

  it("accepts a single tensor", () => {
    const p = pl.zeros([2], { dtype: "float64", requiresGrad: true });
    p.grad = pl.tensor([3, 4], { dtype: "float64" });
    expect(pl.optim.clipGradNorm(p, 1).item()).toBe(5);
    const [a, b] = Array.from(p.grad.dataSync());
    expect(a).toBeCloseTo(0.6, 6);
    expect(b).toBeCloseTo(0.8, 6);
  });

  it("raises on a non-finite norm when asked", () => {
    const p = pl.zeros([2], { dtype: "float64", requiresGrad: true });
    p.grad = pl.tensor([NaN, 1], { dtype: "float64" });
    expect(() => pl.optim.clipGradNorm([p], 1, 2, { errorIfNonfinite: true })).toThrow("clipGradNorm: the total 2-norm of the gradients is NaN");
    expect(Number.isNaN(pl.optim.clipGradNorm([p], 1).item())).toBe(true);
  });

  it("rejects invalid arguments", () => {
    const params = paramsWithGrads();
    expect(() => pl.optim.clipGradNorm(params, -1)).toThrow("clipGradNorm: invalid maxNorm=-1; expected a number >= 0.");
    expect(() => pl.optim.clipGradNorm(params, 1, 0)).toThrow("clipGradNorm: invalid normType=0; expected a number > 0, or Infinity");
    expect(() => pl.optim.clipGradNorm(5 as never, 1)).toThrow("clipGradNorm: params must be a tensor or an iterable of tensors, got number 5.");
  });
});

describe("clipGradValue", () => {
  const cases = fixture.cases.filter((c) => c.kind === "value").map((c) => [c.clipValue as number, c] as const);

  it.each(cases)("matches PyTorch with clipValue %s", (clipValue, spec) => {
    const params = paramsWithGrads();
    pl.optim.clipGradValue(params, clipValue);
    gradValues(params).forEach((values, i) => expect(values, `grad ${i}`).toEqual(spec.grads[i]));
  });

  it("rejects a negative clipValue", () => {
    expect(() => pl.optim.clipGradValue(paramsWithGrads(), -0.5)).toThrow("clipGradValue: invalid clipValue=-0.5; expected a number >= 0.");
  });
});
