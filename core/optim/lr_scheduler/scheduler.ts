import { describe } from "../../tensor/convert.js";
import { InvalidArgumentError } from "../../tensor/index.js";

/** A parameter group as schedulers see it: a learning rate plus any other options. */
export interface ScheduledGroup {
  lr: number;
  [key: string]: unknown;
}

/** The part of an optimizer that schedulers read and change. */
export interface SchedulableOptimizer {
  readonly paramGroups: ScheduledGroup[];
  readonly defaults: object;
}

/** Raises unless `optimizer` has parameter groups with learning rates. */
export function checkOptimizer(owner: string, optimizer: SchedulableOptimizer): void {
  if (typeof optimizer !== "object" || optimizer === null || !Array.isArray(optimizer.paramGroups)) {
    throw new InvalidArgumentError(`${owner}: expected an optimizer such as new optim.SGD(params), got ${describe(optimizer)}.`);
  }
}

/** Raises unless `value` is an integer >= `min`. */
export function checkInteger(owner: string, name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected an integer >= ${min}.`);
  }
}

/** Raises unless `value` is a number in [min, max] (NaN is rejected). */
export function checkRange(owner: string, name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected a number in [${min}, ${max}].`);
  }
}

/**
 * The base of epoch- or step-based learning-rate schedules, with PyTorch's semantics. The
 * constructor records each group's starting lr as `initialLr` (unless a scheduler set it already)
 * and takes step 0, so after construction `lastEpoch` is 0 and the groups hold the step-0 lr.
 * Each `step()` advances `lastEpoch` and sets every group's lr from `computeLr()`.
 *
 * Subclasses compute the lr recursively from the group's current lr where PyTorch does, so
 * schedulers can be combined and an lr changed by hand is followed from there.
 */
export abstract class LRScheduler {
  readonly baseLrs: number[];
  /** The index of the last step taken; 0 right after construction. */
  lastEpoch = -1;
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(readonly optimizer: SchedulableOptimizer) {
    for (const group of optimizer.paramGroups) {
      if (group.initialLr === undefined) group.initialLr = group.lr;
    }
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr as number);
  }

  /** Takes step 0; subclasses call it at the end of their constructor, once their fields are set. */
  protected initialStep(): void {
    this.step();
  }

  /** The learning rate of each group for step `lastEpoch`. */
  protected abstract computeLr(): number[];

  /**
   * Returns the learning rate of each group when the schedule restarts at step 0. That is
   * PyTorch's closed form at step 0 where the schedule has one (usually the base lr), else `computeLr()`.
   */
  protected restartLr(): number[] {
    return this.computeLr();
  }

  /** Advances the schedule by one step (call it after optimizer.step()). */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.computeLr());
  }

  /** Moves the schedule back to step 0 and sets its starting lr, as SequentialLR does at a milestone. */
  restart(): void {
    this.stepCount++;
    this.lastEpoch = 0;
    this.apply(this.restartLr());
  }

  private apply(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i];
    });
    this.lastLr = lrs;
  }

  /** Returns the learning rate of each group set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * Returns the schedule's position and settings as plain data. The optimizer and functions
   * (LambdaLR's lrLambdas) are left out, as PyTorch leaves them out.
   */
  stateDict(): Record<string, unknown> {
    const entries = Object.entries(this).filter(([key, value]) => key !== "optimizer" && !containsFunction(value));
    return structuredClone(Object.fromEntries(entries));
  }

  /** Restores a state from `stateDict()`. */
  loadStateDict(state: Record<string, unknown>): void {
    const valid = Object.keys(this.stateDict());
    for (const key of Object.keys(state)) {
      if (!valid.includes(key)) {
        throw new InvalidArgumentError(`${this.constructor.name}.loadStateDict: unknown key "${key}"; valid keys are ${valid.join(", ")}.`);
      }
    }
    Object.assign(this, structuredClone(state));
  }
}

function containsFunction(value: unknown): boolean {
  return typeof value === "function" || (Array.isArray(value) && value.some((item) => typeof item === "function"));
}
