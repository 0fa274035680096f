import { afterEach, describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { lstmGates } from "../../core/nn/layers/lstm_gates.js";
import { lstmSequence } from "../../core/nn/layers/lstm_sequence.js";

const F64 = { dtype: "float64" } as const;

/** Runs the steps with lstmGates and tensor ops; returns outputs [T, B, H], then the last h and c. */
function stepByStep(projected: Tensor, h0: Tensor, c0: Tensor, weight: Tensor, reverse: boolean): Tensor[] {
  const steps = projected.shape[0];
  const hidden = h0.shape[1];
  const outputs: Tensor[] = new Array(steps);
  let [h, c] = [h0, c0];
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    [h, c] = lstmGates(projected.select(0, t).add(h.matmul(weight.t())), c, hidden);
    outputs[t] = h;
  }
  return [pl.stack(outputs, 0), h, c];
}

function expectClose(actual: Tensor | null, expected: Tensor | null, tolerance: number, what: string): void {
  if (!actual || !expected) throw new Error(`${what}: expected two tensors`);
  expect(actual.shape, what).toEqual(expected.shape);
  const [a, e] = [actual.dataSync(), expected.dataSync()];
  let largest = 0;
  let error = 0;
  e.forEach((value, k) => {
    largest = Math.max(largest, Math.abs(value));
    error = Math.max(error, Math.abs(a[k] - value));
  });
  expect(error, what).toBeLessThanOrEqual(tolerance * Math.max(largest, 1));
}

afterEach(() => pl.setBackend("wasm"));

describe("lstmSequence", () => {
  const cases = [
    ["float64", 1e-12, 3, "wasm"], ["float32", 1e-5, 8, "wasm"], ["float32", 1e-5, 8, "typescript"], ["float32", 1e-5, 3, "wasm"],
  ] as const;
  for (const [dtype, tolerance, hidden, backend] of cases) {
    for (const reverse of [false, true]) {
      it(`matches the steps in ${dtype}, hidden ${hidden}, on ${backend}${reverse ? ", reversed" : ""}`, () => {
        pl.setBackend(backend);
        pl.manualSeed(4);
        const options = { dtype };
        const projected = pl.randn([5, 3, 4 * hidden], options).requiresGrad_();
        const h0 = pl.randn([3, hidden], options).requiresGrad_();
        const c0 = pl.randn([3, hidden], options).requiresGrad_();
        const weight = pl.randn([4 * hidden, hidden], options).mul(0.5).requiresGrad_();
        const inputs = [projected, h0, c0, weight];
        // A loss that reads every output, the last h and the last c.
        const weights = [pl.randn([5, 3, hidden], options), pl.randn([3, hidden], options), pl.randn([3, hidden], options)];
        const lossOf = (results: Tensor[]): Tensor => results.map((r, k) => r.mul(weights[k]).sum()).reduce((a, b) => a.add(b));

        const fused = lstmSequence(projected, h0, c0, weight, reverse);
        const reference = stepByStep(projected, h0, c0, weight, reverse);
        fused.forEach((result, k) => expectClose(result, reference[k], tolerance, `result ${k}`));
        const fusedGrads = pl.autograd.grad([lossOf(fused)], inputs);
        const referenceGrads = pl.autograd.grad([lossOf(reference)], inputs);
        fusedGrads.forEach((g, k) => expectClose(g, referenceGrads[k], tolerance, `gradient ${k}`));
      });
    }
  }

  it("passes gradcheck and gradgradcheck", () => {
    pl.manualSeed(8);
    const projected = pl.randn([3, 2, 8], F64).requiresGrad_();
    const h0 = pl.randn([2, 2], F64).requiresGrad_();
    const c0 = pl.randn([2, 2], F64).requiresGrad_();
    const weight = pl.randn([8, 2], F64).requiresGrad_();
    const fn = (p: Tensor, h: Tensor, c: Tensor, w: Tensor): Tensor => {
      const [outputs, hLast, cLast] = lstmSequence(p, h, c, w, false);
      return outputs.mul(outputs).sum().add(hLast.mul(cLast).sum());
    };
    expect(pl.autograd.gradcheck(fn, [projected, h0, c0, weight]).ok).toBe(true);
    expect(pl.autograd.gradgradcheck(fn, [projected, h0, c0, weight]).ok).toBe(true);
  });

  it("skips an unneeded W_hh gradient in float32", () => {
    pl.manualSeed(9);
    const projected = pl.randn([6, 4, 32]).requiresGrad_();
    const h0 = pl.randn([4, 8]).requiresGrad_();
    const c0 = pl.randn([4, 8]).requiresGrad_();
    const weight = pl.randn([32, 8]).mul(0.5);
    for (const reverse of [false, true]) {
      const loss = (results: Tensor[]): Tensor => results[0].sum().add(results[2].mul(2).sum());
      const fusedGrads = pl.autograd.grad([loss(lstmSequence(projected, h0, c0, weight, reverse))], [projected, h0, c0]);
      const referenceGrads = pl.autograd.grad([loss(stepByStep(projected, h0, c0, weight, reverse))], [projected, h0, c0]);
      fusedGrads.forEach((g, k) => expectClose(g, referenceGrads[k], 1e-5, `gradient ${k}${reverse ? ", reversed" : ""}`));
    }
    expect(weight.grad).toBeNull();
  });

  it("matches the step path in nn.LSTM", () => {
    pl.manualSeed(6);
    const layer = new pl.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, dtype: "float64" });
    const x = pl.randn([5, 2, 3], F64);
    const run = (lengths?: number[]): number[][] => {
      layer.zeroGrad();
      const [output, [hN, cN]] = layer.forward(x, null, lengths ? { lengths } : {});
      output.sum().add(hN.mul(2).sum()).add(cN.mul(3).sum()).backward();
      return [output.dataSync(), ...layer.parameters().map((p) => p.grad!.dataSync())].map((values) => Array.from(values));
    };
    // Full lengths take the step-by-step path, no lengths the sequence op.
    const fused = run();
    const steps = run([5, 5]);
    fused.forEach((values, k) => values.forEach((v, i) => expect(Math.abs(v - steps[k][i]), `tensor ${k}[${i}]`).toBeLessThan(1e-12)));
  });
});
