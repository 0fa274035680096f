import { describe } from "../../tensor/convert.js";
import { InvalidArgumentError } from "../../tensor/index.js";
import { LRScheduler, type SchedulableOptimizer, checkOptimizer } from "./scheduler.js";

/** A function from the step index t to a learning-rate factor. */
export type LrLambda = (step: number) => number;

function lambdasFor(owner: string, optimizer: SchedulableOptimizer, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  const groups = optimizer.paramGroups.length;
  const lambdas = Array.isArray(lrLambda) ? [...lrLambda] : new Array<LrLambda>(groups).fill(lrLambda as LrLambda);
  if (lambdas.length !== groups) {
    throw new InvalidArgumentError(`${owner}: lrLambda has ${lambdas.length} functions, but the optimizer has ${groups} parameter groups; give one function or one per group.`);
  }
  lambdas.forEach((lambda, i) => {
    if (typeof lambda !== "function") throw new InvalidArgumentError(`${owner}: lrLambda[${i}] is ${describe(lambda)}; expected a function of the step index.`);
  });
  return lambdas;
}

/** Sets lr_t = lr₀·λ(t), with one λ for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    checkOptimizer("LambdaLR", optimizer);
    super(optimizer);
    this.lrLambdas = lambdasFor("LambdaLR", optimizer, lrLambda);
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
  }
}

/** Multiplies the lr by λ(t) at every step t > 0: lr_t = lr_{t−1}·λ(t). */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    checkOptimizer("MultiplicativeLR", optimizer);
    super(optimizer);
    this.lrLambdas = lambdasFor("MultiplicativeLR", optimizer, lrLambda);
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.optimizer.paramGroups.map((group, i) => (this.lastEpoch > 0 ? group.lr * this.lrLambdas[i](this.lastEpoch) : group.lr));
  }
}
