import { describe } from "../../tensor/convert.js";
import { nonNegative } from "../options.js";
import { InvalidArgumentError } from "../../tensor/index.js";
import { LRScheduler, type SchedulableOptimizer, checkInteger, checkOptimizer } from "./scheduler.js";
import { checkKnownOptions } from "../options.js";

/** Multiplies the lr by `gamma` every `stepSize` steps: lr_t = lr₀·γ^⌊t / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly gamma: number;

  constructor(
    optimizer: SchedulableOptimizer,
    readonly stepSize: number,
    options: { gamma?: number } = {},
  ) {
    checkOptimizer("StepLR", optimizer);
    super(optimizer);
    checkKnownOptions("StepLR", options, ["gamma"]);
    checkInteger("StepLR", "stepSize", stepSize, 1);
    this.gamma = options.gamma ?? 0.1;
    nonNegative("StepLR", "gamma", this.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const decays = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.optimizer.paramGroups.map((group) => (decays ? group.lr * this.gamma : group.lr));
  }

  protected override restartLr(): number[] {
    return [...this.baseLrs];
  }
}

/**
 * Multiplies the lr by `gamma` at each milestone step: lr_t = lr₀·γ^(number of milestones ≤ t).
 * A milestone listed twice decays twice.
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, milestones: readonly number[], options: { gamma?: number } = {}) {
    checkOptimizer("MultiStepLR", optimizer);
    super(optimizer);
    checkKnownOptions("MultiStepLR", options, ["gamma"]);
    if (!Array.isArray(milestones)) {
      throw new InvalidArgumentError(`MultiStepLR: milestones must be an array of step indices such as [30, 80], got ${describe(milestones)}.`);
    }
    milestones.forEach((milestone, i) => checkInteger("MultiStepLR", `milestones[${i}]`, milestone, 0));
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    nonNegative("MultiStepLR", "gamma", this.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((milestone) => milestone === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((group) => (hits === 0 ? group.lr : group.lr * this.gamma ** hits));
  }

  protected override restartLr(): number[] {
    const hits = this.milestones.filter((milestone) => milestone <= 0).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** hits);
  }
}

/** Multiplies the lr by `gamma` every step: lr_t = lr₀·γ^t. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly gamma: number,
  ) {
    checkOptimizer("ExponentialLR", optimizer);
    super(optimizer);
    nonNegative("ExponentialLR", "gamma", gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.optimizer.paramGroups.map((group) => (this.lastEpoch === 0 ? group.lr : group.lr * this.gamma));
  }

  protected override restartLr(): number[] {
    return [...this.baseLrs];
  }
}
