import { afterAll, describe, expect, it } from "vitest";

import * as pl from "../../core/index.js";
import { type Dtype, compareBackends as compareSeeded } from "../helpers/backends.js";

const SEED = 3;
const compareBackends = (dtype: Dtype, label: string, compute: () => pl.Tensor[]): void => compareSeeded(dtype, label, compute, SEED);

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
