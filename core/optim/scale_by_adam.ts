import { add, div, maximum, mul, sqrt } from "../ops/index.js";
import { type Tensor, zerosLike } from "../tensor/index.js";
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
      const expAvg = add(mul(buffer(state, "expAvg"), beta1), mul(grad, 1 - beta1));
      const expAvgSq = add(mul(buffer(state, "expAvgSq"), beta2), mul(mul(grad, grad), 1 - beta2));
      const next: Record<string, Tensor | number> = { step, expAvg, expAvgSq };
      let second = expAvgSq;
      if (amsgrad) {
        second = maximum(buffer(state, "maxExpAvgSq"), expAvgSq);
        next.maxExpAvgSq = second;
      }

      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const denominator = add(div(sqrt(second), Math.sqrt(biasCorrection2)), eps);
      return { update: div(div(expAvg, biasCorrection1), denominator), state: next as ParamState };
    },
  };
}
