import { afterAll, describe, expect, it } from "vitest";

import * as pl from "../../core/index.js";

type Dtype = "float32" | "float64";

/** Tolerance per dtype, relative to the largest magnitude of the typescript backend's result. */
const TOLERANCE: Record<Dtype, number> = { float32: 1e-5, float64: 1e-12 };

/** Runs `compute` on a backend from the same seed and returns its tensors' values. */
function runOn(backend: "wasm" | "typescript", compute: () => pl.Tensor[]): Float64Array[] {
  pl.setBackend(backend);
  expect(pl.getBackend()).toBe(backend);
  pl.manualSeed(3);
  return compute().map((tensor) => Float64Array.from(tensor.dataSync() as ArrayLike<number>));
}

/** Checks that the wasm backend gives the typescript backend's values for every returned tensor. */
function compareBackends(dtype: Dtype, label: string, compute: () => pl.Tensor[]): void {
  const reference = runOn("typescript", compute);
  const fast = runOn("wasm", compute);
  expect(fast.length).toBe(reference.length);
  reference.forEach((expected, index) => {
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

/** Returns the output and the gradients of `inputs` for the loss sum(output²). */
function withGradients(output: pl.Tensor, inputs: pl.Tensor[]): pl.Tensor[] {
  output.mul(output).sum().backward();
  return [output, ...inputs.map((input) => input.grad as pl.Tensor)];
}

describe("ops on the wasm backend against the typescript backend", () => {
  afterAll(() => pl.setBackend("wasm"));

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} matmul, batched and broadcast, with gradients`, () => {
      compareBackends(dtype, "matmul", () => {
        const a = pl.randn([37, 53], { dtype }).requiresGrad_();
        const b = pl.randn([53, 29], { dtype }).requiresGrad_();
        return withGradients(pl.matmul(a, b), [a, b]);
      });
      compareBackends(dtype, "batched matmul", () => {
        const a = pl.randn([3, 17, 40], { dtype }).requiresGrad_();
        const b = pl.randn([40, 21], { dtype }).requiresGrad_();
        return withGradients(pl.matmul(a, b), [a, b]);
      });
    });

    it(`${dtype} conv2d with stride, padding and gradients`, () => {
      compareBackends(dtype, "conv2d", () => {
        const x = pl.randn([4, 3, 12, 12], { dtype }).requiresGrad_();
        const w = pl.randn([8, 3, 3, 3], { dtype }).requiresGrad_();
        const b = pl.randn([8], { dtype }).requiresGrad_();
        return withGradients(pl.conv2d(x, w, b, { stride: 2, padding: 1 }), [x, w, b]);
      });
    });

    it(`${dtype} LSTM output and parameter gradients`, () => {
      compareBackends(dtype, "LSTM", () => {
        const lstm = new pl.nn.LSTM(6, 10, { dtype });
        const x = pl.randn([5, 4, 6], { dtype }).requiresGrad_();
        const [output] = lstm.forward(x);
        return withGradients(output, [x, ...lstm.parameters()]);
      });
    });
  }
});
