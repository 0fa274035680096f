import { noGrad } from "../../autograd/index.js";
import { InvalidArgumentError, Tensor } from "../../tensor/index.js";
import { boolean, nonNegative, type OptionCheck } from "../options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "../optimizer.js";
import { GradientGraph, dampedCholeskySolve } from "./curvature.js";
import { addToParams, dot, gatherValues, lossValue, numelOf, requireLossClosure, requireOneGroup, setParams } from "./flat.js";
import { backtracking } from "./line_search.js";
import { positiveInteger, updateThroughStep } from "./options.js";

export interface NewtonOptions extends BaseOptions {
  /** The first trial step along the Newton direction (1 is the full Newton step). */
  lr: number;
  /** The starting Levenberg–Marquardt damping λ added to the Hessian's diagonal. */
  damping: number;
  /** Adapt λ after each step from the ratio of actual to predicted decrease. */
  adaptDamping: boolean;
  /** "backtracking" for an Armijo backtracking line search, or null for the step lr. */
  lineSearch: "backtracking" | null;
  /** The largest parameter count for which the n×n Hessian is built. */
  maxParams: number;
}

const lineSearchCheck: OptionCheck = (owner, name, value) => {
  if (value !== null && value !== "backtracking") {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${JSON.stringify(value)}; expected "backtracking" or null.`);
  }
};

export const NEWTON_SPEC: OptimizerSpec<NewtonOptions> = {
  name: "Newton",
  defaults: { lr: 1, damping: 0, adaptDamping: true, lineSearch: "backtracking", maxParams: 4000 },
  checks: { lr: nonNegative, damping: nonNegative, adaptDamping: boolean, lineSearch: lineSearchCheck, maxParams: positiveInteger },
  transform: updateThroughStep("Newton"),
};

/**
 * Newton's method with the exact Hessian, for models with few parameters. Each `step(closure)`
 * evaluates the loss f, its gradient g and its Hessian H (n Hessian-vector products), solves
 * (H + λI)·p = −g by Cholesky, raising λ until H + λI is positive definite, and moves
 * θ ← θ + t·p, where t comes from Armijo backtracking from lr (t halves until
 * f(θ + t·p) ≤ f(θ) + 1e-4·t·gᵀp). With adaptDamping, λ follows the Levenberg–Marquardt rule on
 * ρ = (f(θ) − f(θ + t·p)) / −(t·gᵀp + ½t²·pᵀHp): λ ← λ/4 when ρ > 0.75, λ ← 4λ when ρ < 0.25.
 * The closure returns the loss tensor without calling backward, for example
 * `() => lossFn(model.forward(x), y)`; the optimizer differentiates it twice.
 */
export class Newton extends Optimizer<NewtonOptions> {
  private damping: number;

  constructor(params: ParamsInput<NewtonOptions>, options?: Partial<NewtonOptions>) {
    super(params, options, NEWTON_SPEC);
    requireOneGroup("Newton", this.paramGroups);
    this.damping = this.paramGroups[0].damping;
    const n = numelOf(this.paramGroups[0].params);
    if (n > this.paramGroups[0].maxParams) {
      throw new InvalidArgumentError(
        `Newton: the model has ${n} parameters, more than maxParams = ${this.paramGroups[0].maxParams}; its Hessian would be ${n}×${n} (${((n * n * 8) / 2 ** 20).toFixed(1)} MiB in float64) and cost ${n} Hessian-vector products per step. Use NewtonCG (Hessian-free), LBFGS or AdaHessian, or raise maxParams.`,
      );
    }
  }

  override step<T = unknown>(closure?: () => T): T | undefined {
    const group = this.paramGroups[0];
    const params = group.params;
    const evaluate = requireLossClosure("Newton", closure, params);
    const n = numelOf(params);

    const original = evaluate();
    if (!(original instanceof Tensor)) throw new InvalidArgumentError("Newton.step: the closure must return the loss tensor (with its graph), not a number.");
    const loss = lossValue("Newton", original);
    const graph = new GradientGraph("Newton", original, params);
    const g = graph.gradient;
    const hessian = graph.hessian();

    const [direction, damping] = this.solve(hessian, n, g);
    const slope = dot(g, direction);
    const start = gatherValues(params, params);
    const lossAt = (t: number): number => {
      addToParams(params, t, direction);
      const value = lossValue("Newton", noGrad(closure!));
      setParams(params, start);
      return value;
    };
    const t = group.lineSearch === "backtracking" && slope < 0 ? backtracking(lossAt, loss, slope, { t0: group.lr }).t : group.lr;
    const newLoss = group.adaptDamping ? lossAt(t) : NaN;
    addToParams(params, t, direction);

    if (group.adaptDamping) this.damping = adaptedDamping(damping, loss - newLoss, predictedDecrease(hessian, n, g, direction, t));
    this.state.set(params[0], { damping: this.damping, step: ((this.state.get(params[0])?.step as number | undefined) ?? 0) + 1 });
    return original;
  }

  /** Solves (H + λI)p = −g, returning p and the λ that made H + λI positive definite. */
  private solve(hessian: Float64Array, n: number, g: Float64Array): [Float64Array, number] {
    let maxDiagonal = 0;
    for (let i = 0; i < n; i++) maxDiagonal = Math.max(maxDiagonal, Math.abs(hessian[i * n + i]));
    const floor = 1e-10 * Math.max(maxDiagonal, 1e-12);
    const negative = g.map((x) => -x);
    let damping = this.damping;
    for (let attempt = 0; attempt < 100; attempt++) {
      const p = dampedCholeskySolve(hessian, n, damping, negative);
      if (p !== null && p.every(Number.isFinite)) return [p, damping];
      damping = Math.max(4 * damping, floor);
    }
    throw new InvalidArgumentError(`Newton.step: H + λI stayed indefinite up to λ = ${damping}; the Hessian may contain NaN or Inf.`);
  }
}

function predictedDecrease(hessian: Float64Array, n: number, g: Float64Array, p: Float64Array, t: number): number {
  let curvature = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += hessian[i * n + j] * p[j];
    curvature += p[i] * row;
  }
  return -(t * dot(g, p) + 0.5 * t * t * curvature);
}

/** Updates λ by the Levenberg–Marquardt rule on the ratio of actual to predicted decrease. */
export function adaptedDamping(damping: number, actual: number, predicted: number): number {
  if (!(predicted > 0)) return damping;
  const ratio = actual / predicted;
  if (ratio > 0.75) return damping / 4;
  if (ratio < 0.25) return Math.max(4 * damping, 1e-8);
  return damping;
}
