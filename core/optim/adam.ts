import { adamStepInPlace } from "./adam_step.js";
import { betaPair, boolean, nonNegative } from "./options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "./optimizer.js";
import { scaleByAdam } from "./scale_by_adam.js";
import { type UpdateTransform, addDecayedWeights, chain, flipSign, scaleByLearningRate } from "./transform.js";

export interface AdamOptions extends BaseOptions {
  lr: number;
  /** Decay rates [β₁, β₂] of the first and second moment averages, each in [0, 1). */
  betas: [number, number];
  eps: number;
  /** For Adam an L2 penalty added to the gradient; for AdamW the decoupled decay rate. */
  weightDecay: number;
  /** Normalize by the maximum of the second moment so far (AMSGrad). */
  amsgrad: boolean;
  maximize: boolean;
}

function scaleFor(options: AdamOptions): UpdateTransform {
  const [beta1, beta2] = options.betas;
  return scaleByAdam({ beta1, beta2, eps: options.eps, amsgrad: options.amsgrad });
}

/**
 * Adam, as PyTorch defines it. For gradient g at step t:
 *
 *   g ← ±g + weightDecay·θ
 *   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²   (amsgrad: v ← max(vmax, v))
 *   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)
 */
export function adam(options: AdamOptions): UpdateTransform {
  return chain(flipSign(options.maximize), addDecayedWeights(options.weightDecay), scaleFor(options), scaleByLearningRate(options.lr));
}

/**
 * AdamW: Adam with decoupled weight decay, θ ← θ − lr·weightDecay·θ − lr·(Adam's direction),
 * where the direction is computed from ±g alone.
 */
export function adamw(options: AdamOptions): UpdateTransform {
  return chain(flipSign(options.maximize), scaleFor(options), addDecayedWeights(options.weightDecay), scaleByLearningRate(options.lr));
}

const CHECKS = { lr: nonNegative, betas: betaPair, eps: nonNegative, weightDecay: nonNegative, amsgrad: boolean, maximize: boolean };

export const ADAM_SPEC: OptimizerSpec<AdamOptions> = {
  name: "Adam",
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
  checks: CHECKS,
  transform: adam,
  stepInPlace: (options, param, grad, state) => adamStepInPlace(options, "l2", param, grad, state),
};

export const ADAMW_SPEC: OptimizerSpec<AdamOptions> = {
  name: "AdamW",
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false },
  checks: CHECKS,
  transform: adamw,
  stepInPlace: (options, param, grad, state) => adamStepInPlace(options, "decoupled", param, grad, state),
};

/** Adam over parameter groups. Example: `new Adam(model.parameters(), { lr: 1e-3, amsgrad: true })`. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>) {
    super(params, options, ADAM_SPEC);
  }
}

/** AdamW over parameter groups; weightDecay defaults to 1e-2. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>) {
    super(params, options, ADAMW_SPEC);
  }
}
