import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";

/** Helpers shared by the optimizer tests: fixture loading, the fixture problem and comparisons. */

export function readFixture<T>(name: string): T {
  const path = fileURLToPath(new URL(`../fixtures/optim/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export interface ProblemData {
  x: number[][];
  y: number[][];
  h: number[];
  g: number[];
}

export interface ProblemStart {
  w: number[][];
  b: number[];
  z: number[];
}

/** The fixture parameters [w, b, z] as leaves of `dtype` that require grad. */
export function startParams(start: ProblemStart, dtype: "float32" | "float64" = "float64"): Tensor[] {
  return [start.w, start.b, start.z].map((values) => pl.tensor(values, { dtype, requiresGrad: true }));
}

/** mean((x·w + b − y)²) + Σ(½·h·z² + g·z), the objective that scripts/fixtures/optim.py trains. */
export function fixtureLoss(data: ProblemData, [w, b, z]: Tensor[]): Tensor {
  const dtype = { dtype: w.dtype };
  const x = pl.tensor(data.x, dtype);
  const y = pl.tensor(data.y, dtype);
  const h = pl.tensor(data.h, dtype);
  const g = pl.tensor(data.g, dtype);
  const residual = x.matmul(w).add(b).sub(y);
  const quadratic = h.mul(0.5).mul(z).mul(z).add(g.mul(z)).sum();
  return residual.mul(residual).mean().add(quadratic);
}

export function flatValues(tensor: Tensor): number[] {
  return Array.from(tensor.dataSync());
}

/**
 * Returns a description of the first element where `actual` and `expected` differ by more than
 * `rtol` relative (plus a tiny absolute slack for values that cross zero), or null when all match.
 */
export function firstMismatch(actual: readonly number[], expected: readonly number[], rtol: number, atol = 1e-12): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= rtol * Math.abs(e) + atol)) return `element ${i}: ${a} != expected ${e}`;
  }
  return null;
}
