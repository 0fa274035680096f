import { InvalidArgumentError } from "../../tensor/index.js";
import { checkKnownOptions, nonNegative } from "../options.js";
import { type SchedulableOptimizer, checkInteger, checkOptimizer } from "./scheduler.js";

export interface ReduceLROnPlateauOptions {
  /** Whether the monitored value should decrease ("min", the default) or increase ("max"). */
  mode?: "min" | "max";
  /** The lr is multiplied by this factor, which must be below 1; 0.1 by default. */
  factor?: number;
  /** The number of steps without improvement tolerated before reducing; 10 by default. */
  patience?: number;
  /** The smallest change that counts as an improvement; 1e-4 by default. */
  threshold?: number;
  /** "rel": improve by a fraction `threshold` of the best value (the default); "abs": by `threshold`. */
  thresholdMode?: "rel" | "abs";
  /** Steps to wait after a reduction before counting bad steps again; 0 by default. */
  cooldown?: number;
  /** The lower bound of the lr, one for all groups or one per group; 0 by default. */
  minLr?: number | number[];
  /** A reduction smaller than this is skipped; 1e-8 by default. */
  eps?: number;
}

const OPTIONS = ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"];

/**
 * Reduces the lr of every group by `factor` when the metric passed to `step(metric)` has not
 * improved for more than `patience` steps, with PyTorch's semantics.
 */
export class ReduceLROnPlateau {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: SchedulableOptimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const owner = "ReduceLROnPlateau";
    checkOptimizer(owner, optimizer);
    checkKnownOptions(owner, options, OPTIONS);
    this.mode = options.mode ?? "min";
    if (this.mode !== "min" && this.mode !== "max") throw new InvalidArgumentError(`${owner}: invalid mode=${JSON.stringify(this.mode)}; expected "min" or "max".`);
    this.thresholdMode = options.thresholdMode ?? "rel";
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") {
      throw new InvalidArgumentError(`${owner}: invalid thresholdMode=${JSON.stringify(this.thresholdMode)}; expected "rel" or "abs".`);
    }
    this.factor = options.factor ?? 0.1;
    if (typeof this.factor !== "number" || !(this.factor >= 0 && this.factor < 1)) {
      throw new InvalidArgumentError(`${owner}: invalid factor=${this.factor}; expected a number in [0, 1).`);
    }
    this.patience = options.patience ?? 10;
    checkInteger(owner, "patience", this.patience, 0);
    this.cooldown = options.cooldown ?? 0;
    checkInteger(owner, "cooldown", this.cooldown, 0);
    this.threshold = options.threshold ?? 1e-4;
    nonNegative(owner, "threshold", this.threshold);
    this.eps = options.eps ?? 1e-8;
    nonNegative(owner, "eps", this.eps);
    this.minLrs = minLrsOf(owner, options.minLr ?? 0, optimizer.paramGroups.length);
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((group) => group.lr);
  }

  /** Records `metric` for one step (usually an epoch's validation loss) and reduces the lr if needed. */
  step(metric: number): void {
    if (typeof metric !== "number" || Number.isNaN(metric)) {
      throw new InvalidArgumentError(`ReduceLROnPlateau.step: invalid metric=${String(metric)}; expected a number such as the validation loss.`);
    }
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  private isBetter(metric: number): boolean {
    const { best, threshold } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? metric < best * (1 - threshold) : metric < best - threshold;
    return this.thresholdMode === "rel" ? metric > best * (1 + threshold) : metric > best + threshold;
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const next = Math.max(group.lr * this.factor, this.minLrs[i]);
      if (group.lr - next > this.eps) group.lr = next;
    });
  }

  /** Returns the learning rate of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, unknown> {
    return structuredClone(Object.fromEntries(Object.entries(this).filter(([key]) => key !== "optimizer")));
  }

  loadStateDict(state: Record<string, unknown>): void {
    const valid = Object.keys(this.stateDict());
    for (const key of Object.keys(state)) {
      if (!valid.includes(key)) throw new InvalidArgumentError(`ReduceLROnPlateau.loadStateDict: unknown key "${key}"; valid keys are ${valid.join(", ")}.`);
    }
    Object.assign(this, structuredClone(state));
  }
}

function minLrsOf(owner: string, minLr: number | number[], groups: number): number[] {
  const values = Array.isArray(minLr) ? [...minLr] : new Array<number>(groups).fill(minLr);
  if (values.length !== groups) {
    throw new InvalidArgumentError(`${owner}: minLr has ${values.length} values, but the optimizer has ${groups} parameter groups; give one value or one per group.`);
  }
  values.forEach((value, i) => nonNegative(owner, Array.isArray(minLr) ? `minLr[${i}]` : "minLr", value));
  return values;
}
