import { anyNumber, checkKnownOptions } from "../options.js";
import { LRScheduler, type SchedulableOptimizer, checkInteger, checkOptimizer } from "./scheduler.js";

/**
 * Cosine annealing from the initial lr η₀ to `etaMin` over `tMax` steps, then back up, without
 * restarts:  η_t = ηmin + (η₀ − ηmin)·(1 + cos(π·t / tMax)) / 2.
 * Each step applies PyTorch's recursive form of this formula to the group's current lr.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;

  constructor(
    optimizer: SchedulableOptimizer,
    readonly tMax: number,
    options: { etaMin?: number } = {},
  ) {
    checkOptimizer("CosineAnnealingLR", optimizer);
    super(optimizer);
    checkKnownOptions("CosineAnnealingLR", options, ["etaMin"]);
    checkInteger("CosineAnnealingLR", "tMax", tMax, 1);
    this.etaMin = options.etaMin ?? 0;
    anyNumber("CosineAnnealingLR", "etaMin", this.etaMin);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    return this.optimizer.paramGroups.map((group, i) => {
      if (t === 0) return group.lr;
      if ((t - 1 - tMax) % (2 * tMax) === 0) {
        return group.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
      }
      return ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (group.lr - etaMin) + etaMin;
    });
  }

  protected override restartLr(): number[] {
    return [...this.baseLrs];
  }
}
