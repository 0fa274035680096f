import { describe } from "../../tensor/convert.js";
import { InvalidArgumentError } from "../../tensor/index.js";
import { LRScheduler, type SchedulableOptimizer, checkInteger, checkOptimizer } from "./scheduler.js";

/**
 * Runs schedules one after another, as PyTorch's SequentialLR does. `schedulers[i]` sets the lr
 * from step `milestones[i − 1]` on, starting there from its own step 0. The usual use is a warmup
 * followed by a decay, for example
 * `new SequentialLR(opt, [new LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(opt, 95)], [5])`.
 */
export class SequentialLR {
  lastEpoch: number;
  private lastLr: number[];
  readonly milestones: number[];

  constructor(
    readonly optimizer: SchedulableOptimizer,
    readonly schedulers: readonly LRScheduler[],
    milestones: readonly number[],
  ) {
    const owner = "SequentialLR";
    checkOptimizer(owner, optimizer);
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new InvalidArgumentError(`${owner}: schedulers must be a non-empty array of schedules on this optimizer, got ${describe(schedulers)}.`);
    }
    schedulers.forEach((scheduler, i) => {
      if (!(scheduler instanceof LRScheduler) || scheduler.optimizer !== optimizer) {
        throw new InvalidArgumentError(`${owner}: schedulers[${i}] is not a schedule of this optimizer; create each schedule with the same optimizer.`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new InvalidArgumentError(
        `${owner}: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedules (one fewer), got ${JSON.stringify(milestones)}.`,
      );
    }
    milestones.forEach((milestone, i) => checkInteger(owner, `milestones[${i}]`, milestone, 1));
    this.milestones = [...milestones];

    // Every schedule took its step 0 when it was created. Undo those steps and take step 0 of the
    // first schedule alone, from the initial lr.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr as number;
    for (const scheduler of schedulers) scheduler.lastEpoch--;
    this.lastEpoch = 0;
    schedulers[0].step();
    this.lastLr = schedulers[0].getLastLr();
  }

  /** Advances by one step, switching to the next schedule at a milestone. */
  step(): void {
    this.lastEpoch++;
    const index = this.milestones.filter((milestone) => milestone <= this.lastEpoch).length;
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.restart();
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /** Returns the learning rate of each group set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Returns the position and the states of the wrapped schedules as plain data. */
  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], milestones: [...this.milestones], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Restores a state from `stateDict()`, including the wrapped schedules. */
  loadStateDict(state: Record<string, unknown>): void {
    const saved = state.schedulers as Record<string, unknown>[] | undefined;
    if (!Array.isArray(saved) || saved.length !== this.schedulers.length) {
      throw new InvalidArgumentError(`SequentialLR.loadStateDict: expected the states of ${this.schedulers.length} schedules, got ${saved === undefined ? "none" : saved.length}.`);
    }
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
    saved.forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}
