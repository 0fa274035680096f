import { InvalidArgumentError } from "../../tensor/index.js";
import { nonNegative, type OptionCheck } from "../options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "../optimizer.js";
import { addToParams, dot, gatherGrads, gatherValues, lossValue, maxAbs, numelOf, requireClosure, requireOneGroup, setParams } from "./flat.js";
import { strongWolfe } from "./line_search.js";
import { positiveInteger, updateThroughStep } from "./options.js";

export interface BFGSOptions extends BaseOptions {
  /** The first trial step of the line search, or the fixed step without one. */
  lr: number;
  /** Maximum iterations per `step()` call. */
  maxIter: number;
  /** Stop when max|∇f| ≤ toleranceGrad. */
  toleranceGrad: number;
  /** Stop when the step or the change in loss is below toleranceChange. */
  toleranceChange: number;
  /** "strongWolfe" (default) or null for fixed steps of length lr. */
  lineSearch: "strongWolfe" | null;
  /** The largest parameter count for which the dense n×n inverse-Hessian estimate is kept. */
  maxParams: number;
}

const lineSearchCheck: OptionCheck = (owner, name, value) => {
  if (value !== null && value !== "strongWolfe") {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${JSON.stringify(value)}; expected "strongWolfe" or null.`);
  }
};

export const BFGS_SPEC: OptimizerSpec<BFGSOptions> = {
  name: "BFGS",
  defaults: { lr: 1, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, lineSearch: "strongWolfe", maxParams: 4000 },
  checks: { lr: nonNegative, maxIter: positiveInteger, toleranceGrad: nonNegative, toleranceChange: nonNegative, lineSearch: lineSearchCheck, maxParams: positiveInteger },
  transform: updateThroughStep("BFGS"),
};

/**
 * BFGS with a dense inverse-Hessian estimate H (n×n). Each iteration moves along d = −H·∇f with a
 * strong-Wolfe line search, then, when yᵀs > 1e-10, updates
 *   H ← (I − ρsyᵀ)·H·(I − ρysᵀ) + ρssᵀ,   ρ = 1/(yᵀs),
 * starting from H = (yᵀs / yᵀy)·I at the first update (Nocedal and Wright, eq. 6.17 and 6.20).
 * The closure is the one LBFGS takes: zeroGrad, loss, backward, return the loss.
 */
export class BFGS extends Optimizer<BFGSOptions> {
  private inverse: Float64Array | null = null;
  private previous: { grad: Float64Array; values: Float64Array } | null = null;
  private iterations = 0;

  constructor(params: ParamsInput<BFGSOptions>, options?: Partial<BFGSOptions>) {
    super(params, options, BFGS_SPEC);
    requireOneGroup("BFGS", this.paramGroups);
    const n = numelOf(this.paramGroups[0].params);
    if (n > this.paramGroups[0].maxParams) {
      throw new InvalidArgumentError(`BFGS: the model has ${n} parameters, more than maxParams = ${this.paramGroups[0].maxParams}, so the ${n}×${n} inverse-Hessian estimate would be too large; use LBFGS, or raise maxParams.`);
    }
  }

  override step<T = unknown>(closure?: () => T): T | undefined {
    const evaluate = requireClosure("BFGS", closure, "a closure that calls zeroGrad, computes the loss, calls backward and returns it");
    const group = this.paramGroups[0];
    const params = group.params;
    const original = evaluate();
    let loss = lossValue("BFGS", original);
    let grad = gatherGrads(params);

    for (let iteration = 0; iteration < group.maxIter; iteration++) {
      if (maxAbs(grad) <= group.toleranceGrad) break;
      this.updateInverse(grad, gatherValues(params, params));
      const direction = this.direction(grad);
      let slope = dot(grad, direction);
      if (slope > -group.toleranceChange) {
        // The estimate lost positive definiteness to rounding: restart from steepest descent.
        this.inverse = null;
        direction.set(grad.map((g) => -g));
        slope = -dot(grad, grad);
      }
      const previousLoss = loss;
      this.previous = { grad, values: gatherValues(params, params) };
      let t = this.iterations === 0 ? Math.min(1, 1 / grad.reduce((s, g) => s + Math.abs(g), 0)) * group.lr : group.lr;
      if (group.lineSearch === "strongWolfe") {
        const start = this.previous.values;
        const found = strongWolfe((step) => {
          addToParams(params, step, direction);
          const value = lossValue("BFGS", evaluate());
          const g = gatherGrads(params);
          setParams(params, start);
          return { loss: value, grad: g };
        }, t, direction, loss, grad, slope);
        [loss, grad, t] = [found.loss, found.grad, found.t];
        addToParams(params, t, direction);
      } else {
        addToParams(params, t, direction);
        loss = lossValue("BFGS", evaluate());
        grad = gatherGrads(params);
      }
      this.iterations++;
      if (maxAbs(direction) * Math.abs(t) <= group.toleranceChange || Math.abs(loss - previousLoss) < group.toleranceChange) break;
    }
    this.state.set(params[0], { nIter: this.iterations });
    return original;
  }

  private direction(grad: Float64Array): Float64Array {
    const n = grad.length;
    if (this.inverse === null) return grad.map((g) => -g);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += this.inverse[i * n + j] * grad[j];
      d[i] = -sum;
    }
    return d;
  }

  private updateInverse(grad: Float64Array, values: Float64Array): void {
    if (this.previous === null) return;
    const n = grad.length;
    const s = values.map((v, i) => v - this.previous!.values[i]);
    const y = grad.map((g, i) => g - this.previous!.grad[i]);
    const ys = dot(y, s);
    if (!(ys > 1e-10)) return;
    if (this.inverse === null) {
      this.inverse = new Float64Array(n * n);
      const scale = ys / dot(y, y);
      for (let i = 0; i < n; i++) this.inverse[i * n + i] = scale;
    }
    const h = this.inverse;
    const rho = 1 / ys;
    const hy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += h[i * n + j] * y[j];
      hy[i] = sum;
    }
    const yhy = dot(y, hy);
    // Expanded form of (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ for symmetric H.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        h[i * n + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
      }
    }
  }
}
