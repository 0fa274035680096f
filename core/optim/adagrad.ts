import { boolean, nonNegative } from "./options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "./optimizer.js";
import { scaleByInverseTimeDecay, scaleByRss } from "./scale_by_rss.js";
import { type UpdateTransform, addDecayedWeights, chain, flipSign } from "./transform.js";

export interface AdagradOptions extends BaseOptions {
  lr: number;
  /** The learning rate at step t is lr / (1 + (t − 1)·lrDecay). */
  lrDecay: number;
  weightDecay: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/**
 * Adagrad, as PyTorch defines it. For gradient g at step t:
 *
 *   g ← ±g + weightDecay·θ,  sum ← sum + g²
 *   θ ← θ − lr / (1 + (t − 1)·lrDecay) · g / (√sum + ε)
 */
export function adagrad(options: AdagradOptions): UpdateTransform {
  return chain(
    flipSign(options.maximize),
    addDecayedWeights(options.weightDecay),
    scaleByRss({ initialAccumulatorValue: options.initialAccumulatorValue, eps: options.eps }),
    scaleByInverseTimeDecay(options.lr, options.lrDecay),
  );
}

export const ADAGRAD_SPEC: OptimizerSpec<AdagradOptions> = {
  name: "Adagrad",
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  checks: { lr: nonNegative, lrDecay: nonNegative, weightDecay: nonNegative, initialAccumulatorValue: nonNegative, eps: nonNegative, maximize: boolean },
  transform: adagrad,
};

/** Adagrad over parameter groups. Example: `new Adagrad(params, { lr: 0.1, lrDecay: 1e-3 })`. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options?: Partial<AdagradOptions>) {
    super(params, options, ADAGRAD_SPEC);
  }
}
