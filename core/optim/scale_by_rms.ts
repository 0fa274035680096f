import { add, div, mul, sqrt, sub } from "../ops/index.js";
import { type Tensor, zerosLike } from "../tensor/index.js";
import { buffer, count } from "./state.js";
import type { ParamState, UpdateTransform } from "./transform.js";

export interface ScaleByRmsOptions {
  alpha: number;
  eps: number;
  centered: boolean;
}

/**
 * RMSprop's scaling, for gradient g:
 *
 *   s ← α·s + (1 − α)·g²,  (centered: ḡ ← α·ḡ + (1 − α)·g, s̃ = s − ḡ², else s̃ = s)
 *   out = g / (√s̃ + ε)
 *
 * State fields: `step`, `squareAvg`, and `gradAvg` when centered.
 */
export function scaleByRms({ alpha, eps, centered }: ScaleByRmsOptions): UpdateTransform {
  const keys = centered ? ["step", "squareAvg", "gradAvg"] : ["step", "squareAvg"];
  return {
    keys,
    init(param) {
      const state: Record<string, Tensor | number> = { step: 0, squareAvg: zerosLike(param) };
      if (centered) state.gradAvg = zerosLike(param);
      return state;
    },
    update(grad, state) {
      const squareAvg = add(mul(buffer(state, "squareAvg"), alpha), mul(mul(grad, grad), 1 - alpha));
      const next: Record<string, Tensor | number> = { step: count(state, "step") + 1, squareAvg };
      let variance = squareAvg;
      if (centered) {
        const gradAvg = add(mul(buffer(state, "gradAvg"), alpha), mul(grad, 1 - alpha));
        next.gradAvg = gradAvg;
        variance = sub(squareAvg, mul(gradAvg, gradAvg));
      }
      return { update: div(grad, add(sqrt(variance), eps)), state: next as ParamState };
    },
  };
}
