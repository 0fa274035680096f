import { anyNumber, boolean, nonNegative } from "./options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "./optimizer.js";
import { traceMomentum } from "./trace_momentum.js";
import { type UpdateTransform, addDecayedWeights, chain, flipSign, scaleByLearningRate } from "./transform.js";
import { InvalidArgumentError } from "../tensor/index.js";

export interface SGDOptions extends BaseOptions {
  /** Learning rate, 1e-3 by default (PyTorch 1.13 has no default and requires one). */
  lr: number;
  momentum: number;
  dampening: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  nesterov: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, as PyTorch defines it. For gradient g:
 *
 *   d = ±g + weightDecay·θ
 *   b ← d on the first step, then b ← μ·b + (1 − dampening)·d   (when μ ≠ 0)
 *   d ← d + μ·b with Nesterov, else d ← b
 *   θ ← θ − lr·d
 *
 * Nesterov needs momentum > 0 and dampening = 0.
 */
export function sgd(options: SGDOptions): UpdateTransform {
  return chain(flipSign(options.maximize), addDecayedWeights(options.weightDecay), traceMomentum(options), scaleByLearningRate(options.lr));
}

export const SGD_SPEC: OptimizerSpec<SGDOptions> = {
  name: "SGD",
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  checks: { lr: nonNegative, momentum: nonNegative, dampening: anyNumber, weightDecay: nonNegative, nesterov: boolean, maximize: boolean },
  checkCombination(owner, { nesterov, momentum, dampening }) {
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new InvalidArgumentError(
        `${owner}: nesterov=true requires momentum > 0 and dampening = 0, got momentum=${momentum} and dampening=${dampening}.`,
      );
    }
  },
  transform: sgd,
};

/**
 * SGD over parameter groups. Example:
 * `const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });`
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options?: Partial<SGDOptions>) {
    super(params, options, SGD_SPEC);
  }
}
