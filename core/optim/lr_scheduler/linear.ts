import { checkKnownOptions } from "../options.js";
import { LRScheduler, type SchedulableOptimizer, checkInteger, checkOptimizer, checkRange } from "./scheduler.js";
import { InvalidArgumentError } from "../../tensor/index.js";

export interface LinearLROptions {
  /** The lr multiplier at step 0, in (0, 1]; 1/3 by default. */
  startFactor?: number;
  /** The lr multiplier from step `totalIters` on, in [0, 1]; 1 by default. */
  endFactor?: number;
  /** The number of steps over which the multiplier moves; 5 by default. */
  totalIters?: number;
}

/**
 * Linear warmup (or decay): the lr multiplier moves linearly from `startFactor` at step 0 to
 * `endFactor` at step `totalIters` and stays there:
 * lr_t = lr₀·(startFactor + (endFactor − startFactor)·min(t, totalIters) / totalIters).
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    checkOptimizer("LinearLR", optimizer);
    super(optimizer);
    checkKnownOptions("LinearLR", options, ["startFactor", "endFactor", "totalIters"]);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    checkRange("LinearLR", "startFactor", this.startFactor, 0, 1);
    if (this.startFactor === 0) {
      throw new InvalidArgumentError("LinearLR: invalid startFactor=0; expected a number in (0, 1], because the lr is scaled relative to its value at step 0.");
    }
    checkRange("LinearLR", "endFactor", this.endFactor, 0, 1);
    checkInteger("LinearLR", "totalIters", this.totalIters, 1);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, startFactor, endFactor, totalIters } = this;
    return this.optimizer.paramGroups.map((group) => {
      if (t === 0) return group.lr * startFactor;
      if (t > totalIters) return group.lr;
      return group.lr * (1 + (endFactor - startFactor) / (totalIters * startFactor + (t - 1) * (endFactor - startFactor)));
    });
  }

  protected override restartLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.startFactor);
  }
}
