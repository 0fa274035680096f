import { noGrad } from "../../autograd/index.js";
import { InvalidArgumentError, Tensor } from "../../tensor/index.js";
import { boolean, nonNegative, type OptionCheck } from "../options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "../optimizer.js";
import { GradientGraph } from "./curvature.js";
import { addToParams, dot, gatherValues, lossValue, requireLossClosure, requireOneGroup, setParams } from "./flat.js";
import { backtracking } from "./line_search.js";
import { adaptedDamping } from "./newton.js";
import { positive, positiveInteger, updateThroughStep } from "./options.js";

export interface NewtonCGOptions extends BaseOptions {
  /** The first trial step along the CG direction. */
  lr: number;
  /** The starting damping λ in (H + λI)p = −g. */
  damping: number;
  /** Adapt λ by the Levenberg–Marquardt rule after each step. */
  adaptDamping: boolean;
  /** Maximum conjugate-gradient iterations (Hessian-vector products) per step. */
  cgMaxIter: number;
  /** Stop CG when ‖r‖ ≤ cgTol·‖g‖. */
  cgTol: number;
  /** "backtracking" for an Armijo line search, or null for the step lr. */
  lineSearch: "backtracking" | null;
}

const lineSearchCheck: OptionCheck = (owner, name, value) => {
  if (value !== null && value !== "backtracking") {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${JSON.stringify(value)}; expected "backtracking" or null.`);
  }
};

export const NEWTON_CG_SPEC: OptimizerSpec<NewtonCGOptions> = {
  name: "NewtonCG",
  defaults: { lr: 1, damping: 1e-3, adaptDamping: true, cgMaxIter: 50, cgTol: 1e-4, lineSearch: "backtracking" },
  checks: { lr: nonNegative, damping: nonNegative, adaptDamping: boolean, cgMaxIter: positiveInteger, cgTol: positive, lineSearch: lineSearchCheck },
  transform: updateThroughStep("NewtonCG"),
};

/** The result of truncated CG on (H + λI)p = −g. */
export interface CGResult {
  direction: Float64Array;
  /** pᵀ(H + λI)p, for the predicted decrease. */
  curvature: number;
  iterations: number;
  /** The reason CG stopped. */
  reason: "converged" | "maxIter" | "negativeCurvature";
}

/**
 * Truncated conjugate gradient for (H + λI)p = −g from p = 0, with H only through products. It
 * stops when the residual is ≤ tol·‖g‖, after maxIter products, or when a search direction
 * has dᵀ(H + λI)d ≤ 0 (negative curvature). In that last case it returns the iterate so far, or
 * −g when that is still zero, which is always a descent direction.
 */
export function truncatedCG(hvp: (v: Float64Array) => Float64Array, g: Float64Array, damping: number, maxIter: number, tol: number): CGResult {
  const n = g.length;
  const p = new Float64Array(n);
  const r = g.map((x) => -x);
  const d = Float64Array.from(r);
  let rr = dot(r, r);
  const stop = tol * tol * rr;
  let curvature = 0;
  for (let k = 0; k < maxIter; k++) {
    const hd = hvp(d);
    for (let i = 0; i < n; i++) hd[i] += damping * d[i];
    const dhd = dot(d, hd);
    if (!(dhd > 0)) {
      if (k === 0) return { direction: Float64Array.from(r), curvature: dhd, iterations: k + 1, reason: "negativeCurvature" };
      return { direction: p, curvature, iterations: k + 1, reason: "negativeCurvature" };
    }
    const alpha = rr / dhd;
    for (let i = 0; i < n; i++) {
      p[i] += alpha * d[i];
      r[i] -= alpha * hd[i];
    }
    // For p_k from CG started at 0, p_kᵀ(H + λI)p_k = −gᵀp_k − r_kᵀp_k = −gᵀp_k because r_k ⟂ p_k.
    curvature = -dot(g, p);
    const next = dot(r, r);
    if (next <= stop) return { direction: p, curvature, iterations: k + 1, reason: "converged" };
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < n; i++) d[i] = r[i] + beta * d[i];
  }
  return { direction: p, curvature, iterations: maxIter, reason: "maxIter" };
}

/**
 * Newton-CG (Hessian-free Newton): each `step(closure)` computes the gradient g with its graph,
 * solves (H + λI)p = −g approximately by truncated conjugate gradient using Hessian-vector
 * products (no n×n matrix is formed), then moves θ ← θ + t·p with t from Armijo backtracking.
 * With adaptDamping, λ follows the Levenberg–Marquardt rule (λ/4 when the actual decrease is
 * above 3/4 of the quadratic model's, 4λ when below 1/4). The closure returns the loss tensor
 * without calling backward.
 */
export class NewtonCG extends Optimizer<NewtonCGOptions> {
  private damping: number;
  /** The result of the last step's CG solve. */
  lastSolve: CGResult | null = null;

  constructor(params: ParamsInput<NewtonCGOptions>, options?: Partial<NewtonCGOptions>) {
    super(params, options, NEWTON_CG_SPEC);
    requireOneGroup("NewtonCG", this.paramGroups);
    this.damping = this.paramGroups[0].damping;
  }

  override step<T = unknown>(closure?: () => T): T | undefined {
    const group = this.paramGroups[0];
    const params = group.params;
    const evaluate = requireLossClosure("NewtonCG", closure, params);

    const original = evaluate();
    if (!(original instanceof Tensor)) throw new InvalidArgumentError("NewtonCG.step: the closure must return the loss tensor (with its graph), not a number.");
    const loss = lossValue("NewtonCG", original);
    const graph = new GradientGraph("NewtonCG", original, params);
    const g = graph.gradient;
    const solve = truncatedCG((v) => graph.hvp(v), g, this.damping, group.cgMaxIter, group.cgTol);
    this.lastSolve = solve;
    const p = solve.direction;
    const slope = dot(g, p);

    const start = gatherValues(params, params);
    const lossAt = (t: number): number => {
      addToParams(params, t, p);
      const value = lossValue("NewtonCG", noGrad(closure!));
      setParams(params, start);
      return value;
    };
    const t = group.lineSearch === "backtracking" && slope < 0 ? backtracking(lossAt, loss, slope, { t0: group.lr }).t : group.lr;
    if (group.adaptDamping) {
      // The quadratic model of the undamped Hessian: pᵀHp = pᵀ(H + λI)p − λ‖p‖².
      const curvature = solve.curvature - this.damping * dot(p, p);
      const predicted = -(t * slope + 0.5 * t * t * curvature);
      this.damping = adaptedDamping(this.damping, loss - lossAt(t), predicted);
    }
    addToParams(params, t, p);
    this.state.set(params[0], { damping: this.damping, step: ((this.state.get(params[0])?.step as number | undefined) ?? 0) + 1 });
    return original;
  }
}
