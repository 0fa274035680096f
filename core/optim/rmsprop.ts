import { boolean, nonNegative } from "./options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "./optimizer.js";
import { scaleByRms } from "./scale_by_rms.js";
import { traceMomentum } from "./trace_momentum.js";
import { type UpdateTransform, addDecayedWeights, chain, flipSign, scaleByLearningRate } from "./transform.js";

export interface RMSpropOptions extends BaseOptions {
  lr: number;
  /** Decay rate of the squared-gradient average. */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalize by the estimated variance (subtracting the squared mean gradient). */
  centered: boolean;
  maximize: boolean;
}

/**
 * RMSprop, as PyTorch defines it. For gradient g:
 *
 *   g ← ±g + weightDecay·θ,  s ← α·s + (1 − α)·g²
 *   centered: ḡ ← α·ḡ + (1 − α)·g and s̃ = s − ḡ², else s̃ = s
 *   u = g / (√s̃ + ε);  with momentum μ > 0: b ← μ·b + u and u = b
 *   θ ← θ − lr·u
 */
export function rmsprop(options: RMSpropOptions): UpdateTransform {
  return chain(
    flipSign(options.maximize),
    addDecayedWeights(options.weightDecay),
    scaleByRms({ alpha: options.alpha, eps: options.eps, centered: options.centered }),
    traceMomentum({ momentum: options.momentum, dampening: 0, nesterov: false }),
    scaleByLearningRate(options.lr),
  );
}

export const RMSPROP_SPEC: OptimizerSpec<RMSpropOptions> = {
  name: "RMSprop",
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  checks: { lr: nonNegative, alpha: nonNegative, eps: nonNegative, weightDecay: nonNegative, momentum: nonNegative, centered: boolean, maximize: boolean },
  transform: rmsprop,
};

/** RMSprop over parameter groups. Example: `new RMSprop(params, { lr: 1e-3, centered: true })`. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options?: Partial<RMSpropOptions>) {
    super(params, options, RMSPROP_SPEC);
  }
}
