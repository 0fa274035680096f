import { InvalidArgumentError } from "../../tensor/index.js";
import { checkKnownOptions } from "../options.js";
import { LRScheduler, type ScheduledGroup, type SchedulableOptimizer, checkInteger, checkOptimizer, checkRange } from "./scheduler.js";

export interface OneCycleLROptions {
  /** The number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent increasing the lr; 0.3 by default. */
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's β₁) inversely to the lr; true by default. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** The initial lr is maxLr / divFactor; 25 by default. */
  divFactor?: number;
  /** The final lr is the initial lr / finalDivFactor; 1e4 by default. */
  finalDivFactor?: number;
  /** Use three phases: up to maxLr, back down to the initial lr, then down to the final lr. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

const OPTIONS = ["totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"];

/**
 * The 1cycle policy, as PyTorch 1.13 implements it in torch.optim.lr_scheduler.OneCycleLR. The
 * lr rises from maxLr / divFactor to maxLr over the first pctStart of `totalSteps`, then anneals
 * to initialLr / finalDivFactor. Momentum (or Adam's β₁) moves the opposite way between
 * maxMomentum and baseMomentum. Call `step()` after every batch. Stepping past `totalSteps` raises.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly phases: Phase[];
  readonly annealStrategy: "cos" | "linear";
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;

  constructor(optimizer: SchedulableOptimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    const owner = "OneCycleLR";
    checkOptimizer(owner, optimizer);
    checkKnownOptions(owner, options, OPTIONS);
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup(owner, "maxLr", maxLr, groups.length);
    const divFactor = options.divFactor ?? 25;
    const finalDivFactor = options.finalDivFactor ?? 1e4;
    groups.forEach((group, i) => {
      group.initialLr = maxLrs[i] / divFactor;
      group.maxLr = maxLrs[i];
      group.minLr = (maxLrs[i] / divFactor) / finalDivFactor;
    });
    super(optimizer);

    this.totalSteps = totalStepsOf(owner, options);
    const pctStart = options.pctStart ?? 0.3;
    checkRange(owner, "pctStart", pctStart, 0, 1);
    this.phases = phasesOf(this.totalSteps, pctStart, options.threePhase ?? false);
    this.annealStrategy = options.annealStrategy ?? "cos";
    if (this.annealStrategy !== "cos" && this.annealStrategy !== "linear") {
      throw new InvalidArgumentError(`${owner}: invalid annealStrategy=${JSON.stringify(this.annealStrategy)}; expected "cos" or "linear".`);
    }
    this.cycleMomentum = options.cycleMomentum ?? true;
    this.useBeta1 = "betas" in optimizer.defaults;
    if (this.cycleMomentum) this.initMomentum(options, groups);
    this.initialStep();
  }

  private initMomentum(options: OneCycleLROptions, groups: ScheduledGroup[]): void {
    if (!("momentum" in this.optimizer.defaults) && !this.useBeta1) {
      throw new InvalidArgumentError("OneCycleLR: this optimizer has neither momentum nor betas, so momentum cannot cycle; pass { cycleMomentum: false }.");
    }
    const maxMomentums = perGroup("OneCycleLR", "maxMomentum", options.maxMomentum ?? 0.95, groups.length);
    const baseMomentums = perGroup("OneCycleLR", "baseMomentum", options.baseMomentum ?? 0.85, groups.length);
    groups.forEach((group, i) => {
      this.setMomentum(group, maxMomentums[i]);
      group.maxMomentum = maxMomentums[i];
      group.baseMomentum = baseMomentums[i];
    });
  }

  private setMomentum(group: ScheduledGroup, momentum: number): void {
    if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
    else group.momentum = momentum;
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new InvalidArgumentError(`OneCycleLR: step() was called ${step} times, but the cycle has totalSteps=${this.totalSteps}; create the scheduler with a larger totalSteps.`);
    }
    return this.optimizer.paramGroups.map((group) => {
      let startStep = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (step <= phase.endStep || i === this.phases.length - 1) {
          const pct = (step - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) {
            this.setMomentum(group, this.anneal(group[phase.startMomentum] as number, group[phase.endMomentum] as number, pct));
          }
          return this.anneal(group[phase.startLr] as number, group[phase.endLr] as number, pct);
        }
        startStep = phase.endStep;
      }
      return group.lr;
    });
  }
}

function perGroup(owner: string, name: string, value: number | number[], groups: number): number[] {
  const values = Array.isArray(value) ? value : new Array<number>(groups).fill(value);
  if (values.length !== groups) {
    throw new InvalidArgumentError(`${owner}: ${name} has ${values.length} values, but the optimizer has ${groups} parameter groups; give one value or one per group.`);
  }
  values.forEach((v, i) => checkRange(owner, Array.isArray(value) ? `${name}[${i}]` : name, v, 0, Infinity));
  return values;
}

function totalStepsOf(owner: string, options: OneCycleLROptions): number {
  if (options.totalSteps !== undefined) {
    checkInteger(owner, "totalSteps", options.totalSteps, 1);
    return options.totalSteps;
  }
  if (options.epochs === undefined || options.stepsPerEpoch === undefined) {
    throw new InvalidArgumentError(`${owner}: the cycle length is missing; pass { totalSteps } or both { epochs, stepsPerEpoch }.`);
  }
  checkInteger(owner, "epochs", options.epochs, 1);
  checkInteger(owner, "stepsPerEpoch", options.stepsPerEpoch, 1);
  return options.epochs * options.stepsPerEpoch;
}

function phasesOf(totalSteps: number, pctStart: number, threePhase: boolean): Phase[] {
  const warmupEnd = pctStart * totalSteps - 1;
  if (!threePhase) {
    return [
      { endStep: warmupEnd, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
      { endStep: totalSteps - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
    ];
  }
  return [
    { endStep: warmupEnd, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
    { endStep: 2 * pctStart * totalSteps - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
    { endStep: totalSteps - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
  ];
}
