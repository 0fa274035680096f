import { add, div, maximum, mul, sqrt } from "../ops/index.js";
import { type FloatArray, type Tensor, zerosLike } from "../tensor/index.js";
import { dataOf, fusedOperands } from "./fused.js";
import { buffer, count } from "./state.js";
import type { ParamState, UpdateTransform } from "./transform.js";

export interface ScaleByAdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
  amsgrad: boolean;
}

/**
 * Adam's scaling, the direction before the learning rate. At step t, for gradient g:
 *
 *   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  (amsgrad: v̂max ← max(v̂max, v))
 *   out = (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)
 *
 * with eps added after the bias-corrected square root, as PyTorch's Adam does. State fields:
 * `step`, `expAvg`, `expAvgSq`, and `maxExpAvgSq` with amsgrad.
 */
export function scaleByAdam({ beta1, beta2, eps, amsgrad }: ScaleByAdamOptions): UpdateTransform {
  const keys = amsgrad ? ["step", "expAvg", "expAvgSq", "maxExpAvgSq"] : ["step", "expAvg", "expAvgSq"];
  return {
    keys,
    init(param) {
      const state: Record<string, Tensor | number> = { step: 0, expAvg: zerosLike(param), expAvgSq: zerosLike(param) };
      if (amsgrad) state.maxExpAvgSq = zerosLike(param);
      return state;
    },
    update(grad, state) {
      const step = count(state, "step") + 1;
      const previous = [grad, buffer(state, "expAvg"), buffer(state, "expAvgSq")];
      if (amsgrad) previous.push(buffer(state, "maxExpAvgSq"));
      const constants = { beta1, beta2, eps, amsgrad, biasCorrection1: 1 - beta1 ** step, biasCorrection2: 1 - beta2 ** step };
      const fused = fusedOperands(previous);
      const [update, expAvg, expAvgSq, maxExpAvgSq] = fused ? adamLoop(previous[0], fused, constants) : adamOps(previous, constants);

      const next: Record<string, Tensor | number> = { step, expAvg, expAvgSq };
      if (amsgrad) next.maxExpAvgSq = maxExpAvgSq;
      return { update, state: next as ParamState };
    },
  };
}

interface AdamConstants extends ScaleByAdamOptions {
  biasCorrection1: number;
  biasCorrection2: number;
}

/** Computes [update, expAvg, expAvgSq, maxExpAvgSq?] with differentiable tensor ops. */
function adamOps([grad, expAvgBefore, expAvgSqBefore, maxBefore]: Tensor[], c: AdamConstants): Tensor[] {
  const expAvg = add(mul(expAvgBefore, c.beta1), mul(grad, 1 - c.beta1));
  const expAvgSq = add(mul(expAvgSqBefore, c.beta2), mul(mul(grad, grad), 1 - c.beta2));
  const second = c.amsgrad ? maximum(maxBefore, expAvgSq) : expAvgSq;
  const denominator = add(div(sqrt(second), Math.sqrt(c.biasCorrection2)), c.eps);
  const update = div(div(expAvg, c.biasCorrection1), denominator);
  return c.amsgrad ? [update, expAvg, expAvgSq, second] : [update, expAvg, expAvgSq];
}

/**
 * Computes the same outputs as adamOps in one pass. Each new state value is read back from its
 * typed array before use, so float32 results are rounded where adamOps rounds them.
 */
function adamLoop(like: Tensor, [g, m, v, vmax]: FloatArray[], c: AdamConstants): Tensor[] {
  const outputs = (c.amsgrad ? [0, 1, 2, 3] : [0, 1, 2]).map(() => zerosLike(like));
  const [u, mNext, vNext, vmaxNext] = outputs.map(dataOf);
  const [decay1, decay2] = [1 - c.beta1, 1 - c.beta2];
  const sqrtCorrection2 = Math.sqrt(c.biasCorrection2);
  for (let i = 0; i < g.length; i++) {
    mNext[i] = m[i] * c.beta1 + g[i] * decay1;
    vNext[i] = v[i] * c.beta2 + g[i] * g[i] * decay2;
    let second = vNext[i];
    if (c.amsgrad) second = vmaxNext[i] = vmax[i] > second ? vmax[i] : second;
    u[i] = mNext[i] / c.biasCorrection1 / (Math.sqrt(second) / sqrtCorrection2 + c.eps);
  }
  return outputs;
}
