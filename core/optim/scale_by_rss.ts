import { add, div, mul, sqrt } from "../ops/index.js";
import { fullLike } from "../tensor/index.js";
import { buffer, count } from "./state.js";
import type { UpdateTransform } from "./transform.js";

export interface ScaleByRssOptions {
  initialAccumulatorValue: number;
  eps: number;
}

/**
 * Adagrad's scaling by the root of the sum of squared gradients, for gradient g:
 *
 *   sum ← sum + g²,  out = g / (√sum + ε)
 *
 * The state field `sum` starts at `initialAccumulatorValue` everywhere.
 */
export function scaleByRss({ initialAccumulatorValue, eps }: ScaleByRssOptions): UpdateTransform {
  return {
    keys: ["sum"],
    init: (param) => ({ sum: fullLike(param, initialAccumulatorValue) }),
    update(grad, state) {
      const sum = add(buffer(state, "sum"), mul(grad, grad));
      return { update: div(grad, add(sqrt(sum), eps)), state: { sum } };
    },
  };
}

/**
 * Scales by −lr / (1 + (t − 1)·lrDecay) at step t (counting from 1), Adagrad's decaying
 * learning rate. The state field `step` counts the steps taken.
 */
export function scaleByInverseTimeDecay(lr: number, lrDecay: number): UpdateTransform {
  return {
    keys: ["step"],
    init: () => ({ step: 0 }),
    update(update, state) {
      const step = count(state, "step") + 1;
      const currentLr = lr / (1 + (step - 1) * lrDecay);
      return { update: mul(update, -currentLr), state: { step } };
    },
  };
}
