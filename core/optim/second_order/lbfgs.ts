import { InvalidArgumentError } from "../../tensor/index.js";
import { nonNegative, type OptionCheck } from "../options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "../optimizer.js";
import { addToParams, dot, gatherGrads, gatherValues, lossValue, maxAbs, requireClosure, requireOneGroup, setParams } from "./flat.js";
import { strongWolfe } from "./line_search.js";
import { positiveInteger, updateThroughStep } from "./options.js";

export interface LBFGSOptions extends BaseOptions {
  /** Step length: the initial trial step of the line search, or the fixed step without one. */
  lr: number;
  /** Maximum iterations per `step()` call. */
  maxIter: number;
  /** Maximum loss evaluations per `step()` call; null for ⌊maxIter·5/4⌋. */
  maxEval: number | null;
  /** Stop when max|∇f| ≤ toleranceGrad. */
  toleranceGrad: number;
  /** Stop when the step or the change in loss is below toleranceChange. */
  toleranceChange: number;
  /** Number of (s, y) pairs kept for the inverse-Hessian approximation. */
  historySize: number;
  /** "strongWolfe" for a line search satisfying the strong Wolfe conditions, or null for fixed steps. */
  lineSearch: "strongWolfe" | null;
}

const lineSearchCheck: OptionCheck = (owner, name, value) => {
  if (value !== null && value !== "strongWolfe") {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${JSON.stringify(value)}; expected "strongWolfe" or null.`);
  }
};

const maxEvalCheck: OptionCheck = (owner, name, value) => {
  if (value !== null) positiveInteger(owner, name, value);
};

export const LBFGS_SPEC: OptimizerSpec<LBFGSOptions> = {
  name: "LBFGS",
  defaults: { lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearch: null },
  checks: { lr: nonNegative, maxIter: positiveInteger, maxEval: maxEvalCheck, toleranceGrad: nonNegative, toleranceChange: nonNegative, historySize: positiveInteger, lineSearch: lineSearchCheck },
  transform: updateThroughStep("LBFGS"),
};

/** The curvature memory and counters that persist across `step()` calls. */
interface LBFGSMemory {
  funcEvals: number;
  nIter: number;
  direction: Float64Array | null;
  t: number;
  /** y_k = g_{k+1} − g_k and s_k = θ_{k+1} − θ_k, oldest first, with ρ_k = 1/(y_kᵀs_k). */
  ys: Float64Array[];
  ss: Float64Array[];
  rhos: number[];
  hDiag: number;
  previousGrad: Float64Array | null;
  previousLoss: number | null;
}

/**
 * L-BFGS with the semantics of PyTorch's torch.optim.LBFGS (version 1.13): each
 * `step(closure)` runs up to maxIter iterations. Iteration k takes the direction
 * d = −H_k·∇f from the two-loop recursion over the last historySize pairs (s, y), with the
 * initial scaling H₀ = (sᵀy / yᵀy)·I and pairs with yᵀs ≤ 1e-10 skipped, then a step t along d:
 * from lr (the first iteration ever uses min(1, 1/‖∇f‖₁)·lr), refined by the strong-Wolfe line
 * search when lineSearch is "strongWolfe". The closure zeroes the gradients, computes the loss,
 * calls backward and returns the loss; it may run several times per step.
 * Example: `const opt = new LBFGS(params, { lineSearch: "strongWolfe" }); opt.step(() => { opt.zeroGrad(); const l = f(); l.backward(); return l; });`
 * NOTE: `stateDict()` saves only funcEvals and nIter. The (s, y) history is kept in memory only, so
 * an optimizer restored by `loadStateDict` restarts from steepest descent.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  private memory: LBFGSMemory = { funcEvals: 0, nIter: 0, direction: null, t: 0, ys: [], ss: [], rhos: [], hDiag: 1, previousGrad: null, previousLoss: null };

  constructor(params: ParamsInput<LBFGSOptions>, options?: Partial<LBFGSOptions>) {
    super(params, options, LBFGS_SPEC);
    requireOneGroup("LBFGS", this.paramGroups);
  }

  override step<T = unknown>(closure?: () => T): T | undefined {
    const evaluate = requireClosure("LBFGS", closure, "a closure that calls zeroGrad, computes the loss, calls backward and returns it");
    const group = this.paramGroups[0];
    const params = group.params;
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize, lineSearch } = group;
    const maxEval = group.maxEval ?? Math.floor((maxIter * 5) / 4);
    const m = this.memory;
    const saved = this.state.get(params[0]);
    if (saved !== undefined) [m.funcEvals, m.nIter] = [saved.funcEvals as number, saved.nIter as number];

    const originalLoss = evaluate();
    let loss = lossValue("LBFGS", originalLoss);
    let currentEvals = 1;
    m.funcEvals++;
    let grad = gatherGrads(params);
    if (maxAbs(grad) <= toleranceGrad) return this.finish(originalLoss);

    let iteration = 0;
    while (iteration < maxIter) {
      iteration++;
      m.nIter++;
      // Without a previous direction (the first iteration, or after loadStateDict) L-BFGS restarts from −g.
      const restart = m.nIter === 1 || m.direction === null;
      m.direction = restart ? this.firstDirection(grad) : this.twoLoopDirection(grad, historySize);
      m.previousGrad = Float64Array.from(grad);
      m.previousLoss = loss;

      m.t = restart ? Math.min(1, 1 / grad.reduce((s, g) => s + Math.abs(g), 0)) * lr : lr;
      const slope = dot(grad, m.direction);
      if (slope > -toleranceChange) break;

      let lsEvals = 0;
      let optimal = false;
      if (lineSearch === "strongWolfe") {
        const start = gatherValues(params, params);
        const direction = m.direction;
        const directional = (t: number) => {
          addToParams(params, t, direction);
          const value = lossValue("LBFGS", evaluate());
          const g = gatherGrads(params);
          setParams(params, start);
          return { loss: value, grad: g };
        };
        const found = strongWolfe(directional, m.t, direction, loss, grad, slope);
        [loss, grad, m.t, lsEvals] = [found.loss, found.grad, found.t, found.evaluations];
        addToParams(params, m.t, direction);
        optimal = maxAbs(grad) <= toleranceGrad;
      } else {
        addToParams(params, m.t, m.direction);
        if (iteration !== maxIter) {
          loss = lossValue("LBFGS", evaluate());
          grad = gatherGrads(params);
          optimal = maxAbs(grad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      m.funcEvals += lsEvals;

      if (iteration === maxIter || currentEvals >= maxEval || optimal) break;
      if (maxAbs(m.direction) * Math.abs(m.t) <= toleranceChange) break;
      if (Math.abs(loss - m.previousLoss) < toleranceChange) break;
    }
    return this.finish(originalLoss);
  }

  private firstDirection(grad: Float64Array): Float64Array {
    const m = this.memory;
    m.ys = [];
    m.ss = [];
    m.rhos = [];
    m.hDiag = 1;
    return grad.map((g) => -g);
  }

  /** Updates the (s, y) history with the last step, then returns −H·∇f by the two-loop recursion. */
  private twoLoopDirection(grad: Float64Array, historySize: number): Float64Array {
    const m = this.memory;
    const y = grad.map((g, i) => g - m.previousGrad![i]);
    const s = m.direction!.map((d) => d * m.t);
    const ys = dot(y, s);
    if (ys > 1e-10) {
      if (m.ys.length === historySize) {
        m.ys.shift();
        m.ss.shift();
        m.rhos.shift();
      }
      m.ys.push(y);
      m.ss.push(s);
      m.rhos.push(1 / ys);
      m.hDiag = ys / dot(y, y);
    }
    const count = m.ys.length;
    const alphas = new Array<number>(count);
    const q = grad.map((g) => -g);
    for (let i = count - 1; i >= 0; i--) {
      alphas[i] = dot(m.ss[i], q) * m.rhos[i];
      for (let j = 0; j < q.length; j++) q[j] -= alphas[i] * m.ys[i][j];
    }
    const r = q.map((x) => x * m.hDiag);
    for (let i = 0; i < count; i++) {
      const beta = dot(m.ys[i], r) * m.rhos[i];
      for (let j = 0; j < r.length; j++) r[j] += (alphas[i] - beta) * m.ss[i][j];
    }
    return r;
  }

  private finish<T>(loss: T): T {
    this.state.set(this.paramGroups[0].params[0], { funcEvals: this.memory.funcEvals, nIter: this.memory.nIter });
    return loss;
  }

  /** Function evaluations and iterations over all `step()` calls so far. */
  get counters(): { funcEvals: number; nIter: number } {
    return { funcEvals: this.memory.funcEvals, nIter: this.memory.nIter };
  }
}


