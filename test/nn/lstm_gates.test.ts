import { afterEach, describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { lstmGates } from "../../core/nn/layers/lstm_gates.js";

const F64 = { dtype: "float64" } as const;

/** Computes the LSTM gate formulas with tensor ops, the reference for the fused op. */
function composed(gates: Tensor, c: Tensor, hidden: number): [Tensor, Tensor] {
  const part = (k: number): Tensor => gates.narrow(-1, k * hidden, hidden);
  const [i, f, g, o] = [pl.sigmoid(part(0)), pl.sigmoid(part(1)), pl.tanh(part(2)), pl.sigmoid(part(3))];
  const cNext = f.mul(c).add(i.mul(g));
  return [o.mul(pl.tanh(cNext)), cNext];
}

function expectClose(actual: Tensor | null, expected: Tensor | null, tolerance: number): void {
  if (!actual || !expected) throw new Error("expected two tensors");
  expect(actual.shape).toEqual(expected.shape);
  const [a, e] = [actual.dataSync(), expected.dataSync()];
  e.forEach((value, k) => expect(Math.abs(a[k] - value), `element ${k}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(value))));
}

/** Returns the gradients of Σ w₁·h' + w₂·c' with respect to gates and c, through `cell`. */
function gradients(cell: typeof composed, gates: Tensor, c: Tensor, hidden: number, createGraph: boolean): (Tensor | null)[] {
  pl.manualSeed(11);
  const [h, cNext] = cell(gates, c, hidden);
  const loss = h.mul(pl.randn(h.shape, { dtype: h.dtype })).sum().add(cNext.mul(pl.randn(cNext.shape, { dtype: h.dtype })).sum());
  return pl.autograd.grad([loss], [gates, c], { createGraph });
}

describe("lstmGates", () => {
  afterEach(() => pl.setBackend("wasm"));

  // hidden = 8 takes the float32 SIMD kernel on the wasm backend; 7 takes the loop.
  const cases = [
    ["float32", 1e-5, 7, "wasm"], ["float32", 1e-5, 8, "wasm"], ["float32", 1e-5, 8, "typescript"], ["float64", 1e-12, 7, "wasm"],
  ] as const;
  for (const [dtype, tolerance, hidden, backend] of cases) {
    it(`matches composed ops (${dtype}, hidden ${hidden}, ${backend})`, () => {
      pl.setBackend(backend);
      pl.manualSeed(5);
      const gates = pl.randn([3, 4 * hidden], { dtype }).mul(3).requiresGrad_();
      // The cell state of a real step is the second half of the previous step's output.
      const c = pl.randn([3, 2 * hidden], { dtype }).narrow(-1, hidden, hidden).detach().requiresGrad_();
      const fused = lstmGates(gates, c, hidden);
      const reference = composed(gates, c, hidden);
      expectClose(fused[0], reference[0], tolerance);
      expectClose(fused[1], reference[1], tolerance);
      const [gatesGrad, cGrad] = gradients(lstmGates, gates, c, hidden, false);
      const [gatesRef, cRef] = gradients(composed, gates, c, hidden, false);
      expectClose(gatesGrad, gatesRef, tolerance);
      expectClose(cGrad, cRef, tolerance);
    });
  }

  it("takes an unbatched [4·hidden] input", () => {
    const gates = pl.randn([12], F64).requiresGrad_();
    const c = pl.randn([3], F64).requiresGrad_();
    const [h, cNext] = lstmGates(gates, c, 3);
    expect(h.shape).toEqual([3]);
    expectClose(h, composed(gates, c, 3)[0], 1e-12);
    expectClose(cNext, composed(gates, c, 3)[1], 1e-12);
    const [g1] = gradients(lstmGates, gates, c, 3, false);
    expectClose(g1, gradients(composed, gates, c, 3, false)[0], 1e-12);
  });

  it("passes gradcheck and gradgradcheck", () => {
    pl.manualSeed(2);
    const gates = pl.randn([2, 8], F64).requiresGrad_();
    const c = pl.randn([2, 2], F64).requiresGrad_();
    const fn = (g: Tensor, s: Tensor): Tensor => {
      const [h, cNext] = lstmGates(g, s, 2);
      return h.mul(h).sum().add(cNext.mul(h).sum());
    };
    expect(pl.autograd.gradcheck(fn, [gates, c]).ok).toBe(true);
    expect(pl.autograd.gradgradcheck(fn, [gates, c]).ok).toBe(true);
    // createGraph gives the same first derivatives as the loop.
    const [viaGraph] = gradients(lstmGates, gates, c, 2, true);
    expectClose(viaGraph, gradients(lstmGates, gates, c, 2, false)[0], 1e-12);
  });
});
