import { expect } from "vitest";

import * as pl from "../../core/index.js";

export type Dtype = "float32" | "float64";
export type Backend = "wasm" | "typescript";

/** Tolerance per dtype, relative to the largest magnitude of the typescript backend's result. */
export const TOLERANCE: Record<Dtype, number> = { float32: 1e-5, float64: 1e-12 };

/** Runs `compute` on a backend from seed `seed` and returns its tensors' values. */
export function runOn(backend: Backend, compute: () => pl.Tensor[], seed: number): Float64Array[] {
  pl.setBackend(backend);
  expect(pl.getBackend()).toBe(backend);
  pl.manualSeed(seed);
  return compute().map((tensor) => Float64Array.from(tensor.dataSync() as ArrayLike<number>));
}

/**
 * Checks that the wasm backend gives the typescript backend's values for every returned tensor,
 * both computed from seed `seed`, within TOLERANCE of the largest reference value.
 */
export function compareBackends(dtype: Dtype, label: string, compute: () => pl.Tensor[], seed: number): void {
  const reference = runOn("typescript", compute, seed);
  const fast = runOn("wasm", compute, seed);
  expect(fast.length, label).toBe(reference.length);
  reference.forEach((expected, index) => {
    expect(fast[index].length, `${label}, output ${index} length`).toBe(expected.length);
    let largest = 0;
    let error = 0;
    for (let i = 0; i < expected.length; i++) {
      largest = Math.max(largest, Math.abs(expected[i]));
      error = Math.max(error, Math.abs(fast[index][i] - expected[i]));
    }
    if (!(error <= TOLERANCE[dtype] * largest)) {
      expect.fail(`${dtype} ${label}, output ${index}: max difference ${error} against largest value ${largest}`);
    }
  });
}
